// metadata.managedFields: decoding, ownership bookkeeping for writes, and recordUpdate for PUT/PATCH/POST.
//
// Follows k8s.io/apimachinery/pkg/util/managedfields: a manager is identified by (name, operation,
// subresource, and apiVersion for Update); an Update takes ownership of every field it adds or
// changes and strips it from every other manager; the fields every object has (apiVersion, kind,
// name, uid, resourceVersion, …) are never owned; entries are sorted Apply-first, then by time,
// name, apiVersion; at most ten Update managers are kept, older ones folding into
// "ancient-changes".
import { InternalError } from '@keelson/api';
import { FieldSet, fieldElement, type Path } from './fieldpath';
import { isObject, toJson, type Json, type JsonObject } from './json';
import { rootType } from './schema';
import { compare, type Comparison, type Node } from './structured';

export type ManagedFieldsOperation = 'Apply' | 'Update';

/** One entry of metadata.managedFields, as it is stored and served. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** A decoded entry: who, and the set of fields they own. */
export interface Manager {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  readonly apiVersion: string;
  readonly subresource?: string | undefined;
  time?: string | undefined;
  set: FieldSet;
}

/** Managers by identity (see managerId). */
export type Managers = Map<string, Manager>;

/** At most this many Update managers are kept (upstream DefaultMaxUpdateManagers). */
export const MAX_UPDATE_MANAGERS = 10;

/** Identity of a manager, as upstream's BuildManagerIdentifier: Apply managers own across versions. */
export function managerId(m: { manager: string; operation: ManagedFieldsOperation; apiVersion: string; subresource?: string | undefined }): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update') id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** How a conflict message names a manager: `"kubectl"`, `"kube-controller-manager" using apps/v1`. */
export function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** Fields no manager ever owns (upstream stripMetaManager). */
const stripped: FieldSet = FieldSet.fromPaths(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'creationTimestamp'],
    ['metadata', 'selfLink'],
    ['metadata', 'uid'],
    ['metadata', 'clusterName'],
    ['metadata', 'generation'],
    ['metadata', 'managedFields'],
    ['metadata', 'resourceVersion'],
  ].map((p): Path => p.map(fieldElement)),
);

export function stripMeta(set: FieldSet): FieldSet {
  return set.difference(stripped);
}

/** Decodes managedFields; throws Error describing the first bad entry. */
export function decodeManagedFields(entries: Json | undefined): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e, i) => {
    if (!isObject(e)) throw new Error(`managed fields entry ${i} must be an object`);
    const { manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource } = e;
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof apiVersion !== 'string' || apiVersion === '') throw new Error('apiVersion must not be empty');
    if (fieldsType === undefined || fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const m: Manager = {
      manager: typeof manager === 'string' ? manager : '',
      operation,
      apiVersion,
      subresource: typeof subresource === 'string' && subresource !== '' ? subresource : undefined,
      time: typeof time === 'string' ? time : undefined,
      set: FieldSet.fromFieldsV1(fieldsV1),
    };
    out.set(managerId(m), m);
  });
  return out;
}

function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function byStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes managers in upstream's order; managers owning nothing are dropped. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  list.sort(
    (p, q) =>
      byStr(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      byStr(p.manager, q.manager) ||
      byStr(p.apiVersion, q.apiVersion) ||
      byStr(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time !== undefined ? { time: m.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: m.set.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

/** The schema root of an object, from its kind. */
export function rootNode(obj: JsonObject, kind?: string): Node {
  const k = kind ?? (typeof obj.kind === 'string' ? obj.kind : '');
  return { type: rootType(k) };
}

/** A copy of `obj` without metadata.managedFields. */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = obj.metadata;
  if (!isObject(meta) || !Object.hasOwn(meta, 'managedFields')) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** A copy of `obj` whose metadata.managedFields are `entries` (removed when there are none). */
export function withManagedFields(obj: JsonObject, entries: readonly ManagedFieldsEntry[]): JsonObject {
  const base = withoutManagedFields(obj);
  if (entries.length === 0) return base;
  const meta = isObject(base.metadata) ? base.metadata : {};
  return { ...base, metadata: { ...meta, managedFields: entries.map((e) => toJson(e, 'managedFields')) } };
}

export interface UpdateResult {
  comparison: Comparison;
  /** Fields of other managers the change touched, by manager identity. */
  conflicts: Map<string, FieldSet>;
}

/**
 * Upstream Updater.update: compares `live` with `next` and, for every manager except `self`,
 * records which of its fields were changed (conflicts) and drops the fields that were removed.
 * With `force` (always for Update) conflicting fields also move away from their owners.
 */
export function updateManagers(live: JsonObject, next: JsonObject, managers: Managers, self: string, force: boolean, root: Node): UpdateResult {
  const comparison = compare(withoutManagedFields(live), withoutManagedFields(next), root);
  const changed = comparison.modified.union(comparison.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, m] of managers) {
    if (id === self) continue;
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) return { comparison, conflicts };
  for (const [id, m] of managers) {
    if (id === self) continue;
    const c = conflicts.get(id);
    if (c) m.set = m.set.difference(c);
    m.set = m.set.difference(comparison.removed);
  }
  for (const [id, m] of managers) if (m.set.isEmpty()) managers.delete(id);
  return { comparison, conflicts };
}

/**
 * Records an Update by `manager` into `managers` (mutated): it owns what it added or changed,
 * others lose that; the entry's time moves to `now` only when it took ownership of something.
 */
export function applyUpdate(
  live: JsonObject,
  next: JsonObject,
  managers: Managers,
  who: { manager: string; apiVersion: string; subresource?: string | undefined },
  now: string,
  root: Node,
): void {
  const id = managerId({ ...who, operation: 'Update' });
  const { comparison } = updateManagers(live, next, managers, id, true, root);
  const previous = managers.get(id);
  if (previous) previous.set = previous.set.difference(comparison.removed);
  const current = stripMeta(comparison.modified.union(comparison.added));
  if (!current.isEmpty()) {
    managers.set(id, {
      manager: who.manager,
      operation: 'Update',
      apiVersion: who.apiVersion,
      subresource: who.subresource,
      time: now,
      set: previous ? previous.set.union(current) : current,
    });
  }
  if (managers.get(id)?.set.isEmpty() === true) managers.delete(id);
}

/** Folds the oldest Update managers into "ancient-changes" (one per apiVersion) beyond the cap. */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || byStr(ia, ib));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, m] of updaters) {
    if (length <= max) break;
    const bucketId = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: m.apiVersion });
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    let bucket = managers.get(bucketId);
    if (bucket === undefined) {
      const f = managers.get(first);
      managers.delete(first);
      bucket = { manager: 'ancient-changes', operation: 'Update', apiVersion: m.apiVersion, time: f?.time, set: f?.set ?? new FieldSet() };
      managers.set(bucketId, bucket);
    }
    bucket.set = m.set.union(bucket.set);
    bucket.time = m.time;
    managers.delete(id);
    length--;
  }
}

function isResetManagedFields(v: Json | undefined): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  const [only] = v;
  return v.length === 1 && isObject(only) && Object.keys(only).length === 0;
}

function decodeOrEmpty(v: Json | undefined): Managers {
  try {
    return decodeManagedFields(v);
  } catch (e: unknown) {
    // Upstream ignores undecodable managedFields on writes and starts afresh; so do we.
    if (e instanceof Error) return new Map();
    throw e;
  }
}

function managedFieldsOf(obj: JsonObject | undefined): Json | undefined {
  const meta = obj?.metadata;
  return isObject(meta) ? meta.managedFields : undefined;
}

function asObject(v: unknown, what: string): JsonObject {
  const j = toJson(v, what);
  if (!isObject(j)) throw new InternalError(`${what} must be an object`);
  return j;
}

export interface RecordUpdateOptions {
  /** `status`, `scale`, …: the subresource written, recorded in the entry. */
  subresource?: string;
}

/**
 * Records ownership for an ordinary write (create, PUT, non-apply PATCH) by `manager`, returning
 * a copy of `next` with metadata.managedFields updated; neither argument is changed. `old` is
 * undefined for a create. managedFields the client sent replace the stored ones when they decode
 * (`[]` or `[{}]` resets them); an existing object that has no managedFields is left untracked, as
 * upstream does. Call it for every write except server-side apply, which records its own.
 */
export function recordUpdate(
  old: object | undefined,
  next: object,
  manager: string,
  apiVersion: string,
  now: string,
  opts: RecordUpdateOptions = {},
): object {
  const prev = old === undefined ? undefined : asObject(old, 'old object');
  const obj = asObject(next, 'new object');
  const sent = managedFieldsOf(obj);
  let managers: Managers;
  if (opts.subresource) managers = decodeOrEmpty(managedFieldsOf(prev));
  else if (isResetManagedFields(sent)) managers = new Map();
  else {
    managers = decodeOrEmpty(sent);
    if (managers.size === 0) managers = decodeOrEmpty(managedFieldsOf(prev));
  }
  const base = withoutManagedFields(obj);
  if (managers.size === 0 && prev !== undefined) {
    const meta = prev.metadata;
    // An object that exists but was never tracked stays untracked.
    if (isObject(meta) && typeof meta.uid === 'string' && meta.uid !== '') return base;
  }
  const root = rootNode(base);
  applyUpdate(prev ?? {}, base, managers, { manager: manager || 'unknown', apiVersion, subresource: opts.subresource }, now, root);
  capUpdateManagers(managers);
  return withManagedFields(base, encodeManagedFields(managers));
}
