// ControllerRevision history (pkg/controller/history): hashing, naming, creating with collision handling, sorting and pruning.
import { isStatusError, type ControllerRevision, type ObjectMeta } from '@keelson/api';
import type { RestClient } from '@keelson/client';
import { newControllerRef } from './controllerref';
import { canonicalJson, fnv32a, safeEncode } from './hash';

/**
 * The label on a ControllerRevision that carries its hash (history.ControllerRevisionHashLabel).
 */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

/**
 * The label a StatefulSet's or DaemonSet's pods carry naming their revision
 * (apps.ControllerRevisionHashLabelKey). Revisions carry it too, with their hash, so a
 * DaemonSet can compare a pod's label to a revision's without parsing its name.
 */
export const revisionLabel = 'controller-revision-hash';

/** What a revision's owner must provide: its type (for the controller reference) and metadata. */
export interface RevisionParent {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
}

/**
 * The hash of a revision's data (history.HashControllerRevision): FNV-32a over the data as
 * canonical JSON, then over `collisionCount` in decimal when set, its decimal value
 * safe-encoded. Kubernetes hashes the raw JSON bytes with FNV-32 (not 1a); the alphabet and
 * the collision probe are the same.
 */
export function controllerRevisionHash(data: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(data ?? null)));
  if (collisionCount !== undefined) h = fnv32a(new TextEncoder().encode(String(collisionCount)), h);
  return safeEncode(String(h));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays ≤ 253 (ControllerRevisionName). */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * A new (not yet stored) revision of `parent` (history.NewControllerRevision): named
 * `<parent>-<hash>`, in the parent's namespace, controlled by the parent, labelled with
 * `labels` (the template's labels) plus the hash.
 */
export function newControllerRevision(
  parent: RevisionParent,
  data: unknown,
  revision: number,
  collisionCount?: number,
  labels?: Readonly<Record<string, string>>,
): ControllerRevision {
  const hash = controllerRevisionHash(data, collisionCount);
  const metadata: ObjectMeta = {
    name: controllerRevisionName(parent.metadata?.name ?? '', hash),
    labels: { ...(labels ?? {}), [controllerRevisionHashLabel]: hash, [revisionLabel]: hash },
    ownerReferences: [newControllerRef(parent, parent.apiVersion, parent.kind)],
  };
  if (parent.metadata?.namespace !== undefined) metadata.namespace = parent.metadata.namespace;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata,
    data: structuredClone(data) as ControllerRevision['data'],
    revision,
  };
}

/** One more than the highest revision number, 1 with no revisions (history.NextRevision). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) if (r.revision > max) max = r.revision;
  return max + 1;
}

/** Oldest first: by revision number, then creation time, then name (history.SortControllerRevisions). Returns a new array. */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    const ca = ta === '' ? 0 : Date.parse(ta);
    const cb = tb === '' ? 0 : Date.parse(tb);
    if (ca !== cb) return ca - cb;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/**
 * Whether two revisions hold the same data (history.EqualRevision). Kubernetes also compares
 * hash labels, but only those that parse as decimal integers, which safe-encoded hashes almost
 * never do; in effect it compares the data, so a revision stored under an older collision count
 * still matches. So does this.
 */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

/** The revisions whose data equals the candidate's (history.FindEqualRevisions), in the given order. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], candidate: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, candidate));
}

/**
 * The revisions to delete to keep at most `limit` non-live ones (truncateHistory): every
 * revision whose name is not in `live` is history; the oldest beyond `limit` go.
 */
export function revisionsToDelete(revisions: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = history.length - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}

/**
 * Stores a revision of `parent` (realHistory.CreateControllerRevision): on AlreadyExists the
 * stored revision is returned if it holds the same data (a slow cache, or a retry), otherwise
 * the name is a hash collision and the probe is bumped until a free name or an equal revision
 * is found. Returns the stored revision and the collision count used, which the caller saves in
 * its status.
 */
export async function createControllerRevision(
  client: RestClient,
  parent: RevisionParent,
  data: unknown,
  revision: number,
  collisionCount: number,
  labels?: Readonly<Record<string, string>>,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const api = client.resource('apps/v1', 'ControllerRevision').namespace(parent.metadata?.namespace ?? '');
  let count = collisionCount;
  for (;;) {
    const candidate = newControllerRevision(parent, data, revision, count, labels);
    try {
      return { revision: await api.create(candidate), collisionCount: count };
    } catch (e: unknown) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      const existing = await api.get(candidate.metadata?.name ?? '');
      if (equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
      count++;
    }
  }
}
