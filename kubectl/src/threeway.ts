// Client-side apply's patch: kubectl's CreateThreeWayMergePatch (k8s.io/apimachinery strategicpatch) over @keelson/api's merge table.
//
//   original = the last-applied-configuration annotation (what the user applied last time)
//   modified = the manifest now (with its own last-applied annotation)
//   current  = the live object
//
//   delta     = diff(current → modified), ignoring deletions       (changes and additions)
//   deletions = diff(original → modified), ignoring changes         (fields the user removed)
//   patch     = merge(deletions, delta)
//
// So a field someone else set on the live object (a controller, `keelctl scale`) survives unless
// the user had it in the last manifest and removed it. Lists with a patchMergeKey (containers by
// name, ports by containerPort, env by name …) are diffed element by element, producing
// `$patch: delete` elements, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`
// directives; `patchStrategy: retainKeys` fields get `$retainKeys`. Every other list is replaced
// whole. The result is sent as application/strategic-merge-patch+json; `{}` means "unchanged".
import { fieldMeta, rootType, type FieldMeta } from '@keelson/api';
import { deepEqual, isObject, type Json, type JsonObject } from './objects';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** A patch cannot be computed (a list element without its merge key, mixed element types …). */
export class PatchComputeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchComputeError';
  }
}

interface DiffOptions {
  ignoreDeletions: boolean;
  ignoreChangesAndAdditions: boolean;
  buildRetainKeys: boolean;
}

/**
 * The strategic merge patch that takes `current` to what the user now wants: `modified`, minus
 * fields removed since `original` (undefined when the live object carries no annotation).
 */
export function createThreeWayMergePatch(original: JsonObject | undefined, modified: JsonObject, current: JsonObject, kind: string): JsonObject {
  const type = rootType(kind);
  const delta = diffMaps(current, modified, type, { ignoreDeletions: true, ignoreChangesAndAdditions: false, buildRetainKeys: false });
  const deletions = diffMaps(original ?? {}, modified, type, { ignoreDeletions: false, ignoreChangesAndAdditions: true, buildRetainKeys: false });
  return mergeMaps(deletions, delta, type);
}

/** The two-way strategic merge patch from `original` to `modified` (both directions of change). */
export function createTwoWayMergePatch(original: JsonObject, modified: JsonObject, kind: string): JsonObject {
  return diffMaps(original, modified, rootType(kind), { ignoreDeletions: false, ignoreChangesAndAdditions: false, buildRetainKeys: false });
}

// ---- diff

type Kind = 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean';

function kindOf(v: Json): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

function isMergeList(meta: FieldMeta | undefined): boolean {
  return meta?.patchStrategy === 'merge' || meta?.patchStrategy === 'merge,retainKeys';
}

function hasRetainKeys(meta: FieldMeta | undefined): boolean {
  return meta?.patchStrategy === 'retainKeys' || meta?.patchStrategy === 'merge,retainKeys';
}

/** Go's `fmt.Sprintf("%v")` of a scalar, by which strategicpatch sorts and compares. */
function show(v: Json | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function sortScalars(list: readonly Json[]): Json[] {
  return [...list].sort((a, b) => (show(a) < show(b) ? -1 : show(a) > show(b) ? 1 : 0));
}

function diffMaps(original: JsonObject, modified: JsonObject, type: string | undefined, opts: DiffOptions): JsonObject {
  const patch: JsonObject = {};
  const retainKeys: Json[] = [];
  for (const [key, mv] of Object.entries(modified)) {
    if (opts.buildRetainKeys && mv !== null) retainKeys.push(key);
    if (!Object.hasOwn(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = mv;
      continue;
    }
    const ov = original[key] ?? null;
    if (kindOf(ov) !== kindOf(mv)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = mv;
      continue;
    }
    const meta = fieldMeta(type, key);
    if (isObject(ov) && isObject(mv)) {
      if (meta?.patchStrategy === 'replace') {
        if (!opts.ignoreChangesAndAdditions) patch[key] = mv;
        continue;
      }
      const sub = diffMaps(ov, mv, meta?.type, { ...opts, buildRetainKeys: hasRetainKeys(meta) });
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (Array.isArray(ov) && Array.isArray(mv)) {
      if (!isMergeList(meta)) {
        replaceIfNotEqual(patch, key, ov, mv, opts);
        continue;
      }
      const { add, remove, order } = diffLists(ov, mv, meta?.type, meta?.patchMergeKey, { ...opts, buildRetainKeys: hasRetainKeys(meta) });
      if (add.length > 0) patch[key] = add;
      if (remove.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST}/${key}`] = remove;
      if (order.length > 0) patch[`${SET_ELEMENT_ORDER}/${key}`] = order;
    } else {
      replaceIfNotEqual(patch, key, ov, mv, opts);
    }
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.hasOwn(modified, key)) patch[key] = null;
  }
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasFieldMissingFrom(original, modified))) {
    patch[RETAIN_KEYS] = sortScalars(retainKeys);
  }
  return patch;
}

/** strategicpatch's hasAdditionalNewField: `original` has a non-null field `modified` lacks. */
function hasFieldMissingFrom(original: JsonObject, modified: JsonObject): boolean {
  return Object.entries(original).some(([k, v]) => v !== null && !Object.hasOwn(modified, k));
}

function replaceIfNotEqual(patch: JsonObject, key: string, original: Json, modified: Json, opts: DiffOptions): void {
  if (opts.ignoreChangesAndAdditions || deepEqual(original, modified)) return;
  patch[key] = modified;
}

function elementKind(...lists: readonly (readonly Json[])[]): 'object' | 'scalar' | undefined {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (k === 'array') throw new PatchComputeError('lists of lists are not supported');
      if (kind === undefined) kind = k;
      else if (kind !== k) throw new PatchComputeError(`list element types are not identical: ${JSON.stringify(lists)}`);
    }
  }
  if (kind === undefined) return undefined;
  return kind === 'object' ? 'object' : 'scalar';
}

function keyOf(v: Json, mergeKey: string): Json {
  if (!isObject(v) || !Object.hasOwn(v, mergeKey)) throw new PatchComputeError(`map: ${JSON.stringify(v)} does not contain declared merge key: ${mergeKey}`);
  return v[mergeKey] ?? null;
}

function diffLists(
  original: Json[],
  modified: Json[],
  itemType: string | undefined,
  mergeKey: string | undefined,
  opts: DiffOptions,
): { add: Json[]; remove: Json[]; order: Json[] } {
  if (original.length === 0) {
    if (modified.length === 0 || opts.ignoreChangesAndAdditions) return { add: [], remove: [], order: [] };
    return { add: modified, remove: [], order: [] };
  }
  const kind = elementKind(original, modified);
  if (kind === 'object') {
    if (mergeKey === undefined) throw new PatchComputeError('cannot merge lists without merge key');
    const { patch, deletions } = diffListsOfMaps(original, modified, itemType, mergeKey, opts);
    const add = [...normalizeSliceOrder(patch, modified, mergeKey), ...deletions];
    const orderSame = original.length === modified.length && modified.every((m, i) => show(keyOf(original[i] ?? null, mergeKey)) === show(keyOf(m, mergeKey)));
    const wantOrder = (!opts.ignoreChangesAndAdditions && (add.length > 0 || !orderSame)) || (!opts.ignoreDeletions && add.length > 0);
    const order = wantOrder ? modified.map((m) => ({ [mergeKey]: keyOf(m, mergeKey) })) : [];
    return { add, remove: [], order };
  }
  const { add, remove } = diffListsOfScalars(original, modified, opts);
  const sorted = normalizeSliceOrder(add, modified, undefined);
  const wantOrder = (!opts.ignoreDeletions && remove.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified));
  return { add: sorted, remove, order: wantOrder ? modified : [] };
}

function diffListsOfScalars(original: readonly Json[], modified: readonly Json[], opts: DiffOptions): { add: Json[]; remove: Json[] } {
  const o = sortScalars(original);
  const m = sortScalars(modified);
  const add: Json[] = [];
  const remove: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? show(o[i]) : undefined;
    const ms = j < m.length ? show(m[j]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      i++;
      j++;
    } else if (os === undefined || (ms !== undefined && os > ms)) {
      if (!opts.ignoreChangesAndAdditions) add.push(m[j] ?? null);
      j++;
    } else {
      if (!opts.ignoreDeletions) remove.push(o[i] ?? null);
      i++;
    }
  }
  const unique: Json[] = [];
  for (const v of remove) if (!unique.some((u) => deepEqual(u, v))) unique.push(v);
  return { add, remove: unique };
}

function diffListsOfMaps(
  original: readonly Json[],
  modified: readonly Json[],
  itemType: string | undefined,
  mergeKey: string,
  opts: DiffOptions,
): { patch: Json[]; deletions: Json[] } {
  const byKey = (list: readonly Json[]): JsonObject[] =>
    list
      .map((v) => {
        keyOf(v, mergeKey);
        return v as JsonObject;
      })
      .sort((a, b) => {
        const ka = show(a[mergeKey]);
        const kb = show(b[mergeKey]);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
  const o = byKey(original);
  const m = byKey(modified);
  const patch: Json[] = [];
  const deletions: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const oe = o[i];
    const me = m[j];
    const ok = oe !== undefined ? show(oe[mergeKey]) : undefined;
    const mk = me !== undefined ? show(me[mergeKey]) : undefined;
    if (oe !== undefined && me !== undefined && ok === mk) {
      const p = diffMaps(oe, me, itemType, opts);
      if (Object.keys(p).length > 0) {
        p[mergeKey] = me[mergeKey] ?? null;
        patch.push(p);
      }
      i++;
      j++;
    } else if (me !== undefined && (oe === undefined || (ok !== undefined && mk !== undefined && ok > mk))) {
      if (!opts.ignoreChangesAndAdditions) patch.push(me);
      j++;
    } else if (oe !== undefined) {
      if (!opts.ignoreDeletions) deletions.push({ [DIRECTIVE]: 'delete', [mergeKey]: oe[mergeKey] ?? null });
      i++;
    }
  }
  return { patch, deletions };
}

/** Position of `item` in `order` (by merge key for objects, by value for scalars), -1 if absent. */
function indexIn(order: readonly Json[], item: Json, mergeKey: string | undefined): number {
  if (mergeKey === undefined) return order.findIndex((o) => deepEqual(o, item));
  if (!isObject(item)) return -1;
  const want = item[mergeKey];
  return order.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], want));
}

/** Sorts `toSort` by position in `order`; `$patch: delete` elements go last, in their order. */
function normalizeSliceOrder(toSort: readonly Json[], order: readonly Json[], mergeKey: string | undefined): Json[] {
  let items = [...toSort];
  let deletes: Json[] = [];
  if (mergeKey !== undefined) {
    deletes = items.filter((v) => isObject(v) && v[DIRECTIVE] === 'delete');
    items = items.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete'));
  }
  const indexed = items.map((v, n) => ({ v, n, at: indexIn(order, v, mergeKey) }));
  indexed.sort((a, b) => (a.at >= 0 && b.at >= 0 && a.at !== b.at ? a.at - b.at : a.n - b.n));
  return [...indexed.map((x) => x.v), ...deletes];
}

// ---- merging the deletions patch with the delta patch (strategicpatch.mergeMap, MergeParallelList off)

function mergeMaps(original: JsonObject, patch: JsonObject, type: string | undefined): JsonObject {
  const out: JsonObject = { ...original };
  const rest: JsonObject = { ...patch };
  if (Object.hasOwn(rest, RETAIN_KEYS)) {
    const keys = rest[RETAIN_KEYS] ?? null;
    delete rest[RETAIN_KEYS];
    if (Object.hasOwn(out, RETAIN_KEYS) && !deepEqual(out[RETAIN_KEYS], keys)) {
      throw new PatchComputeError(`${JSON.stringify(out[RETAIN_KEYS])} and ${JSON.stringify(keys)} are not deep equal: this may happen when calculating the 3-way diff patch`);
    }
    out[RETAIN_KEYS] = keys;
  }
  for (const key of Object.keys(rest)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = rest[key] ?? null;
    if (Object.hasOwn(out, key) && !deepEqual(out[key], order)) throw new PatchComputeError('invalid patch format of setElementOrder list');
    out[key] = order;
    delete rest[key];
  }
  for (const [key, pv] of Object.entries(rest)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || pv === null || !Object.hasOwn(out, key)) {
      out[key] = pv;
      continue;
    }
    const ov = out[key] ?? null;
    if (kindOf(ov) !== kindOf(pv)) {
      out[key] = pv;
      continue;
    }
    const meta = fieldMeta(type, key);
    if (isObject(ov) && isObject(pv)) {
      out[key] = meta?.patchStrategy === 'replace' ? pv : mergeMaps(ov, pv, meta?.type);
    } else if (Array.isArray(ov) && Array.isArray(pv)) {
      out[key] = isMergeList(meta) ? mergeLists(ov, pv, meta?.type, meta?.patchMergeKey) : pv;
    } else {
      out[key] = pv;
    }
  }
  return out;
}

function mergeLists(original: Json[], patch: Json[], itemType: string | undefined, mergeKey: string | undefined): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== 'object') {
    const merged: Json[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((x) => deepEqual(x, v))) merged.push(v);
    const inPatch = merged.filter((v) => patch.some((p) => deepEqual(p, v)));
    const serverOnly = merged.filter((v) => !patch.some((p) => deepEqual(p, v)));
    return normalizeElementOrder(inPatch, serverOnly, patch, original, undefined);
  }
  if (mergeKey === undefined) throw new PatchComputeError('cannot merge lists without merge key');
  let base = [...original];
  const items: JsonObject[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isObject(v)) throw new PatchComputeError(`expected a map, but received ${JSON.stringify(v)}`);
    const d = v[DIRECTIVE];
    if (d === undefined) items.push(v);
    else if (d === 'delete') base = base.filter((o) => !deepEqual(keyOf(o, mergeKey), keyOf(v, mergeKey)));
    else if (d === 'replace') replace = true;
    else throw new PatchComputeError(`unknown patch type: ${JSON.stringify(d)} in map: ${JSON.stringify(v)}`);
  }
  if (replace) return items;
  const merged = [...base];
  for (const v of items) {
    const at = merged.findIndex((o) => deepEqual(keyOf(o, mergeKey), keyOf(v, mergeKey)));
    const found = merged[at];
    if (at >= 0 && isObject(found)) merged[at] = mergeMaps(found, v, itemType);
    else merged.push(v);
  }
  const inPatch = merged.filter((v) => items.some((p) => deepEqual(p[mergeKey], keyOf(v, mergeKey))));
  const serverOnly = merged.filter((v) => !items.some((p) => deepEqual(p[mergeKey], keyOf(v, mergeKey))));
  return normalizeElementOrder(inPatch, serverOnly, items, base, mergeKey);
}

/** Patch elements in patch order, the others in their original order, interleaved by original position. */
function normalizeElementOrder(inPatch: Json[], serverOnly: Json[], patchOrder: readonly Json[], serverOrder: readonly Json[], mergeKey: string | undefined): Json[] {
  const right = normalizeSliceOrder(inPatch, patchOrder, mergeKey);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined) {
      out.push(r ?? null);
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
