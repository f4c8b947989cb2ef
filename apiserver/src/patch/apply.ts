// Server-side apply (application/apply-patch+yaml): merge an applied configuration and track field ownership.
//
//   applied config ──► toFieldSet ──► the applier's new set
//          │
//   live ──┴─► merge ──► prune (what the applier set last time, now omitted and unowned)
//                          ──► compare with live ──► conflicts with other managers? ──► 409 unless force
//                          ──► managedFields: applier owns its set, others lose what changed
//
// Semantics follow k8s.io/apimachinery/pkg/util/managedfields and structured-merge-diff; see
// structured.ts for the merge rules and managedfields.ts for the bookkeeping.
import { BadRequestError, InternalError } from '@keelson/api';
import { type ApplyConflict, ApplyConflictError } from './errors';
import { pathString, type FieldSet } from './fieldpath';
import { deepEqual, isObject, toJson, type JsonObject } from './json';
import {
  applyUpdate,
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  managerId,
  printManager,
  rootNode,
  stripMeta,
  updateManagers,
  withManagedFields,
  withoutManagedFields,
  type Managers,
} from './managedfields';
import { mergeApplied, prune, SchemaError, toFieldSet } from './structured';

export interface ApplyOptions {
  /** The field manager (`?fieldManager=`); required. */
  manager: string;
  /** Take ownership of conflicting fields instead of failing (`?force=true`). */
  force: boolean;
  /** Timestamp recorded in managedFields (RFC 3339). */
  now: string;
  /** The kind and apiVersion the request is for; the applied object must match when given. */
  kind?: string;
  apiVersion?: string;
  /** The subresource applied to (`status`), recorded in the manager's entry. */
  subresource?: string;
}

export interface ApplyResult {
  /** The resulting object, with metadata.managedFields updated. */
  object: object;
  /** With `force`, the conflicts that were overridden (ownership moved to the applier). */
  conflicts?: ApplyConflict[];
}

/** `apps/v1, Kind=Deployment` (`/v1, Kind=Pod` for the core group), as Go prints a GroupVersionKind. */
function gvkString(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
}

function configOf(applied: object, opts: ApplyOptions): JsonObject {
  const cfg = toJson(applied, 'apply patch');
  if (!isObject(cfg)) throw new BadRequestError('error decoding patch: the apply patch must be an object');
  const { apiVersion, kind } = cfg;
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
    throw new BadRequestError('error decoding patch: apiVersion and kind must be set in an apply patch');
  }
  if ((opts.apiVersion !== undefined && apiVersion !== opts.apiVersion) || (opts.kind !== undefined && kind !== opts.kind)) {
    throw new BadRequestError(`invalid object type: ${gvkString(apiVersion, kind)}`);
  }
  const meta = cfg.metadata;
  if (meta !== undefined && !isObject(meta)) throw new BadRequestError('error decoding patch: metadata must be an object');
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw new BadRequestError('metadata.managedFields must be nil');
  }
  return cfg;
}

function decodeLive(live: JsonObject): Managers {
  const meta = live.metadata;
  try {
    return decodeManagedFields(isObject(meta) ? meta.managedFields : undefined);
  } catch (e: unknown) {
    throw new InternalError(`failed to decode managed fields: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Conflicts as a list, managers in identity order and paths in upstream's iteration order. */
function conflictList(conflicts: ReadonlyMap<string, FieldSet>, names: ReadonlyMap<string, string>): ApplyConflict[] {
  const out: ApplyConflict[] = [];
  for (const id of [...conflicts.keys()].sort()) {
    const set = conflicts.get(id);
    if (!set) continue;
    for (const p of set.paths()) out.push({ manager: names.get(id) ?? JSON.stringify(id), field: pathString(p) });
  }
  return out;
}

/**
 * Applies `applied` on behalf of `opts.manager`. `live` undefined creates the object. Throws
 * ApplyConflictError (409) when the configuration changes a field another manager owns, unless
 * `opts.force`; BadRequestError for a configuration that cannot be applied. Neither argument is
 * changed.
 */
export function serverSideApply(live: object | undefined, applied: object, opts: ApplyOptions): ApplyResult {
  if (!opts.manager) throw new BadRequestError('a field manager is required for server-side apply');
  const cfg = configOf(applied, opts);
  const apiVersion = cfg.apiVersion as string;
  const liveFull = live === undefined ? {} : toJson(live, 'live object');
  if (!isObject(liveFull)) throw new InternalError('the live object must be an object');
  const liveObj = withoutManagedFields(liveFull);
  const root = rootNode(cfg);
  const managers = decodeLive(liveFull);

  if (managers.size === 0) {
    // Fields that exist but nobody tracked yet belong to "before-first-apply" (upstream skipNonApplied).
    applyUpdate({}, liveObj, managers, { manager: 'before-first-apply', apiVersion }, opts.now, root);
  }

  const who = { manager: opts.manager, operation: 'Apply' as const, apiVersion, subresource: opts.subresource || undefined };
  const id = managerId(who);
  const previous = managers.get(id);
  let merged: JsonObject;
  try {
    const set = toFieldSet(cfg, root);
    merged = mergeApplied(liveObj, cfg, root);
    managers.set(id, { ...who, time: previous?.time, set });
    if (previous && !previous.set.isEmpty()) {
      let owned = set;
      for (const m of managers.values()) owned = owned.union(m.set);
      merged = prune(merged, previous.set.withNamedFieldsAsMembers(), owned.withNamedFieldsAsMembers(), root);
    }
  } catch (e: unknown) {
    if (e instanceof SchemaError) throw new BadRequestError(`failed to apply the patch: ${e.message}`, { cause: e });
    throw e;
  }

  const names = new Map([...managers].map(([k, m]) => [k, printManager(m)]));
  const { conflicts } = updateManagers(liveObj, merged, managers, id, opts.force, root);
  const found = conflictList(conflicts, names);
  if (found.length > 0 && !opts.force) throw new ApplyConflictError(found);

  const mine = managers.get(id);
  if (mine) {
    mine.set = stripMeta(mine.set);
    if (mine.set.isEmpty()) managers.delete(id);
  }
  const changed = !deepEqual(liveObj, merged);
  if (changed) {
    const m = managers.get(id);
    if (m) m.time = opts.now;
  }
  capUpdateManagers(managers);
  const object = withManagedFields(changed ? merged : liveObj, encodeManagedFields(managers));
  return found.length > 0 ? { object, conflicts: found } : { object };
}
