// Field selectors (`metadata.name=web,status.phase!=Running`) with Kubernetes' parsing and escaping rules.
//
// Semantics follow k8s.io/apimachinery/pkg/fields. Terms are split on unescaped ',', each
// at its first `!=`, `==` or `=`; nothing is trimmed, so `a = b` compares field `a ` with
// ` b`, as upstream does. In a value, `\,` `\=` and `\\` stand for ',' '=' and '\'.
import { SelectorParseError } from './labels';

/** `=` (written `=` or `==`) or `!=`, as fields.Requirement reports them. */
export type FieldOperator = '=' | '!=';

/** One term of a field selector; a server checks `field` against the fields it supports. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** The value with escapes removed. */
  readonly value: string;
}

/** The selectable fields of an object, e.g. `{'metadata.name': 'web', 'status.phase': 'Running'}`. */
export type Fields = Readonly<Record<string, string>>;

/** A field a selector asks about but the object lacks counts as the empty string. */
function fieldValue(fields: Fields | undefined | null, field: string): string {
  if (fields == null || !Object.hasOwn(fields, field)) return '';
  return fields[field] ?? '';
}

/** `\`, `,` and `=` escaped with a backslash, so the value can stand in a selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Thrown inside the parser; parseFieldSelector turns it into a SelectorParseError. */
class Failure extends Error {}

function unescape(value: string, term: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new Failure(`invalid field selector: invalid escape sequence: \\${c} in '${term}'`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw new Failure(`invalid field selector: unescaped character in value: '${c}' in '${term}'`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Failure(`invalid field selector: invalid escape sequence: \\ in '${term}'`);
  return out;
}

/** Removes the escapes from a selector value. Throws SelectorParseError for a bad escape or a bare ',' or '='. */
export function unescapeFieldValue(value: string): string {
  try {
    return unescape(value, value);
  } catch (err: unknown) {
    if (err instanceof Failure) throw new SelectorParseError(value, err.message);
    throw err;
  }
}

/** The selector split at each ',' that no backslash escapes. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector.charAt(i);
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** A term split at its first operator. */
function splitTerm(term: string): { field: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** An AND of field requirements, or the selector that matches nothing. Immutable. */
export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  private readonly nothing: boolean;

  private constructor(requirements: readonly FieldRequirement[], nothing: boolean) {
    this.requirements = requirements;
    this.nothing = nothing;
  }

  private static readonly everythingSelector = new FieldSelector([], false);
  private static readonly nothingSelector = new FieldSelector([], true);

  /** Matches every object (fields.Everything()). */
  static everything(): FieldSelector {
    return FieldSelector.everythingSelector;
  }

  /** Matches no object (fields.Nothing()). */
  static nothing(): FieldSelector {
    return FieldSelector.nothingSelector;
  }

  /** A selector of the given requirements, in the given order. */
  static of(requirements: readonly FieldRequirement[]): FieldSelector {
    return requirements.length === 0 ? FieldSelector.everythingSelector : new FieldSelector([...requirements], false);
  }

  /** Whether the object's fields satisfy every requirement; a missing field is ''. */
  matches(fields: Fields | undefined | null): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => (fieldValue(fields, r.field) === r.value) === (r.operator === '='));
  }

  /** True for a selector with no requirements, which matches everything. False for nothing(). */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** True only for FieldSelector.nothing(). */
  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The value the first `field=value` term demands, or undefined; lets a server use an index. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /**
   * Each term rewritten by fn (fields.Selector.Transform), e.g. to map a legacy field name
   * onto the current one. A term fn maps to an empty field and value is dropped. Errors
   * thrown by fn propagate.
   */
  transform(fn: (field: string, value: string) => readonly [field: string, value: string]): FieldSelector {
    if (this.nothing) return this;
    const next: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const [field, value] = fn(r.field, r.value);
      if (field !== '' || value !== '') next.push({ field, operator: r.operator, value });
    }
    return FieldSelector.of(next);
  }

  /** The selector as text: `field=value` / `field!=value` terms (values escaped) joined by ','. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses `a=b`, `a==b`, `a!=b`, joined by ','; '' selects everything. Terms are sorted, as
 * upstream sorts them. Throws SelectorParseError for a term with no operator or no field
 * name, or a value with a bad escape or an unescaped '=' (upstream accepts an empty field
 * name; this does not).
 */
export function parseFieldSelector(s: string): FieldSelector {
  try {
    const terms = splitTerms(s).sort();
    const requirements: FieldRequirement[] = [];
    for (const term of terms) {
      if (term === '') continue;
      const split = splitTerm(term);
      if (split === undefined) throw new Failure(`invalid selector: '${s}'; can't understand '${term}'`);
      if (split.field === '') throw new Failure(`invalid selector: '${s}'; missing field name in '${term}'`);
      requirements.push({
        field: split.field,
        operator: split.op === '!=' ? '!=' : '=',
        value: unescape(split.rhs, term),
      });
    }
    return FieldSelector.of(requirements);
  } catch (err: unknown) {
    if (err instanceof Failure) throw new SelectorParseError(s, err.message);
    throw err;
  }
}

/** True when parseFieldSelector would accept s. */
export function isValidFieldSelector(s: string): boolean {
  try {
    parseFieldSelector(s);
    return true;
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return false;
    throw err;
  }
}

/** A selector requiring `field=value` for each entry (fields.SelectorFromSet), sorted by field. */
export function fieldSelectorFromSet(set: Fields | undefined | null): FieldSelector {
  if (set == null) return FieldSelector.everything();
  return FieldSelector.of(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, operator: '=' as const, value: set[field] ?? '' })),
  );
}
