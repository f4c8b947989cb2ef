// Label selectors (`app=web,tier in (a,b),!canary`, or a meta/v1 LabelSelector) and label key/value checks.
//
// Semantics follow k8s.io/apimachinery/pkg/labels and metav1.LabelSelectorAsSelector (with
// 1.35's fix that accepts consecutive commas in a value set, `x in (a,,)`); error details
// follow k8s.io/apimachinery/pkg/util/validation in Kubernetes 1.34's wording (1.35 changed
// "characters" to "bytes" and "a qualified name" to "a valid label key").
import { BadRequestError } from './errors';
import { emptyError, isDNS1123Subdomain, maxLenError, regexError, utf8Length } from './names';
import type { LabelSelector } from './types/meta';

/** A requirement's operator, spelled as selection.Operator spells it (`!` is DoesNotExist). */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One clause of a selector: `key op values`. Values are as given (parsing sorts and dedupes them). */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** Labels as objects carry them; a missing map is the same as an empty one. */
export type Labels = Readonly<Record<string, string>>;

/** A label or field selector that cannot be parsed or is invalid; a 400 Bad Request on the wire. */
export class SelectorParseError extends BadRequestError {
  /** The selector as given: its text, or a JSON rendering of an object-form selector. */
  readonly selector: string;
  constructor(selector: string, message: string) {
    super(message);
    this.selector = selector;
  }
}

// ---------------------------------------------------------------------------------------
// Label key and value validation

const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRegexp = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);

/**
 * Problems with a qualified name (`example.com/MyName` or `MyName`), the form of label,
 * annotation and finalizer keys: an optional DNS-1123 subdomain prefix of at most 253
 * characters and '/', then a name of at most 63. Empty when valid.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (utf8Length(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRegexp.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** Problems with a label key; a label key is a qualified name. Empty when valid. */
export function validateLabelKey(key: string): string[] {
  return isQualifiedName(key);
}

/** Problems with a label value: empty, or at most 63 characters of [-A-Za-z0-9_.] starting and ending alphanumeric. */
export function validateLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRegexp.test(value)) {
    errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------
// Requirements

const INT64_PATTERN = /^[+-]?[0-9]+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** The integer in s as Go's strconv.ParseInt(s, 10, 64) reads it, or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!INT64_PATTERN.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

const OPERATORS: readonly SelectorOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/** Every problem with a requirement, as upstream's NewRequirement finds them. */
function requirementProblems(key: string, operator: string, values: readonly string[]): string[] {
  const problems: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) problems.push(`invalid label key ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) problems.push("for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) problems.push('exact-match compatibility requires one single value');
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) problems.push('values set must be empty for exists and does not exist');
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) problems.push("for 'Gt', 'Lt' operators, exactly one value is required");
      for (const v of values) {
        if (parseInt64(v) === undefined) {
          problems.push(`invalid value ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
        }
      }
      break;
    default:
      problems.push(
        `unsupported operator ${JSON.stringify(operator)}: supported values: ${OPERATORS.map((o) => JSON.stringify(o)).join(', ')}`,
      );
  }
  for (const v of values) {
    const errs = validateLabelValue(v);
    if (errs.length > 0) {
      problems.push(`invalid label value ${JSON.stringify(v)} for key ${JSON.stringify(key)}: ${errs.join('; ')}`);
    }
  }
  return problems;
}

/** Thrown inside the parser; the public entry points turn it into a SelectorParseError. */
class Failure extends Error {}

function checkedRequirement(key: string, operator: SelectorOperator, values: readonly string[]): Requirement {
  const problems = requirementProblems(key, operator, values);
  if (problems.length > 0) throw new Failure(problems.join('; '));
  return { key, operator, values: [...values] };
}

/** A validated requirement, as labels.NewRequirement builds one. Throws SelectorParseError. */
export function newRequirement(key: string, operator: SelectorOperator, values: readonly string[] = []): Requirement {
  try {
    return checkedRequirement(key, operator, values);
  } catch (err: unknown) {
    if (err instanceof Failure) {
      throw new SelectorParseError(JSON.stringify({ key, operator, values }), err.message);
    }
    throw err;
  }
}

/** Whether labels satisfy one requirement. A missing key satisfies `!=`, `notin` and `!`. */
export function requirementMatches(r: Requirement, labels: Labels | undefined | null): boolean {
  const has = labels != null && Object.hasOwn(labels, r.key);
  const val = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return val !== undefined && r.values.includes(val);
    case 'notin':
    case '!=':
      return val === undefined || !r.values.includes(val);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (val === undefined || r.values.length !== 1) return false;
      const actual = parseInt64(val);
      const bound = parseInt64(r.values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

const operatorText: Record<SelectorOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

/** A requirement in selector syntax: `a=b`, `a in (x,y)`, `!a`, `a>5`. Set values print sorted. */
export function requirementToString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort().join(',');
  const text = `${r.key}${operatorText[r.operator]}`;
  return r.operator === 'in' || r.operator === 'notin' ? `${text}(${values})` : `${text}${values}`;
}

function byKey(reqs: readonly Requirement[]): Requirement[] {
  // Array.prototype.sort is stable: requirements on one key keep their order.
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------
// Selector

/** An AND of requirements, sorted by key; or the selector that matches nothing. Immutable. */
export class Selector {
  readonly requirements: readonly Requirement[];
  private readonly nothing: boolean;

  private constructor(requirements: readonly Requirement[], nothing: boolean) {
    this.requirements = requirements;
    this.nothing = nothing;
  }

  private static readonly everythingSelector = new Selector([], false);
  private static readonly nothingSelector = new Selector([], true);

  /** Matches every object (labels.Everything()). */
  static everything(): Selector {
    return Selector.everythingSelector;
  }

  /** Matches no object (labels.Nothing()); what a missing LabelSelector means. */
  static nothing(): Selector {
    return Selector.nothingSelector;
  }

  /** A selector of the given requirements (not re-validated), sorted by key. */
  static of(requirements: readonly Requirement[]): Selector {
    return requirements.length === 0 ? Selector.everythingSelector : new Selector(byKey(requirements), false);
  }

  /** Whether labels satisfy every requirement. Missing labels are an empty set. */
  matches(labels: Labels | undefined | null): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True for a selector with no requirements, which matches everything. False for nothing(). */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** True only for Selector.nothing(). */
  matchesNothing(): boolean {
    return this.nothing;
  }

  /** This selector with more requirements (nothing() stays nothing). */
  add(...requirements: Requirement[]): Selector {
    if (this.nothing) return this;
    return Selector.of([...this.requirements, ...requirements]);
  }

  /**
   * The single value the first requirement on `key` demands (`key=v`, `key==v` or
   * `key in (v)`), or undefined. Lets a server use an index for the key.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (r === undefined || r.values.length !== 1) return undefined;
    return r.operator === '=' || r.operator === '==' || r.operator === 'in' ? r.values[0] : undefined;
  }

  /** The canonical string: requirements sorted by key, joined by ','. '' for everything and nothing. */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

// ---------------------------------------------------------------------------------------
// Parsing the string form

type TokenKind =
  | 'end'
  | 'identifier'
  | 'in'
  | 'notin'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<';

interface Token {
  kind: TokenKind;
  literal: string;
}

const symbolTokens: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['(', '('],
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['=', '='],
  ['==', '=='],
  ['!=', '!='],
  ['>', '>'],
  ['<', '<'],
]);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSymbol = (ch: string): boolean => '=!(),><'.includes(ch);

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s.charAt(pos))) pos++;
    if (pos >= s.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSymbol(s.charAt(pos))) {
      // The longest run of symbols that is still a token: `!=` and `==`, else one symbol.
      const two = s.slice(pos, pos + 2);
      const twoKind = symbolTokens.get(two);
      const literal = twoKind !== undefined ? two : s.charAt(pos);
      tokens.push({ kind: twoKind ?? symbolTokens.get(literal) ?? '!', literal });
      pos += literal.length;
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSymbol(s.charAt(pos)) && !isWhitespace(s.charAt(pos))) pos++;
    const literal = s.slice(start, pos);
    const kind: TokenKind = literal === 'in' ? 'in' : literal === 'notin' ? 'notin' : 'identifier';
    tokens.push({ kind, literal });
  }
}

/** In a value position the keywords `in` and `notin` are plain identifiers. */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(s: string) {
    this.tokens = lex(s);
  }

  private peek(context: Context): Token {
    const t = this.tokens[this.position] ?? { kind: 'end', literal: '' };
    if (context === 'values' && (t.kind === 'in' || t.kind === 'notin')) return { kind: 'identifier', literal: t.literal };
    return t;
  }

  private next(context: Context): Token {
    const t = this.peek(context);
    if (this.position < this.tokens.length - 1) this.position++;
    return t;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const t = this.peek('values');
      if (t.kind === 'end') return requirements;
      if (t.kind !== 'identifier' && t.kind !== '!') {
        throw new Failure(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.requirement());
      } catch (err: unknown) {
        if (err instanceof Failure) throw new Failure(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.next('values');
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') throw new Failure(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek('values');
      if (following.kind !== 'identifier' && following.kind !== '!') {
        throw new Failure(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let t = this.next('values');
    let inferred: SelectorOperator | undefined;
    if (t.kind === '!') {
      inferred = '!';
      t = this.next('values');
    }
    if (t.kind !== 'identifier') throw new Failure(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const keyErrs = validateLabelKey(key);
    if (keyErrs.length > 0) throw new Failure(`invalid label key ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const ahead = this.peek('values').kind;
    if (ahead === 'end' || ahead === ',') inferred ??= 'exists';
    // `!key` ends the requirement even when something follows; the caller reports it.
    if (inferred !== undefined) return checkedRequirement(key, inferred, []);

    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : this.exactValue();
    return checkedRequirement(key, operator, [...values].sort());
  }

  private operator(): SelectorOperator {
    const t = this.next('keyAndOperator');
    switch (t.kind) {
      case 'in':
        return 'in';
      case 'notin':
        return 'notin';
      case '=':
        return '=';
      case '==':
        return '==';
      case '!=':
        return '!=';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Failure(`found '${t.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private valueSet(): Set<string> {
    const open = this.next('values');
    if (open.kind !== '(') throw new Failure(`found '${open.literal}' expected: '('`);
    const t = this.peek('values');
    if (t.kind === ')') {
      this.next('values');
      return new Set(['']); // `in ()` is the set holding the empty value
    }
    if (t.kind !== 'identifier' && t.kind !== ',') {
      throw new Failure(`found '${t.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.identifierList();
    const close = this.next('values');
    if (close.kind !== ')') throw new Failure(`found '${close.literal}', expected: ')'`);
    return values;
  }

  /** `a, b` up to (not including) ')'. An empty item between commas is the empty value. */
  private identifierList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const t = this.next('values');
      if (t.kind === 'identifier') {
        values.add(t.literal);
        const ahead = this.peek('values');
        if (ahead.kind === ')') return values;
        if (ahead.kind !== ',') throw new Failure(`found '${ahead.literal}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.size === 0) values.add(''); // `(,`
        const ahead = this.peek('values').kind;
        if (ahead === ')') {
          values.add(''); // `,)`
          return values;
        }
        if (ahead === ',') values.add(''); // `,,`
      } else {
        throw new Failure(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const ahead = this.peek('values').kind;
    if (ahead === 'end' || ahead === ',') return new Set(['']); // `a=` selects the empty value
    const t = this.next('values');
    if (t.kind !== 'identifier') throw new Failure(`found '${t.literal}', expected: identifier`);
    return new Set([t.literal]);
  }
}

/**
 * Parses the string form: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`,
 * `a>5`, `a<5`, joined by ','. Whitespace between tokens is ignored; '' selects everything.
 * Keys and values are validated. Throws SelectorParseError naming the offending part.
 */
export function parseSelector(s: string): Selector {
  try {
    return Selector.of(new Parser(s).parse());
  } catch (err: unknown) {
    if (err instanceof Failure) throw new SelectorParseError(s, err.message);
    throw err;
  }
}

/** True when parseSelector would accept s. */
export function isValidSelector(s: string): boolean {
  try {
    parseSelector(s);
    return true;
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return false;
    throw err;
  }
}

const objectOperators: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * The selector a meta/v1 LabelSelector stands for (metav1.LabelSelectorAsSelector):
 *   - undefined or null → Selector.nothing(): a missing selector matches NO object;
 *   - `{}` (no matchLabels, no matchExpressions) → Selector.everything(): matches EVERY object.
 * matchLabels become `key=value`; matchExpressions use In, NotIn, Exists, DoesNotExist.
 * Throws SelectorParseError for an unknown operator or an invalid key, value or value count.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls === undefined || ls === null) return Selector.nothing();
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  const keys = Object.keys(matchLabels).sort();
  if (keys.length + expressions.length === 0) return Selector.everything();
  try {
    const requirements: Requirement[] = keys.map((k) => checkedRequirement(k, '=', [matchLabels[k] ?? '']));
    for (const expr of expressions) {
      const op = Object.hasOwn(objectOperators, expr.operator) ? objectOperators[expr.operator] : undefined;
      if (op === undefined) throw new Failure(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      requirements.push(checkedRequirement(expr.key, op, expr.values ?? []));
    }
    return Selector.of(requirements);
  } catch (err: unknown) {
    if (err instanceof Failure) throw new SelectorParseError(JSON.stringify(ls), err.message);
    throw err;
  }
}

/**
 * A selector requiring every label in set (labels.SelectorFromSet): `{app: 'web'}` →
 * `app=web`. Keys and values are not validated; an empty or missing set selects everything.
 */
export function selectorFromSet(set: Labels | undefined | null): Selector {
  if (set == null) return Selector.everything();
  return Selector.of(Object.keys(set).map((k) => ({ key: k, operator: '=' as const, values: [set[k] ?? ''] })));
}
