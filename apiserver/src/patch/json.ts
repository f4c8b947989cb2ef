// JSON values as the patch code sees them, with deep equality and copying that never share structure.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality; numbers compare by value, key order is irrelevant. */
export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy (JSON values only, so structuredClone is exact). */
export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** Thrown by copyJson at the first value that is not JSON; toJson then finds where it was. */
class NotJson extends Error {}

/** toJson without building a path string per value (the hot path: objects are nearly always JSON). */
function copyJson(v: unknown): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new NotJson();
    return v;
  }
  if (Array.isArray(v)) return v.map(copyJson);
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      out[k] = copyJson(x);
    }
    return out;
  }
  throw new NotJson();
}

/** Anything the caller handed us, checked to be plain JSON data and copied. */
export function toJson(v: unknown, what: string): Json {
  try {
    return copyJson(v);
  } catch (e: unknown) {
    if (!(e instanceof NotJson)) throw e;
    // Not JSON: walk again, naming the path of the offending value.
    return toJsonAt(v, what);
  }
}

function toJsonAt(v: unknown, what: string): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`${what}: ${v} is not a JSON number`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => toJsonAt(x, `${what}[${i}]`));
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      out[k] = toJsonAt(x, `${what}.${k}`);
    }
    return out;
  }
  throw new TypeError(`${what}: a ${typeof v} is not JSON`);
}

/** A short rendering of a value for error messages. */
export function show(v: Json | undefined): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
