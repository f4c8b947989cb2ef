// Kubernetes strategic merge patch (application/strategic-merge-patch+json) over the schema table.
//
// Semantics of k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls, as the API server runs it):
//   - objects merge recursively; `null` deletes a key;
//   - lists tagged `patchStrategy:"merge"` merge: objects by their patchMergeKey, scalars as a set;
//     the patch's elements come first in patch order, live-only elements are interleaved by their
//     live position; every other list is replaced;
//   - directives: `$patch: replace|delete|merge` in an object or a list element,
//     `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`.
// Where upstream returns a plain Go error (a 500) for a malformed patch we answer 400; where it
// copies directives into the result for the typed decoder to drop, we drop them here. Two
// deliberate differences: upstream rejects `$patch: merge`, we accept it as the default it names;
// upstream silently drops a `$patch: replace` object set on a key the live object lacks, we keep
// its content.
import { BadRequestError } from '@keelson/api';
import { PatchApplyError } from './errors';
import { clone, deepEqual, isObject, show, type Json, type JsonObject } from './json';
import { fieldMeta, rootType, type FieldMeta } from './schema';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const badPrimitiveList = 'invalid patch format of primitive list';
const badRetainKeys = 'invalid patch format of retainKeys';
const badSetElementOrder = 'invalid patch format of setElementOrder list';

function bad(message: string): BadRequestError {
  return new BadRequestError(message);
}

function noMergeKey(m: Json, key: string): BadRequestError {
  return bad(`map: ${show(m)} does not contain declared merge key: ${key}`);
}

function typeOf(v: Json): 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v as 'string' | 'number' | 'boolean';
}

/** Go's `==` on decoded JSON scalars, used to match merge keys and set elements. */
function same(a: Json | undefined, b: Json | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a !== null && typeof a === 'object' ? deepEqual(a, b) : a === b;
}

function isDirectiveKey(k: string): boolean {
  return k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);
}

/**
 * A patch value as it lands where nothing is merged into: nulls in objects dropped, directive
 * keys dropped, objects carrying `$patch: delete` dropped (undefined), `$patch: replace|merge`
 * markers removed.
 */
function materialize(v: Json): Json | undefined {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const m = materialize(item);
      if (m !== undefined) out.push(m);
    }
    return out;
  }
  if (!isObject(v)) return v;
  if (Object.hasOwn(v, DIRECTIVE)) {
    const d = v[DIRECTIVE];
    if (d === 'delete') return undefined;
    if (d !== 'replace' && d !== 'merge') throw bad(`unknown patch type: ${show(d ?? null)} in map: ${show(v)}`);
    // A lone `{$patch: replace}` list marker carries nothing.
    if (Object.keys(v).length === 1) return undefined;
  }
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === DIRECTIVE || isDirectiveKey(k) || x === null) continue;
    const m = materialize(x);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

/** `$setElementOrder/containers` → `containers`. */
function extractKey(key: string, prefix: string): string {
  const i = key.indexOf('/');
  if (i < 0 || key.slice(0, i) !== prefix) throw bad(prefix === SET_ELEMENT_ORDER ? badSetElementOrder : badPrimitiveList);
  return key.slice(i + 1);
}

function mergeStrategy(meta: FieldMeta | undefined): 'merge' | 'replace' {
  return meta?.patchStrategy?.startsWith('merge') === true ? 'merge' : 'replace';
}

/** Applies `patch` to `original` for an object of `kind`; returns a new object, inputs untouched. */
export function strategicMergePatch(original: JsonObject, patch: JsonObject, kind: string): JsonObject {
  return mergeMap(clone(original), clone(patch), rootType(kind));
}

/** Merges `patch` into `original`; both are private copies and may be changed. */
function mergeMap(original: JsonObject, patch: JsonObject, type: string | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      const out = materialize(patch);
      return isObject(out) ? out : {};
    }
    if (d === 'delete') return {};
    if (d !== 'merge') throw bad(`unknown patch type: ${show(d ?? null)} in map: ${show(patch)}`);
    delete patch[DIRECTIVE];
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, type);

  for (const [k, pv] of Object.entries(patch)) {
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (pv === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key)) {
      if (!isDeleteList) setMaterialized(original, key, pv);
      continue;
    }
    const ov = original[key] ?? null;
    if (typeOf(ov) !== typeOf(pv)) {
      if (!isDeleteList) setMaterialized(original, key, pv);
      continue;
    }
    const meta = fieldMeta(type, key);
    if (isObject(ov) && isObject(pv)) {
      if (meta?.patchStrategy === 'replace') setMaterialized(original, key, pv);
      else original[key] = mergeMap(ov, pv, meta?.type);
    } else if (Array.isArray(ov) && Array.isArray(pv)) {
      original[key] = mergeList(ov, pv, meta, isDeleteList);
    } else if (!isDeleteList) {
      original[key] = pv;
    }
  }
  return original;
}

function setMaterialized(obj: JsonObject, key: string, v: Json): void {
  const m = materialize(v);
  if (m === undefined) delete obj[key];
  else obj[key] = m;
}

/** `$retainKeys: [...]`: keys of the original not listed are cleared; the patch may only set listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw bad(badRetainKeys);
  const listed = (k: string): boolean => keep.some((x) => x === k);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!listed(k)) throw bad(`${badRetainKeys}: ${JSON.stringify(k)} is not in $retainKeys ${show(keep)}`);
  }
  for (const k of Object.keys(original)) if (!listed(k)) delete original[k];
}

/** The element kind of one or more lists, checking they agree (no lists of lists). */
function elementKind(...lists: readonly (readonly Json[])[]): 'object' | 'scalar' | undefined {
  let kind: string | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = typeOf(v);
      if (t === 'array') throw new PatchApplyError('lists of lists are not supported');
      if (kind === undefined) kind = t;
      else if (kind !== t) throw bad(`list element types are not identical: ${show(lists as Json)}`);
    }
  }
  if (kind === undefined) return undefined;
  return kind === 'object' ? 'object' : 'scalar';
}

/**
 * Merges a patch list into a live list. With `alias`, also reports how upstream's caller sees the
 * live list afterwards: Go deletes and appends in place in the slice it was handed, and
 * `$setElementOrder` then orders server-only elements by that changed view, which decides where
 * they land when an element is deleted and another added in one patch.
 */
function mergeList(original: Json[], patch: Json[], meta: FieldMeta | undefined, isDeleteList: boolean, alias?: { view: Json[] }): Json[] {
  if (mergeStrategy(meta) !== 'merge' && !isDeleteList) {
    const m = materialize(patch);
    return Array.isArray(m) ? m : [];
  }
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== 'object') {
    if (isDeleteList) return original.filter((v) => !patch.some((p) => same(p, v)));
    const merged = dedupe([...original, ...patch]);
    const inPatch = merged.filter((v) => patch.some((p) => same(p, v)));
    const serverOnly = merged.filter((v) => !patch.some((p) => same(p, v)));
    return normalizeOrder(inPatch, serverOnly, patch, original, undefined);
  }
  if (isDeleteList) throw bad(badPrimitiveList);
  const mergeKey = meta?.patchMergeKey;
  if (mergeKey === undefined) throw bad(`cannot merge lists without merge key for ${show(patch)}`);
  const special = applySpecialElements(original, patch, mergeKey);
  const appended: Json[] = [];
  const merged = mergeByKey(special.base, special.items, mergeKey, meta?.type, appended);
  if (alias) alias.view = special.replaced ? original : aliasedView(original, special.deleted, appended, mergeKey);
  const [inPatch, serverOnly] = partitionByKey(merged, special.items, mergeKey);
  return normalizeOrder(inPatch, serverOnly, special.items, special.base, mergeKey);
}

/** The caller's view of `original` after Go's in-place deletes (shift left) and appends. */
function aliasedView(original: readonly Json[], deleted: readonly Json[], appended: readonly Json[], mergeKey: string): Json[] {
  const a = [...original];
  let n = a.length;
  for (const key of deleted) {
    for (;;) {
      const k = a.slice(0, n).findIndex((o) => isObject(o) && Object.hasOwn(o, mergeKey) && same(o[mergeKey], key));
      if (k < 0) break;
      a.copyWithin(k, k + 1, n);
      n--;
    }
  }
  for (const item of appended) {
    if (n < a.length) a[n] = item;
    n++;
  }
  return a;
}

function dedupe(list: readonly Json[]): Json[] {
  const out: Json[] = [];
  for (const v of list) if (!out.some((x) => same(x, v))) out.push(v);
  return out;
}

interface Special {
  /** The live list after deletions (or the replacement list). */
  base: Json[];
  /** Plain patch elements to merge by key. */
  items: JsonObject[];
  /** Merge-key values deleted, in patch order. */
  deleted: Json[];
  replaced: boolean;
}

/** Handles `$patch` elements: delete by key, replace the whole list, merge (plain element). */
function applySpecialElements(original: Json[], patch: readonly Json[], mergeKey: string): Special {
  let base = original;
  const items: JsonObject[] = [];
  const deleted: Json[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isObject(v)) throw bad(`expected a map, but received ${show(v)}`);
    if (!Object.hasOwn(v, DIRECTIVE)) {
      items.push(v);
      continue;
    }
    const d = v[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      const key = v[mergeKey] ?? null;
      deleted.push(key);
      base = base.filter((o) => {
        if (!isObject(o)) throw bad(`value ${show(o)} is not a map`);
        return !(Object.hasOwn(o, mergeKey) && same(o[mergeKey], key));
      });
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      const { [DIRECTIVE]: _marker, ...rest } = v;
      items.push(rest);
    } else {
      throw bad(`unknown patch type: ${show(d ?? null)} in map: ${show(v)}`);
    }
  }
  if (replace) {
    const m = materialize(items);
    return { base: Array.isArray(m) ? m : [], items: [], deleted: [], replaced: true };
  }
  return { base, items, deleted, replaced: false };
}

function findByKey(list: readonly Json[], mergeKey: string, key: Json | undefined): number {
  return list.findIndex((o) => {
    if (!isObject(o)) throw bad(`value ${show(o)} is not a map`);
    return Object.hasOwn(o, mergeKey) && same(o[mergeKey], key);
  });
}

function mergeByKey(base: Json[], items: readonly JsonObject[], mergeKey: string, itemType: string | undefined, appended: Json[]): Json[] {
  const out = [...base];
  for (const v of items) {
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const i = findByKey(out, mergeKey, v[mergeKey]);
    const found = i >= 0 ? out[i] : undefined;
    if (isObject(found)) {
      out[i] = mergeMap(found, v, itemType);
    } else {
      const m = materialize(v);
      if (m !== undefined) {
        out.push(m);
        appended.push(m);
      }
    }
  }
  return out;
}

/** Splits `merged` into elements whose key appears in `by` and the others, keeping order. */
function partitionByKey(merged: readonly Json[], by: readonly Json[], mergeKey: string): [Json[], Json[]] {
  const inBy: Json[] = [];
  const rest: Json[] = [];
  for (const v of merged) {
    if (!isObject(v) || !Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const key = v[mergeKey];
    const found = by.some((b) => isObject(b) && Object.hasOwn(b, mergeKey) && same(b[mergeKey], key));
    (found ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/** Position of `item` in `order`, by merge key for objects, by value for scalars; -1 if absent. */
function indexIn(order: readonly Json[], item: Json, mergeKey: string | undefined): number {
  const val = (x: Json): Json | undefined => (mergeKey === undefined ? x : isObject(x) ? x[mergeKey] : undefined);
  const want = val(item);
  return order.findIndex((o) => same(val(o), want));
}

function sortByOrder(list: readonly Json[], order: readonly Json[], mergeKey: string | undefined): Json[] {
  if (mergeKey !== undefined) {
    for (const v of [...list, ...order]) if (!isObject(v) || !Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
  }
  return list
    .map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey) }))
    .sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.at >= 0 ? -1 : b.at >= 0 ? 1 : a.i - b.i))
    .map((x) => x.v);
}

/**
 * Patch elements in patch (or $setElementOrder) order, live-only elements in live order, the two
 * interleaved: a live-only element goes before the next patch element when it was before it live.
 */
function normalizeOrder(inPatch: readonly Json[], serverOnly: readonly Json[], patchOrder: readonly Json[], serverOrder: readonly Json[], mergeKey: string | undefined): Json[] {
  const right = sortByOrder(inPatch, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined) {
      if (r !== undefined) out.push(r);
      j++;
    } else if (r === undefined) {
      out.push(l);
      i++;
    } else {
      const li = indexIn(serverOrder, l, mergeKey);
      const ri = indexIn(serverOrder, r, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push(l);
        i++;
      } else {
        out.push(r);
        j++;
      }
    }
  }
  return out;
}

/** Checks a patch list against its `$setElementOrder` list: same relative order, patch ⊆ order. */
function validateAgainstOrder(patchList: readonly Json[], order: readonly Json[], mergeKey: string | undefined): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items =
    mergeKey === undefined
      ? patchList
      : patchList.filter((v) => {
          if (!isObject(v)) throw bad(`expected a map, but received ${show(v)}`);
          return v[DIRECTIVE] !== 'delete';
        });
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p] ?? null;
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    const o = order[s] ?? null;
    let equal: boolean;
    if (mergeKey === undefined) equal = same(item, o);
    else {
      if (!isObject(item) || !Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      if (!isObject(o) || !Object.hasOwn(o, mergeKey)) throw noMergeKey(o, mergeKey);
      equal = same(item[mergeKey], o[mergeKey]);
    }
    if (equal) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw bad(`The order in patch list:\n${show(patchList as Json)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${show(order as Json)}`);
  }
}

/** Processes every `$setElementOrder/<list>` of `patch`, merging and ordering that list. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, type: string | undefined): void {
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw bad(`${badSetElementOrder}: ${k} must be a list`);
    const field = extractKey(k, SET_ELEMENT_ORDER);
    const ov = original[field];
    const pv = patch[field];
    if (ov !== undefined && ov !== null && !Array.isArray(ov)) throw bad(`expected a list at ${field}, but the object has ${show(ov)}`);
    if (pv !== undefined && pv !== null && !Array.isArray(pv)) throw bad(`expected a list at ${field}, but the patch has ${show(pv)}`);
    const origList = Array.isArray(ov) ? ov : undefined;
    const patchList = Array.isArray(pv) ? pv : undefined;
    const meta = fieldMeta(type, field);
    const mergeKey = meta?.patchMergeKey;
    validateAgainstOrder(patchList ?? [], order, mergeKey);
    let merged: Json[];
    const alias = { view: origList ?? [] };
    if (origList && patchList) merged = mergeList(origList, patchList, meta, false, alias);
    else if (origList) merged = origList;
    else if (patchList) {
      const m = materialize(patchList);
      merged = Array.isArray(m) ? m : [];
    } else continue;
    if (mergeKey !== undefined && elementKind(merged) === 'object') {
      const [inOrder, serverOnly] = partitionByKey(merged, order, mergeKey);
      original[field] = normalizeOrder(inOrder, serverOnly, order, alias.view, mergeKey);
    } else {
      const inOrder = merged.filter((v) => order.some((o) => same(o, v)));
      const serverOnly = merged.filter((v) => !order.some((o) => same(o, v)));
      original[field] = normalizeOrder(inOrder, serverOnly, order, origList ?? [], undefined);
    }
    delete patch[field];
  }
}
