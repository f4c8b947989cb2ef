// Tests for fields.ts: field selector parsing, escaping, matching, requirements and transforms.
import { BadRequestError } from './errors';
import {
  FieldSelector,
  escapeFieldValue,
  fieldSelectorFromSet,
  isValidFieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields';
import type { FieldRequirement } from './fields';
import { SelectorParseError } from './labels';

function reqs(s: FieldSelector): string[] {
  return s.requirements.map((r) => `${r.field}|${r.operator}|${r.value}`);
}

function parseError(s: string): SelectorParseError {
  try {
    parseFieldSelector(s);
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(s)} not to parse`);
}

describe('parseFieldSelector: accepted syntax', () => {
  // input, requirements, printed form
  const cases: [string, string[], string][] = [
    ['', [], ''],
    ['metadata.name=web', ['metadata.name|=|web'], 'metadata.name=web'],
    ['metadata.name==web', ['metadata.name|=|web'], 'metadata.name=web'],
    ['status.phase!=Running', ['status.phase|!=|Running'], 'status.phase!=Running'],
    ['a=b,c!=d', ['a|=|b', 'c|!=|d'], 'a=b,c!=d'],
    // terms are sorted by their text, as upstream sorts them
    ['c=d,a=b', ['a|=|b', 'c|=|d'], 'a=b,c=d'],
    ['b=1,a!=2', ['a|!=|2', 'b|=|1'], 'a!=2,b=1'],
    // empty values and empty terms
    ['a=', ['a|=|'], 'a='],
    ['a!=', ['a|!=|'], 'a!='],
    ['a=b,,c=d', ['a|=|b', 'c|=|d'], 'a=b,c=d'],
    [',', [], ''],
    [',,a=b,', ['a|=|b'], 'a=b'],
    // escapes in values
    ['a=b\\,c', ['a|=|b,c'], 'a=b\\,c'],
    ['a=b\\=c', ['a|=|b=c'], 'a=b\\=c'],
    ['a=b\\\\c', ['a|=|b\\c'], 'a=b\\\\c'],
    ['a=\\,\\=\\\\', ['a|=|,=\\'], 'a=\\,\\=\\\\'],
    ['a==\\=b', ['a|=|=b'], 'a=\\=b'],
    // a term splits at its first operator; nothing is trimmed
    ['a = b', ['a |=| b'], 'a = b'],
    ['a!b=c', ['a!b|=|c'], 'a!b=c'],
    ['a\\,b=c', ['a\\,b|=|c'], 'a\\,b=c'],
    ['spec.nodeName=node-1,metadata.namespace=default', ['metadata.namespace|=|default', 'spec.nodeName|=|node-1'], 'metadata.namespace=default,spec.nodeName=node-1'],
    ['a=é', ['a|=|é'], 'a=é'],
  ];
  it.each(cases)('%p', (input, expected, printed) => {
    const s = parseFieldSelector(input);
    expect(reqs(s)).toEqual(expected);
    expect(s.toString()).toBe(printed);
    expect(isValidFieldSelector(input)).toBe(true);
  });

  it('prints a string that parses to the same selector', () => {
    for (const [input] of cases) {
      const once = parseFieldSelector(input);
      expect(reqs(parseFieldSelector(once.toString()))).toEqual(reqs(once));
    }
  });

  it('exposes requirements so a server can check the fields it supports', () => {
    const supported = new Set(['metadata.name', 'metadata.namespace', 'status.phase']);
    const s = parseFieldSelector('status.phase=Running,spec.bogus=x');
    const unsupported = s.requirements.filter((r) => !supported.has(r.field)).map((r) => r.field);
    expect(unsupported).toEqual(['spec.bogus']);
    const first: FieldRequirement | undefined = s.requirements[0];
    expect(first).toEqual({ field: 'spec.bogus', operator: '=', value: 'x' });
  });
});

describe('parseFieldSelector: rejected syntax', () => {
  const cases: [string, string][] = [
    ['x', "invalid selector: 'x'; can't understand 'x'"],
    ['a=b,x', "invalid selector: 'a=b,x'; can't understand 'x'"],
    ['a!b', "can't understand 'a!b'"],
    ['a=b=c', "unescaped character in value: '=' in 'a=b=c'"],
    ['a===b', "unescaped character in value: '='"],
    ['a!==b', "unescaped character in value: '='"],
    ['a=b\\', "invalid escape sequence: \\ in 'a=b\\'"],
    ['a=b\\x', 'invalid escape sequence: \\x'],
    ['a=b\\n', 'invalid escape sequence: \\n'],
    ['=b', "missing field name in '=b'"],
    ['!=b', "missing field name in '!=b'"],
    ['=', "missing field name in '='"],
  ];
  it.each(cases)('%p', (input, fragment) => {
    const err = parseError(input);
    expect(err.message).toContain(fragment);
    expect(err.selector).toBe(input);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe(400);
    expect(isValidFieldSelector(input)).toBe(false);
  });
});

describe('FieldSelector.matches', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['', {}, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a==b', { a: 'b' }, true],
    ['a!=b', { a: 'c' }, true],
    ['a!=b', { a: 'b' }, false],
    ['a!=b', {}, true],
    // a missing field is the empty string
    ['a=', {}, true],
    ['a!=', {}, false],
    ['a=', { a: '' }, true],
    ['a=b\\,c', { a: 'b,c' }, true],
    ['a=b\\=c', { a: 'b=c' }, true],
    ['a=b\\\\c', { a: 'b\\c' }, true],
    ['metadata.name=web,status.phase!=Running', { 'metadata.name': 'web', 'status.phase': 'Pending' }, true],
    ['metadata.name=web,status.phase!=Running', { 'metadata.name': 'web', 'status.phase': 'Running' }, false],
    ['constructor=', {}, true], // own properties only
    ['toString!=', {}, false],
  ];
  it.each(cases)('%p on %p is %p', (sel, fields, expected) => {
    expect(parseFieldSelector(sel).matches(fields)).toBe(expected);
  });
});

describe('everything, nothing, empty', () => {
  it('everything matches all and is empty', () => {
    const s = FieldSelector.everything();
    expect(s.matches({ a: 'b' })).toBe(true);
    expect(s.matches(undefined)).toBe(true);
    expect(s.empty()).toBe(true);
    expect(s.toString()).toBe('');
    expect(parseFieldSelector('').empty()).toBe(true);
  });

  it('nothing matches none and is not empty', () => {
    const s = FieldSelector.nothing();
    expect(s.matches({})).toBe(false);
    expect(s.empty()).toBe(false);
    expect(s.matchesNothing()).toBe(true);
    expect(s.toString()).toBe('');
    expect(s.transform((f, v) => [f, v]).matchesNothing()).toBe(true);
  });

  it('a selector with terms is not empty', () => {
    expect(parseFieldSelector('a=').empty()).toBe(false);
  });
});

describe('requiresExactMatch', () => {
  it('returns the value of the first = term on the field', () => {
    const s = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    expect(s.requiresExactMatch('spec.nodeName')).toBe('n1');
    expect(s.requiresExactMatch('status.phase')).toBeUndefined();
    expect(s.requiresExactMatch('metadata.name')).toBeUndefined();
    expect(parseFieldSelector('a=').requiresExactMatch('a')).toBe('');
  });
});

describe('transform', () => {
  it('rewrites fields and values', () => {
    const s = parseFieldSelector('spec.host=n1,status.phase!=Failed');
    const t = s.transform((field, value) => (field === 'spec.host' ? ['spec.nodeName', value] : [field, value]));
    expect(t.toString()).toBe('spec.nodeName=n1,status.phase!=Failed');
    expect(s.toString()).toBe('spec.host=n1,status.phase!=Failed');
  });

  it('drops terms mapped to an empty field and value', () => {
    const t = parseFieldSelector('a=1,b=2').transform((field, value) => (field === 'a' ? ['', ''] : [field, value]));
    expect(t.toString()).toBe('b=2');
    expect(parseFieldSelector('a=1').transform(() => ['', '']).empty()).toBe(true);
  });

  it('lets errors from the function propagate', () => {
    const s = parseFieldSelector('spec.bogus=1');
    expect(() =>
      s.transform((field) => {
        throw new BadRequestError(`field label not supported: ${field}`);
      }),
    ).toThrow('field label not supported: spec.bogus');
  });
});

describe('escaping', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
    ['\\,=', '\\\\\\,\\='],
  ];
  it.each(cases)('%p escapes to %p and back', (raw, escaped) => {
    expect(escapeFieldValue(raw)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(raw);
  });

  it('unescapeFieldValue rejects bad escapes and bare separators', () => {
    expect(() => unescapeFieldValue('a\\b')).toThrow(SelectorParseError);
    expect(() => unescapeFieldValue('a,b')).toThrow("unescaped character in value: ','");
    expect(() => unescapeFieldValue('a=b')).toThrow("unescaped character in value: '='");
    expect(() => unescapeFieldValue('a\\')).toThrow('invalid escape sequence');
  });

  it('a selector built from a set survives values with separators', () => {
    const s = fieldSelectorFromSet({ 'metadata.name': 'a,b=c\\d', 'metadata.namespace': 'ns' });
    expect(s.toString()).toBe('metadata.name=a\\,b\\=c\\\\d,metadata.namespace=ns');
    const back = parseFieldSelector(s.toString());
    expect(back.matches({ 'metadata.name': 'a,b=c\\d', 'metadata.namespace': 'ns' })).toBe(true);
    expect(back.requiresExactMatch('metadata.name')).toBe('a,b=c\\d');
  });
});

describe('fieldSelectorFromSet', () => {
  it('requires each field, sorted by field', () => {
    const s = fieldSelectorFromSet({ 'spec.nodeName': 'n1', 'metadata.name': 'p' });
    expect(s.toString()).toBe('metadata.name=p,spec.nodeName=n1');
    expect(s.matches({ 'metadata.name': 'p', 'spec.nodeName': 'n1' })).toBe(true);
    expect(s.matches({ 'metadata.name': 'p' })).toBe(false);
  });

  it('selects everything for an empty or missing set', () => {
    expect(fieldSelectorFromSet(undefined).empty()).toBe(true);
    expect(fieldSelectorFromSet({}).empty()).toBe(true);
  });
});
