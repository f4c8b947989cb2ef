// Plain JSON values as keelctl handles manifests and server objects: types, equality, key sorting.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality; key order is irrelevant. */
export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A copy with every object's keys in sorted order, as Go's encoding/json writes maps. */
export function sortKeys<T extends Json>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x)) as T;
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k] ?? null);
  return out as T;
}

/** Go's `json.Marshal` of a map (sorted keys, compact). */
export function goJson(v: Json): string {
  return JSON.stringify(sortKeys(v));
}

/** Anything that came out of JSON.parse or a YAML loader, as a Json value (undefined fields dropped). */
export function asJson(v: unknown): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(asJson);
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = asJson(x);
    return out;
  }
  return scalarText(v);
}

/** A copy without object fields whose value is null (what a typed Go client would not send). */
export function dropNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** The value at a dotted path of plain field names (`metadata.name`), or undefined. */
export function field(obj: Json | undefined, path: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** `obj.metadata`, created when missing. */
export function metadataOf(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (isObject(m)) return m;
  const created: JsonObject = {};
  obj['metadata'] = created;
  return created;
}

/** Any value as text: strings as they are, numbers and booleans printed, objects as JSON, nothing as ''. */
export function scalarText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return v.toString();
    case 'object':
      return v === null ? '' : JSON.stringify(v);
    default:
      return '';
  }
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
