// Field paths and sets of them in structured-merge-diff's model, with the FieldsV1 wire encoding of managedFields.
//
// A path is a list of elements: a field name (`f:spec`), a key of an associative list
// (`k:{"name":"web"}`), a value of a set (`v:"finalizer.example.com"`) or an index (`i:0`). A set of
// paths is a trie; a node is a *member* when the path ending there is itself in the set. FieldsV1
// writes a member with no children as `{}` and marks a member that also has children with `".": {}`.
import { isObject, type Json, type JsonObject } from './json';

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: readonly (readonly [string, Json])[] }
  | { readonly kind: 'value'; readonly value: Json }
  | { readonly kind: 'index'; readonly index: number };

export type Path = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { kind: 'field', name };
}

/** A key element; its fields are kept sorted by name, as upstream does. */
export function keyElement(fields: readonly (readonly [string, Json])[]): PathElement {
  return { kind: 'key', fields: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

export function valueElement(value: Json): PathElement {
  return { kind: 'value', value };
}

/** Byte-wise string order (Go's strings.Compare), not locale order. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 code units below the surrogates order as their UTF-8 bytes do, so only a difference
  // at a surrogate or above needs the UTF-8 encoding.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function typeRank(v: Json): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null) return 4;
  return 5;
}

/** structured-merge-diff's total order of values: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: Json, b: Json): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i] ?? null, b[i] ?? null);
      if (c !== 0) return c;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort(compareStrings);
    const kb = Object.keys(b).sort(compareStrings);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const x = ka[i] ?? '';
      const y = kb[i] ?? '';
      const c = compareStrings(x, y) || compareValues(a[x] ?? null, b[y] ?? null);
      if (c !== 0) return c;
    }
    return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
  }
  return 0;
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Upstream's order of path elements: field names, then keys, then values, then indices. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return kindRank[a.kind] < kindRank[b.kind] ? -1 : 1;
  if (a.kind === 'field' && b.kind === 'field') return compareStrings(a.name, b.name);
  if (a.kind === 'value' && b.kind === 'value') return compareValues(a.value, b.value);
  if (a.kind === 'index' && b.kind === 'index') return a.index === b.index ? 0 : a.index < b.index ? -1 : 1;
  if (a.kind === 'key' && b.kind === 'key') {
    for (let i = 0; i < Math.min(a.fields.length, b.fields.length); i++) {
      const [na, va] = a.fields[i] ?? ['', null];
      const [nb, vb] = b.fields[i] ?? ['', null];
      const c = compareStrings(na, nb) || compareValues(va, vb);
      if (c !== 0) return c;
    }
    return a.fields.length === b.fields.length ? 0 : a.fields.length < b.fields.length ? -1 : 1;
  }
  return 0;
}

/** JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(v: Json): string {
  const json = JSON.stringify(v);
  if (!goEscaped.test(json)) return json;
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const goEscaped = /[<>&\u2028\u2029]/;

/** Serialized keys of key and value elements, which cost a JSON encoding each (elements are immutable). */
const serialized = new WeakMap<PathElement, string>();

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export function serializeElement(pe: PathElement): string {
  if (pe.kind === 'field') return `f:${pe.name}`;
  if (pe.kind === 'index') return `i:${pe.index}`;
  let s = serialized.get(pe);
  if (s === undefined) {
    s = encodeElement(pe);
    serialized.set(pe, s);
  }
  return s;
}

function encodeElement(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.fields.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJson(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

/** Parses a FieldsV1 key; undefined for a prefix upstream does not know (it skips those too). */
export function deserializeElement(s: string): PathElement | undefined {
  if (s.length < 2 || s[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(s)}: missing colon`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldElement(rest);
    case 'v':
      return valueElement(JSON.parse(rest) as Json);
    case 'k': {
      const obj: unknown = JSON.parse(rest);
      if (!isObject(obj)) throw new Error(`invalid path element ${JSON.stringify(s)}: key must be a JSON object`);
      return keyElement(Object.entries(obj));
    }
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid path element ${JSON.stringify(s)}: bad index`);
      return { kind: 'index', index: Number(rest) };
    }
    default:
      return undefined;
  }
}

/** Go's %v of a value inside a path string: strings quoted, numbers and bools bare. */
function showValue(v: Json): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(showValue).join(',')}]`;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${showValue(x)}`).join('');
  return String(v);
}

/** `.spec.template.spec.containers[name="web"].image`, as upstream prints a path. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      switch (pe.kind) {
        case 'field':
          return `.${pe.name}`;
        case 'key':
          return `[${pe.fields.map(([n, v]) => `${n}=${showValue(v)}`).join(',')}]`;
        case 'value':
          return `[=${showValue(pe.value)}]`;
        case 'index':
          return `[${pe.index}]`;
      }
    })
    .join('');
}

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

/** A set of paths (a trie). Operations return new sets; `insert` is the only mutator. */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly kids = new Map<string, Child>();

  static fromPaths(paths: readonly Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path; the empty path (the whole object) is not tracked, as upstream. */
  insert(path: Path): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walks down the trie
    let set: FieldSet = this;
    const last = path.length - 1;
    for (let i = 0; i <= last; i++) {
      const pe = path[i];
      if (pe === undefined) return;
      const key = serializeElement(pe);
      if (i === last) {
        set.members.set(key, pe);
        return;
      }
      let child = set.kids.get(key);
      if (child === undefined) {
        child = { pe, set: new FieldSet() };
        set.kids.set(key, child);
      }
      set = child.set;
    }
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.kids.size === 0;
  }

  /** Whether the one-element path `pe` is a member. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(serializeElement(pe));
  }

  /** Whether `path` is a member. */
  has(path: Path): boolean {
    const [first, ...rest] = path;
    if (first === undefined) return false;
    if (rest.length === 0) return this.hasMember(first);
    return this.child(first)?.has(rest) ?? false;
  }

  /** The paths below `pe` (without the `pe` step), if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.kids.get(serializeElement(pe))?.set;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of other.kids) {
      const mine = out.kids.get(k);
      out.kids.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.copy() });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.kids) {
      const theirs = other.kids.get(k);
      if (!theirs) continue;
      const i = c.set.intersection(theirs.set);
      if (!i.isEmpty()) out.kids.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  /** Paths in this set and not in `other` (path-wise, not subtree-wise). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.kids) {
      const theirs = other.kids.get(k);
      const d = theirs ? c.set.difference(theirs.set) : c.set.copy();
      if (!d.isEmpty()) out.kids.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Also counts every field-name node as a member (upstream EnsureNamedFieldsAreMembers). */
  withNamedFieldsAsMembers(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.kids) {
      if (c.pe.kind === 'field') out.members.set(k, c.pe);
      out.kids.set(k, { pe: c.pe, set: c.set.withNamedFieldsAsMembers() });
    }
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.kids) out.kids.set(k, { pe: c.pe, set: c.set.copy() });
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every member path, in upstream's iteration order (a node's members, then its children). */
  paths(): Path[] {
    const out: Path[] = [];
    for (const pe of sortedElements([...this.members.values()])) out.push([pe]);
    for (const c of sortedChildren([...this.kids.values()])) for (const p of c.set.paths()) out.push([c.pe, ...p]);
    return out;
  }

  /** The FieldsV1 encoding, keys in upstream's order. */
  toFieldsV1(): JsonObject {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf && !this.isEmpty()) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.kids) keys.set(k, c.pe);
    for (const pe of sortedElements([...keys.values()])) {
      const k = serializeElement(pe);
      const child = this.kids.get(k);
      out[k] = child ? child.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  /** Decodes FieldsV1; throws on malformed keys. */
  static fromFieldsV1(fields: Json | undefined): FieldSet {
    const out = new FieldSet();
    if (fields === undefined || fields === null) return out;
    if (!isObject(fields)) throw new Error('fieldsV1 must be a JSON object');
    read(fields, out);
    return out;
  }
}

/** Reads the entries of one FieldsV1 object into `into`; returns whether it marked itself a member. */
function read(obj: JsonObject, into: FieldSet, prefix: Path = []): boolean {
  let self = false;
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === '.') {
      self = true;
      continue;
    }
    const pe = deserializeElement(k);
    if (pe === undefined) continue;
    any = true;
    const path = [...prefix, pe];
    if (!isObject(v)) throw new Error(`fieldsV1 entry ${JSON.stringify(k)} must be a JSON object`);
    const member = read(v, into, path);
    if (member) into.insert(path);
  }
  return self || !any;
}

function sortedElements(pes: PathElement[]): PathElement[] {
  return pes.sort(compareElements);
}

function sortedChildren(cs: Child[]): Child[] {
  return cs.sort((a, b) => compareElements(a.pe, b.pe));
}
