// Server-set metadata: uids, timestamps, generated names, and the fields clients may not set.
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '@keelson/api';

/** ObjectMeta as the server writes it (kubernetes-types marks server-set fields read-only). */
export type MutableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 at second precision, as Kubernetes serializes metav1.Time. */
export function timestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds, as metav1.MicroTime. */
export function microTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

// Kubernetes' name generator alphabet: no vowels (no words), no ambiguous characters.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxGeneratedNameLength = 63 - 5;

/** `web-` → `web-x7k2q`, truncating the base as Kubernetes does. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)];
  return `${base.slice(0, maxGeneratedNameLength)}${suffix}`;
}

export function newUid(): string {
  return randomUUID();
}

/** Metadata fields only the server may set; stripped from what a client sends on create. */
const serverOwned: (keyof MutableMeta)[] = [
  'uid',
  'creationTimestamp',
  'resourceVersion',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'selfLink',
];

export function stripServerOwned(meta: MutableMeta): void {
  for (const f of serverOwned) delete meta[f];
}

/** A deep copy of `obj` without its resourceVersion and managedFields timestamps, for no-op detection. */
export function comparable(obj: KubeObject): string {
  const copy = structuredClone(obj);
  const meta: MutableMeta | undefined = copy.metadata;
  if (meta) {
    delete meta.resourceVersion;
    delete meta.managedFields;
  }
  return stableStringify(copy);
}

/**
 * Whether two JSON values are equal as `stableStringify` would say (object key order ignored, a
 * property holding undefined counts as absent, undefined in an array as null), without building
 * the strings.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aa = Array.isArray(a);
  if (aa !== Array.isArray(b)) return false;
  if (aa) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i] ?? null, y[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || x[k] === undefined) continue;
    n++;
    if (!Object.hasOwn(y, k) || !jsonEqual(x[k], y[k])) return false;
  }
  for (const k in y) if (Object.hasOwn(y, k) && y[k] !== undefined) n--;
  return n === 0;
}

/** Whether `a` and `b` are the same object but for resourceVersion and managedFields (a no-op write). */
export function sameIgnoringServerState(a: KubeObject, b: KubeObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k !== 'metadata' && !jsonEqual(a[k], b[k])) return false;
  }
  const ma: Record<string, unknown> = { ...(a.metadata ?? {}) };
  const mb: Record<string, unknown> = { ...(b.metadata ?? {}) };
  for (const m of [ma, mb]) {
    delete m['resourceVersion'];
    delete m['managedFields'];
  }
  return jsonEqual(a.metadata === undefined ? undefined : ma, b.metadata === undefined ? undefined : mb);
}

/** JSON with object keys sorted, so equal objects give equal strings whatever their key order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
