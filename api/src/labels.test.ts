// Tests for labels.ts: selector parsing, matching, canonical strings, the object form and key/value checks.
import { BadRequestError, StatusError } from './errors';
import {
  Selector,
  SelectorParseError,
  isQualifiedName,
  isValidSelector,
  newRequirement,
  parseSelector,
  requirementMatches,
  requirementToString,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelKey,
  validateLabelValue,
} from './labels';
import type { Requirement } from './labels';
import type { LabelSelector } from './types/meta';

/** The requirements as `key|op|v1;v2` strings, in selector order. */
function reqs(s: Selector): string[] {
  return s.requirements.map((r) => `${r.key}|${r.operator}|${r.values.join(';')}`);
}

function parseError(s: string): SelectorParseError {
  try {
    parseSelector(s);
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(s)} not to parse`);
}

describe('parseSelector: accepted syntax', () => {
  // input, requirements (sorted by key), canonical string
  const cases: [string, string[], string][] = [
    ['', [], ''],
    ['a=b', ['a|=|b'], 'a=b'],
    ['a==b', ['a|==|b'], 'a==b'],
    ['a!=b', ['a|!=|b'], 'a!=b'],
    ['a in (x,y)', ['a|in|x;y'], 'a in (x,y)'],
    ['a notin (x, y)', ['a|notin|x;y'], 'a notin (x,y)'],
    ['a', ['a|exists|'], 'a'],
    ['!a', ['a|!|'], '!a'],
    ['a>1', ['a|gt|1'], 'a>1'],
    ['a<7', ['a|lt|7'], 'a<7'],
    ['x=a,y=b,z=c', ['x|=|a', 'y|=|b', 'z|=|c'], 'x=a,y=b,z=c'],
    ['x!=a,y=b', ['x|!=|a', 'y|=|b'], 'x!=a,y=b'],
    // an empty value after =
    ['x=', ['x|=|'], 'x='],
    ['x= ', ['x|=|'], 'x='],
    ['x=,z= ', ['x|=|', 'z|=|'], 'x=,z='],
    // whitespace anywhere between tokens
    ['  a  =  b  ,  c  ', ['a|=|b', 'c|exists|'], 'a=b,c'],
    ['\rx', ['x|exists|'], 'x'],
    ['foo  in\t (abc)', ['foo|in|abc'], 'foo in (abc)'],
    ['x notin\n (abc)', ['x|notin|abc'], 'x notin (abc)'],
    ['a in(b)', ['a|in|b'], 'a in (b)'],
    // value sets are sorted and deduplicated; empty items are the empty value
    ['x in (b,a,a)', ['x|in|a;b'], 'x in (a,b)'],
    ['x in (abc,)', ['x|in|;abc'], 'x in (,abc)'],
    ['x in ()', ['x|in|'], 'x in ()'],
    ['x notin ( )', ['x|notin|'], 'x notin ()'],
    ['x notin (, a)', ['x|notin|;a'], 'x notin (,a)'],
    // consecutive commas (fixed upstream in 1.35; 1.34 rejected these)
    ['x in (a,,)', ['x|in|;a'], 'x in (,a)'],
    ['x in (a,,a,,a,,a,,)', ['x|in|;a'], 'x in (,a)'],
    // `in` and `notin` are plain words where a key or value is expected
    ['a in (x,y,notin, z,in)', ['a|in|in;notin;x;y;z'], 'a in (in,notin,x,y,z)'],
    ['in in (in)', ['in|in|in'], 'in in (in)'],
    ['notin=in', ['notin|=|in'], 'notin=in'],
    // requirements sort by key
    ['x,y in (a)', ['x|exists|', 'y|in|a'], 'x,y in (a)'],
    ['y in (a),x', ['x|exists|', 'y|in|a'], 'x,y in (a)'],
    ['x notin (abc,,def),bar,z in (),w', ['bar|exists|', 'w|exists|', 'x|notin|;abc;def', 'z|in|'], 'bar,w,x notin (,abc,def),z in ()'],
    ['b=1,a=2,a!=3', ['a|=|2', 'a|!=|3', 'b|=|1'], 'a=2,a!=3,b=1'],
    // qualified keys
    ['this-is-a-dns.domain.com/key-with-dash', ['this-is-a-dns.domain.com/key-with-dash|exists|'], 'this-is-a-dns.domain.com/key-with-dash'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', ['0.1.2.domain/99|notin|10.10.100.1;tick.tack.clock'], '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['app.kubernetes.io/name=web', ['app.kubernetes.io/name|=|web'], 'app.kubernetes.io/name=web'],
  ];
  it.each(cases)('%p', (input, expected, canonical) => {
    const s = parseSelector(input);
    expect(reqs(s)).toEqual(expected);
    expect(s.toString()).toBe(canonical);
    expect(String(s)).toBe(canonical);
    expect(isValidSelector(input)).toBe(true);
  });

  it('prints a string that parses to the same selector', () => {
    for (const [input] of cases) {
      const once = parseSelector(input);
      const twice = parseSelector(once.toString());
      expect(reqs(twice)).toEqual(reqs(once));
    }
  });
});

describe('parseSelector: rejected syntax', () => {
  // input, a fragment the message must contain
  const cases: [string, string][] = [
    ['x=a||y=b', 'invalid label value "a||y"'],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "invalid value \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x>1.5', 'the value must be an integer'],
    ['x>9223372036854775808', 'the value must be an integer'],
    ['x>-1', 'invalid label value "-1"'], // an integer, but not a valid label value
    ['x>+1', 'invalid label value "+1"'],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['x nott in (y)', "found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a in (xyz abc)', "found 'abc', expected: ',' or ')'"],
    ['a notin(', "found '', expected: ',', ')' or identifier"],
    ['a (', "found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['a in b', "found 'b' expected: '('"],
    ['a in ((b))', "found '(', expected: ',', ')' or identifier"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=(b)', "found '(', expected: identifier"],
    ['!', "found '', expected: identifier"],
    ['!!a', "found '!', expected: identifier"],
    ['a$', 'invalid label key "a$": name part must consist of alphanumeric characters'],
    ['x/y/z', 'invalid label key "x/y/z": a qualified name must consist of'],
    ['/x', 'prefix part must be non-empty'],
    ['x/', 'name part must be non-empty'],
    ['Example.com/x', 'prefix part a lowercase RFC 1123 subdomain'],
    ['a'.repeat(64), 'name part must be no more than 63 characters'],
    [`a=${'b'.repeat(64)}`, 'must be no more than 63 characters'],
    ['a=-b', 'a valid label must be an empty string or consist of alphanumeric characters'],
    ['a in (b,-c)', 'invalid label value "-c" for key "a"'],
  ];
  it.each(cases)('%p', (input, fragment) => {
    const err = parseError(input);
    expect(err.message).toContain(fragment);
    expect(err.selector).toBe(input);
    expect(isValidSelector(input)).toBe(false);
  });

  it('is a 400 Bad Request', () => {
    const err = parseError('a in (');
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toBeInstanceOf(StatusError);
    expect(err.name).toBe('SelectorParseError');
    expect(err.toStatus()).toMatchObject({ code: 400, reason: 'BadRequest', status: 'Failure' });
  });

  it('prefixes problems inside a requirement with "unable to parse requirement"', () => {
    expect(parseError('a in (b').message).toMatch(/^unable to parse requirement: /);
    expect(parseError('a$').message).toMatch(/^unable to parse requirement: /);
    expect(parseError(',a').message).not.toMatch(/requirement/);
  });
});

describe('Selector.matches', () => {
  // selector, labels, expected
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', undefined, true],
    ['', {}, true],
    ['', { a: 'b' }, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a=b', undefined, false],
    ['a==b', { a: 'b' }, true],
    ['a!=b', { a: 'c' }, true],
    ['a!=b', { a: 'b' }, false],
    ['a!=b', {}, true], // a missing label is "not b"
    ['a=', { a: '' }, true],
    ['a=', {}, false],
    ['a in (x,y)', { a: 'y' }, true],
    ['a in (x,y)', { a: 'z' }, false],
    ['a in (x,y)', {}, false],
    ['a in ()', { a: '' }, true],
    ['a in ()', { a: 'x' }, false],
    ['a notin (x,y)', { a: 'z' }, true],
    ['a notin (x,y)', { a: 'x' }, false],
    ['a notin (x,y)', {}, true],
    ['a', { a: '' }, true],
    ['a', { b: 'a' }, false],
    ['!a', {}, true],
    ['!a', { a: '' }, false],
    ['a>5', { a: '6' }, true],
    ['a>5', { a: '5' }, false],
    ['a>5', { a: '10' }, true], // numeric, not string, comparison
    ['a>5', { a: 'x' }, false],
    ['a>5', {}, false],
    ['a<5', { a: '-3' }, true],
    ['a<5', { a: '4.5' }, false],
    ['a<5', { a: '99999999999999999999' }, false], // beyond int64: not a number
    ['a=b,c in (d,e),!f', { a: 'b', c: 'e' }, true],
    ['a=b,c in (d,e),!f', { a: 'b', c: 'e', f: '' }, false],
    ['a=b,c in (d,e),!f', { a: 'b', c: 'x' }, false],
    // keys are own properties only
    ['constructor', {}, false],
    ['!toString', {}, true],
    ['hasOwnProperty=x', {}, false],
  ];
  it.each(cases)('%p on %p is %p', (sel, labels, expected) => {
    expect(parseSelector(sel).matches(labels)).toBe(expected);
  });

  it('accepts null labels as empty', () => {
    expect(parseSelector('!a').matches(null)).toBe(true);
    expect(parseSelector('a').matches(null)).toBe(false);
  });
});

describe('Selector.everything and Selector.nothing', () => {
  it('everything matches all, is empty and prints ""', () => {
    const s = Selector.everything();
    expect(s.matches({})).toBe(true);
    expect(s.matches({ a: 'b' })).toBe(true);
    expect(s.empty()).toBe(true);
    expect(s.matchesNothing()).toBe(false);
    expect(s.toString()).toBe('');
    expect(parseSelector('').empty()).toBe(true);
  });

  it('nothing matches none, is not empty and prints ""', () => {
    const s = Selector.nothing();
    expect(s.matches({})).toBe(false);
    expect(s.matches({ a: 'b' })).toBe(false);
    expect(s.empty()).toBe(false);
    expect(s.matchesNothing()).toBe(true);
    expect(s.toString()).toBe('');
    expect(s.requirements).toEqual([]);
    expect(s.add(newRequirement('a', 'exists')).matchesNothing()).toBe(true);
  });

  it('a selector with requirements is not empty', () => {
    expect(parseSelector('a').empty()).toBe(false);
  });
});

describe('Selector.add and requiresExactMatch', () => {
  it('adds requirements and keeps them sorted by key', () => {
    const s = parseSelector('b=1').add(newRequirement('a', 'in', ['x']), newRequirement('c', '!'));
    expect(s.toString()).toBe('a in (x),b=1,!c');
    expect(s.matches({ a: 'x', b: '1' })).toBe(true);
  });

  it('does not change the selector it was called on', () => {
    const s = parseSelector('b=1');
    s.add(newRequirement('a', 'exists'));
    expect(s.toString()).toBe('b=1');
  });

  it('reports the single value the first requirement on a key demands', () => {
    const s = parseSelector('a=1,b in (2),c in (3,4),d!=5,e');
    expect(s.requiresExactMatch('a')).toBe('1');
    expect(s.requiresExactMatch('b')).toBe('2');
    expect(s.requiresExactMatch('c')).toBeUndefined();
    expect(s.requiresExactMatch('d')).toBeUndefined();
    expect(s.requiresExactMatch('e')).toBeUndefined();
    expect(s.requiresExactMatch('z')).toBeUndefined();
    expect(parseSelector('a==1').requiresExactMatch('a')).toBe('1');
  });
});

describe('selectorFromLabelSelector (the meta/v1 object form)', () => {
  it('undefined and null select NOTHING', () => {
    for (const ls of [undefined, null]) {
      const s = selectorFromLabelSelector(ls);
      expect(s.matchesNothing()).toBe(true);
      expect(s.matches({})).toBe(false);
      expect(s.matches({ app: 'web' })).toBe(false);
    }
  });

  it('an empty selector {} selects EVERYTHING', () => {
    for (const ls of [{}, { matchLabels: {} }, { matchExpressions: [] }, { matchLabels: {}, matchExpressions: [] }] as LabelSelector[]) {
      const s = selectorFromLabelSelector(ls);
      expect(s.empty()).toBe(true);
      expect(s.matches({})).toBe(true);
      expect(s.matches({ app: 'web' })).toBe(true);
    }
  });

  it('combines matchLabels and matchExpressions, sorted by key', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { tier: 'frontend', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(s.toString()).toBe('app=web,env in (prod,staging),!legacy,owner,tier=frontend,track notin (canary)');
    expect(s.matches({ app: 'web', tier: 'frontend', env: 'prod', owner: 'x' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'frontend', env: 'prod', owner: 'x', track: 'canary' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'frontend', env: 'prod', owner: 'x', legacy: 'y' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'frontend', env: 'dev', owner: 'x' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'frontend', env: 'prod' })).toBe(false);
  });

  it('keeps expression values as given, printing them sorted', () => {
    const s = selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['z', 'y', 'z'] }] });
    expect(s.requirements[0]?.values).toEqual(['z', 'y', 'z']);
    expect(s.toString()).toBe('a in (y,z,z)');
  });

  it('does not share value arrays with the object', () => {
    const values = ['x'];
    const s = selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values }] });
    values.push('y');
    expect(s.matches({ a: 'y' })).toBe(false);
  });

  const bad: [LabelSelector, string][] = [
    [{ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }, '"Equals" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'in', values: ['b'] }] }, '"in" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'toString', values: ['1'] }] }, '"toString" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, "for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] }, 'values set must be empty for exists and does not exist'],
    [{ matchExpressions: [{ key: 'bad key', operator: 'Exists' }] }, 'invalid label key "bad key"'],
    [{ matchLabels: { app: 'bad value' } }, 'invalid label value "bad value" for key "app"'],
    [{ matchLabels: { 'a/b/c': 'x' } }, 'a qualified name must consist of'],
  ];
  it.each(bad)('rejects %j', (ls, fragment) => {
    let caught: unknown;
    try {
      selectorFromLabelSelector(ls);
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectorParseError);
    expect((caught as SelectorParseError).message).toContain(fragment);
    expect((caught as SelectorParseError).selector).toBe(JSON.stringify(ls));
  });
});

describe('selectorFromSet', () => {
  it('requires every label in the set', () => {
    const s = selectorFromSet({ b: '2', a: '1' });
    expect(s.toString()).toBe('a=1,b=2');
    expect(s.matches({ a: '1', b: '2', c: '3' })).toBe(true);
    expect(s.matches({ a: '1' })).toBe(false);
  });

  it('selects everything for an empty or missing set', () => {
    expect(selectorFromSet({}).empty()).toBe(true);
    expect(selectorFromSet(undefined).matches({ a: 'b' })).toBe(true);
    expect(selectorFromSet(null).matchesNothing()).toBe(false);
  });
});

describe('requirements', () => {
  it('newRequirement validates and copies the values', () => {
    const values = ['b'];
    const r = newRequirement('a', 'in', values);
    values.push('c');
    expect(r).toEqual({ key: 'a', operator: 'in', values: ['b'] });
  });

  const bad: [string, Requirement['operator'], string[], string][] = [
    ['a', '=', [], 'exact-match compatibility requires one single value'],
    ['a', '!=', ['x', 'y'], 'exact-match compatibility requires one single value'],
    ['a', 'gt', ['1', '2'], "for 'Gt', 'Lt' operators, exactly one value is required"],
    ['a', 'lt', ['x'], 'the value must be an integer'],
    ['a', '!', ['x'], 'values set must be empty for exists and does not exist'],
    ['', 'exists', [], 'name part must be non-empty'],
  ];
  it.each(bad)('newRequirement(%p, %p, %p) throws', (key, op, values, fragment) => {
    expect(() => newRequirement(key, op, values)).toThrow(SelectorParseError);
    expect(() => newRequirement(key, op, values)).toThrow(fragment);
  });

  it('reports every problem at once', () => {
    expect(() => newRequirement('bad key', '=', [])).toThrow(
      /invalid label key "bad key".*; exact-match compatibility requires one single value/,
    );
  });

  it('rejects an operator outside the union (from untyped input)', () => {
    expect(() => newRequirement('a', 'Equals' as Requirement['operator'], ['b'])).toThrow('unsupported operator "Equals"');
  });

  it('requirementToString and requirementMatches work on plain objects', () => {
    const r: Requirement = { key: 'a', operator: 'notin', values: ['z', 'x'] };
    expect(requirementToString(r)).toBe('a notin (x,z)');
    expect(requirementMatches(r, { a: 'y' })).toBe(true);
    expect(requirementMatches(r, { a: 'z' })).toBe(false);
    expect(r.values).toEqual(['z', 'x']); // printing does not sort in place
  });
});

describe('label key and value validation', () => {
  const NAME_REGEX =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const VALUE_REGEX =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

  it.each(['a', 'A', 'a1', 'a-b', 'a_b', 'a.b', 'MyName', '123-abc', 'example.com/MyName', 'k8s.io/a', 'a'.repeat(63), `${'p'.repeat(253)}/x`])(
    'accepts key %p',
    (key) => {
      expect(validateLabelKey(key)).toEqual([]);
      expect(isQualifiedName(key)).toEqual([]);
    },
  );

  const badKeys: [string, string[]][] = [
    ['', ['name part must be non-empty', NAME_REGEX]],
    ['-a', [NAME_REGEX]],
    ['a-', [NAME_REGEX]],
    ['a b', [NAME_REGEX]],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
    ['/a', ['prefix part must be non-empty']],
    ['a/', ['name part must be non-empty', NAME_REGEX]],
    [
      'Example.com/a',
      [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [`${'p'.repeat(254)}/x`, ['prefix part must be no more than 253 characters']],
    [
      'a/b/c',
      [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
  ];
  it.each(badKeys)('rejects key %p', (key, errs) => {
    expect(validateLabelKey(key)).toEqual(errs);
  });

  it.each(['', 'a', 'A', '1', 'my_value', 'MyValue', '12345', 'a.b-c_d', 'v'.repeat(63)])('accepts value %p', (v) => {
    expect(validateLabelValue(v)).toEqual([]);
  });

  const badValues: [string, string[]][] = [
    ['-a', [VALUE_REGEX]],
    ['a_', [VALUE_REGEX]],
    ['a b', [VALUE_REGEX]],
    ['a/b', [VALUE_REGEX]],
    ['é', [VALUE_REGEX]],
    ['v'.repeat(64), ['must be no more than 63 characters']],
    ['-'.repeat(64), ['must be no more than 63 characters', VALUE_REGEX]],
  ];
  it.each(badValues)('rejects value %p', (v, errs) => {
    expect(validateLabelValue(v)).toEqual(errs);
  });
});
