// Schema-aware walks over objects for server-side apply: field sets, merging, comparing and pruning.
//
// These follow structured-merge-diff (typed/tofieldset, merge, compare, remove) over the type graph
// in schema.ts: objects are granular unless atomic, lists are atomic unless `listType` is `map`
// (elements identified by their key fields) or `set` (scalars identified by value). Without a full
// OpenAPI schema every object key is treated as a struct field, which is what built-in kinds need.
import { fieldElement, keyElement, valueElement, FieldSet, pathString, serializeElement, type Path, type PathElement } from './fieldpath';
import { deepEqual, isObject, show, type Json, type JsonObject } from './json';
import { fieldMeta, isAtomicType, type FieldMeta } from './schema';

/** What the schema says about one value: its field metadata (if any) and its named type. */
export interface Node {
  readonly meta?: FieldMeta | undefined;
  readonly type?: string | undefined;
}

/** The node of an object's field. */
function fieldNode(parent: Node, name: string): Node {
  const meta = fieldMeta(parent.type, name);
  return { meta, type: meta?.type };
}

/** The node of an element of a keyed or set list. */
function itemNode(list: Node): Node {
  return { type: list.meta?.type };
}

function atomicObject(node: Node): boolean {
  return node.meta?.atomic === true || isAtomicType(node.type);
}

function listKind(node: Node): 'map' | 'set' | 'atomic' {
  return node.meta?.listType ?? 'atomic';
}

/** A list element or field value that cannot be placed in the set model. */
export class SchemaError extends Error {}

/** The path element of a list item, or a SchemaError explaining why it has none. */
function itemElement(item: Json, list: Node, at: Path): PathElement {
  if (listKind(list) === 'set') {
    if (item === null || typeof item === 'object') {
      throw new SchemaError(`${pathString(at)}: a set may only hold scalar values, got ${show(item)}`);
    }
    return valueElement(item);
  }
  if (!isObject(item)) throw new SchemaError(`${pathString(at)}: associative list with keys may only hold objects, got ${show(item)}`);
  const keys = list.meta?.listMapKeys ?? [];
  const fields: [string, Json][] = [];
  for (const k of keys) {
    const v = item[k];
    if (v !== undefined && v !== null) fields.push([k, v]);
    else {
      const d = list.meta?.keyDefaults?.[k];
      if (d !== undefined) fields.push([k, d]);
    }
  }
  if (fields.length === 0) {
    throw new SchemaError(`${pathString(at)}: associative list with keys has an element that omits all key fields ${JSON.stringify(keys)}: ${show(item)}`);
  }
  return keyElement(fields);
}

interface KeyedItem {
  readonly pe: PathElement;
  readonly key: string;
  readonly value: Json;
}

/** Keys every element of a keyed or set list; throws SchemaError for an element without a key. */
function keyItems(list: readonly Json[], node: Node, at: Path): KeyedItem[] {
  return list.map((value) => {
    const pe = itemElement(value, node, at);
    return { pe, key: serializeElement(pe), value };
  });
}

/** Like keyItems, but undefined (treat the list as atomic) when some element cannot be keyed. */
function tryKeyItems(list: readonly Json[], node: Node, at: Path): KeyedItem[] | undefined {
  try {
    return keyItems(list, node, at);
  } catch (e: unknown) {
    if (e instanceof SchemaError) return undefined;
    throw e;
  }
}

function granularList(node: Node): boolean {
  return listKind(node) !== 'atomic';
}

/**
 * The fields an applied configuration sets (typed.ToFieldSet): every scalar, atomic value, null,
 * empty object and list element is a member. Throws SchemaError for a list element with no key or a
 * key used twice.
 */
export function toFieldSet(obj: JsonObject, root: Node): FieldSet {
  const set = new FieldSet();
  walkObject(obj, root, [], set);
  return set;
}

function walkObject(obj: JsonObject, node: Node, at: Path, set: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) {
    const child = fieldNode(node, k);
    const path = [...at, fieldElement(k)];
    walkValue(v, child, path, set);
  }
}

function walkValue(v: Json, node: Node, path: Path, set: FieldSet): void {
  if (v === null) {
    set.insert(path);
  } else if (Array.isArray(v)) {
    if (!granularList(node)) {
      set.insert(path);
      return;
    }
    const items = keyItems(v, node, path);
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.key)) throw new SchemaError(`${pathString(path)}: duplicate entries for key ${pathString([it.pe])}`);
      seen.add(it.key);
    }
    const inode = itemNode(node);
    for (const it of items) {
      const ipath = [...path, it.pe];
      set.insert(ipath);
      if (isObject(it.value) && !atomicObject(inode)) walkObject(it.value, inode, ipath, set);
    }
  } else if (isObject(v)) {
    if (atomicObject(node) || Object.keys(v).length === 0) set.insert(path);
    else walkObject(v, node, path, set);
  } else {
    set.insert(path);
  }
}

/** Three sets describing how `b` differs from `a` (typed.Compare). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares two objects field by field; `null` counts as absent. */
export function compare(a: JsonObject, b: JsonObject, root: Node): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareObjects(a, b, root, [], c);
  return c;
}

function present(v: Json | undefined): Json | undefined {
  return v === null ? undefined : v;
}

function isEmptyContainer(v: Json | undefined): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function compareObjects(a: JsonObject | undefined, b: JsonObject | undefined, node: Node, at: Path, c: Comparison): void {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const k of keys) compareValues(a?.[k], b?.[k], fieldNode(node, k), [...at, fieldElement(k)], c);
}

function compareValues(x: Json | undefined, y: Json | undefined, node: Node, at: Path, c: Comparison): void {
  const l = present(x);
  const r = present(y);
  if (l === undefined && r === undefined) return;
  const bothEmpty = isEmptyContainer(l) && isEmptyContainer(r);
  const objects = (l === undefined || isObject(l)) && (r === undefined || isObject(r));
  const lists = (l === undefined || Array.isArray(l)) && (r === undefined || Array.isArray(r));
  if (!bothEmpty && objects && !atomicObject(node)) {
    compareObjects(l, r, node, at, c);
    if (l === undefined) c.added.insert(at);
    else if (r === undefined) c.removed.insert(at);
    return;
  }
  if (!bothEmpty && lists && granularList(node)) {
    const li = tryKeyItems(l ?? [], node, at);
    const ri = tryKeyItems(r ?? [], node, at);
    if (li && ri) {
      compareItems(li, ri, node, at, c);
      if (l === undefined) c.added.insert(at);
      else if (r === undefined) c.removed.insert(at);
      return;
    }
  }
  if (l === undefined) c.added.insert(at);
  else if (r === undefined) c.removed.insert(at);
  else if (!deepEqual(l, r)) c.modified.insert(at);
}

function group(items: readonly KeyedItem[]): Map<string, KeyedItem[]> {
  const m = new Map<string, KeyedItem[]>();
  for (const it of items) m.set(it.key, [...(m.get(it.key) ?? []), it]);
  return m;
}

function compareItems(li: readonly KeyedItem[], ri: readonly KeyedItem[], node: Node, at: Path, c: Comparison): void {
  const lg = group(li);
  const rg = group(ri);
  const inode = itemNode(node);
  const order = [...lg.keys(), ...[...rg.keys()].filter((k) => !lg.has(k))];
  for (const key of order) {
    const ls = lg.get(key) ?? [];
    const rs = rg.get(key) ?? [];
    const pe = (ls[0] ?? rs[0])?.pe;
    if (pe === undefined) continue;
    const ipath = [...at, pe];
    if (ls.length <= 1 && rs.length <= 1) {
      compareItem(ls[0]?.value, rs[0]?.value, inode, node, ipath, c);
    } else if (ls.length >= 2 && rs.length >= 2) {
      if (!deepEqual(ls.map((i) => i.value), rs.map((i) => i.value))) c.modified.insert(ipath);
    } else if (ls.length >= 2) {
      if (rs[0]) compareItem(undefined, rs[0].value, inode, node, ipath, c);
      c.removed.insert(ipath);
    } else {
      if (ls[0]) compareItem(ls[0].value, undefined, inode, node, ipath, c);
      c.added.insert(ipath);
    }
  }
}

function compareItem(l: Json | undefined, r: Json | undefined, inode: Node, list: Node, at: Path, c: Comparison): void {
  if (listKind(list) === 'set') {
    if (l === undefined) c.added.insert(at);
    else if (r === undefined) c.removed.insert(at);
    return;
  }
  compareValues(l, r, inode, at, c);
}

/**
 * Merges an applied configuration into the live object (typed.Merge): the configuration wins for
 * every field it sets, objects merge, keyed and set lists merge element by element (configuration
 * order first, live-only elements kept in place), atomic values are replaced. A `null` in the
 * configuration removes the field.
 */
export function mergeApplied(live: JsonObject, config: JsonObject, root: Node): JsonObject {
  return mergeObjects(live, config, root, []);
}

function mergeObjects(l: JsonObject, r: JsonObject, node: Node, at: Path): JsonObject {
  const out: JsonObject = {};
  for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
    const v = mergeValue(l[k], r[k], fieldNode(node, k), [...at, fieldElement(k)]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A configuration value as it lands in the object: nulls inside objects mean "absent". */
function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

function mergeValue(l: Json | undefined, r: Json | undefined, node: Node, at: Path): Json | undefined {
  if (r === undefined) return l;
  if (r === null) return undefined;
  if (l === undefined || l === null) return withoutNulls(r);
  if (isObject(l) && isObject(r) && !atomicObject(node) && !(isEmptyContainer(l) && isEmptyContainer(r))) {
    return mergeObjects(l, r, node, at);
  }
  if (Array.isArray(l) && Array.isArray(r) && granularList(node) && !(l.length === 0 && r.length === 0)) {
    const li = tryKeyItems(l, node, at);
    const ri = keyItems(r, node, at);
    if (li) return mergeItems(li, ri, node, at);
  }
  return withoutNulls(r);
}

/** structured-merge-diff's list merge order: config elements in config order, live-only ones where they were. */
function mergeItems(li: readonly KeyedItem[], ri: readonly KeyedItem[], node: Node, at: Path): Json[] {
  const inode = itemNode(node);
  const mergeItem = (l: Json | undefined, r: Json | undefined, pe: PathElement): Json | undefined =>
    listKind(node) === 'set' ? (r ?? l) : mergeValue(l, r, inode, [...at, pe]);
  const rByKey = new Map<string, Json>();
  for (const it of ri) {
    if (rByKey.has(it.key)) throw new SchemaError(`${pathString(at)}: duplicate entries for key ${pathString([it.pe])}`);
    rByKey.set(it.key, it.value);
  }
  // A live key used twice merges as if absent (upstream allows duplicates only in live objects).
  const lByKey = new Map<string, Json | undefined>();
  for (const it of li) lByKey.set(it.key, lByKey.has(it.key) ? undefined : it.value);

  const shared = ri.filter((it) => lByKey.has(it.key)).map((it) => it.key);
  let next = shared.shift();
  const merged = new Set<string>();
  const out: Json[] = [];
  const push = (v: Json | undefined): void => {
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < li.length || rI < ri.length) {
    const lItem = li[lI];
    const rItem = ri[rI];
    if (lItem && rItem) {
      if (lItem.key === rItem.key) {
        merged.add(lItem.key);
        push(mergeItem(lByKey.get(lItem.key), rItem.value, lItem.pe));
        lI++;
        rI++;
        next = shared.shift();
        continue;
      }
      if (rByKey.has(lItem.key) && next !== undefined && next !== lItem.key) {
        lI++;
        continue;
      }
    }
    if (lItem) {
      if (!rByKey.has(lItem.key)) {
        push(mergeItem(lItem.value, undefined, lItem.pe));
        lI++;
        continue;
      } else if (merged.has(lItem.key)) {
        lI++;
      }
    }
    if (rItem) {
      merged.add(rItem.key);
      push(mergeItem(lByKey.get(rItem.key), rItem.value, rItem.pe));
      rI++;
      if (next === rItem.key) next = shared.shift();
    }
  }
  return out;
}

/**
 * Removes from `obj` what a manager applied before (`last`) and nobody owns any more (`owned`):
 * the prune step of upstream Apply. Both sets must already count named fields as members. A value
 * removed takes its whole subtree with it; an object or list emptied by removals goes too.
 */
export function prune(obj: JsonObject, last: FieldSet, owned: FieldSet, root: Node): JsonObject {
  return pruneObject(obj, last, owned, root, []);
}

function pruneObject(obj: JsonObject, last: FieldSet, owned: FieldSet | undefined, node: Node, at: Path): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const pe = fieldElement(k);
    if (last.hasMember(pe) && !(owned?.hasMember(pe) ?? false)) continue;
    const sub = last.child(pe);
    if (sub === undefined) {
      out[k] = v;
      continue;
    }
    const pruned = pruneValue(v, sub, owned?.child(pe), fieldNode(node, k), [...at, pe]);
    if (!(isEmptyContainer(pruned) && !isEmptyContainer(v))) out[k] = pruned;
  }
  return out;
}

function pruneValue(v: Json, last: FieldSet, owned: FieldSet | undefined, node: Node, at: Path): Json {
  if (isObject(v) && !atomicObject(node)) return pruneObject(v, last, owned, node, at);
  if (Array.isArray(v) && granularList(node)) {
    const items = tryKeyItems(v, node, at);
    if (items === undefined) return v;
    const inode = itemNode(node);
    const out: Json[] = [];
    for (const it of items) {
      if (last.hasMember(it.pe) && !(owned?.hasMember(it.pe) ?? false)) continue;
      const sub = last.child(it.pe);
      out.push(sub === undefined ? it.value : pruneValue(it.value, sub, owned?.child(it.pe), inode, [...at, it.pe]));
    }
    return out;
  }
  return v;
}
