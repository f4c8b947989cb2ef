// DaemonSet history: the ControllerRevision of the current template (created, deduplicated, renumbered) and pruning to revisionHistoryLimit.
import { isStatusError, type ControllerRevision, type DaemonSet, type Pod, type Selector } from '@keelson/api';
import { adoptPatch, claimObjects, newControllerRef, releasePatch, AdoptionRefusedError } from '../common/controllerref';
import { canonicalJson, computeHash } from '../common/hash';
import { controllerRevisionName, sortRevisions } from '../common/history';
import type { DaemonSetSyncDeps } from './context';
import { hashLabel } from './util';

/** A revision name was taken by a different template: collisionCount was bumped, the sync retries. */
export class RevisionCollisionError extends Error {
  constructor(
    readonly revisionName: string,
    readonly collisionCount: number,
  ) {
    super(`hash collision on ControllerRevision ${revisionName}: collisionCount bumped to ${collisionCount}`);
    this.name = 'RevisionCollisionError';
  }
}

/**
 * The data a DaemonSet revision stores (getPatch): a strategic merge patch that puts the
 * template back, `{"spec":{"template":{…,"$patch":"replace"}}}`, so `kubectl rollout undo`
 * can apply it.
 */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The revision holds the DaemonSet's current template (Match). */
export function matchesRevision(ds: DaemonSet, revision: ControllerRevision): boolean {
  return canonicalJson(revision.data ?? null) === canonicalJson(revisionData(ds));
}

function maxRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) if (r.revision > max) max = r.revision;
  return max;
}

/** The revisions this DaemonSet controls: owned ones it still selects, plus matching orphans it adopts (controlledHistories). */
export async function claimRevisions(d: DaemonSetSyncDeps, ds: DaemonSet, selector: Selector): Promise<ControllerRevision[]> {
  const namespace = ds.metadata?.namespace ?? '';
  const api = d.client.resource('apps/v1', 'ControllerRevision').namespace(namespace);
  const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
  return claimObjects(d.revisions.namespace(namespace).list(), {
    controller: ds,
    selector,
    canAdopt: () => recheckDaemonSet(d, ds),
    adopt: async (r) => {
      await api.patch(r.metadata?.name ?? '', 'strategic', adoptPatch(ref, r.metadata?.uid));
    },
    release: async (r) => {
      await api.patch(r.metadata?.name ?? '', 'strategic', releasePatch(ds.metadata?.uid ?? '', r.metadata?.uid));
    },
  });
}

/** An uncached read before adopting anything: the DaemonSet must still be this one and not being deleted (RecheckDeletionTimestamp). */
export async function recheckDaemonSet(d: DaemonSetSyncDeps, ds: DaemonSet): Promise<void> {
  const namespace = ds.metadata?.namespace ?? '';
  const name = ds.metadata?.name ?? '';
  const fresh = await d.client
    .resource('apps/v1', 'DaemonSet')
    .namespace(namespace)
    .get(name)
    .catch((e: unknown) => {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    });
  if (fresh === undefined || fresh.metadata?.uid !== ds.metadata?.uid) throw new AdoptionRefusedError(`original DaemonSet ${namespace}/${name} is gone`);
  if (fresh.metadata?.deletionTimestamp !== undefined) throw new AdoptionRefusedError(`DaemonSet ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}

/**
 * The current revision and the old ones (constructHistory): revisions missing the hash label
 * get their name as one; the revision matching the template is found (duplicates merged into
 * the newest, pods relabelled) or created, and renumbered above every old one.
 */
export async function constructHistory(d: DaemonSetSyncDeps, ds: DaemonSet, selector: Selector, pods: readonly Pod[]): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
  const api = d.client.resource('apps/v1', 'ControllerRevision').namespace(ds.metadata?.namespace ?? '');
  const claimed = await claimRevisions(d, ds, selector);
  const matching: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let r of claimed) {
    if (r.metadata?.labels?.[hashLabel] === undefined) {
      const copy = structuredClone(r);
      copy.metadata = { ...copy.metadata, labels: { ...copy.metadata?.labels, [hashLabel]: copy.metadata?.name ?? '' } };
      r = await api.update(copy);
    }
    (matchesRevision(ds, r) ? matching : old).push(r);
  }
  const wanted = maxRevision(old) + 1;
  let current = matching.length === 0 ? await snapshot(d, ds, wanted) : await dedupCurrent(d, ds, matching, pods);
  if (current.revision < wanted) current = await api.update({ ...structuredClone(current), revision: wanted });
  return { current, old };
}

/** Keeps the newest of several revisions of the current template, relabels pods of the others onto it, deletes the others (dedupCurHistories). */
async function dedupCurrent(d: DaemonSetSyncDeps, ds: DaemonSet, matching: readonly ControllerRevision[], pods: readonly Pod[]): Promise<ControllerRevision> {
  let keep = matching[0] as ControllerRevision;
  for (const r of matching) if (r.revision >= keep.revision) keep = r;
  if (matching.length === 1) return keep;
  const namespace = ds.metadata?.namespace ?? '';
  const keepHash = keep.metadata?.labels?.[hashLabel] ?? '';
  const podsApi = d.client.resource('v1', 'Pod').namespace(namespace);
  for (const p of pods) {
    if (p.metadata?.labels?.[hashLabel] !== keepHash) await podsApi.patch(p.metadata?.name ?? '', 'merge', { metadata: { labels: { [hashLabel]: keepHash } } });
  }
  const api = d.client.resource('apps/v1', 'ControllerRevision').namespace(namespace);
  for (const r of matching) {
    if (r.metadata?.name === keep.metadata?.name) continue;
    await api.delete(r.metadata?.name ?? '').catch((e: unknown) => {
      if (!isStatusError(e, 'NotFound')) throw e;
    });
  }
  return keep;
}

/**
 * Stores the revision of the current template (snapshot): named `<ds>-<pod-template hash with
 * collisionCount>`, labelled with the template's labels and the hash. A name already taken by
 * the same data is that revision (a cache behind its own write); by other data it is a
 * collision: status.collisionCount goes up and the sync is retried.
 */
async function snapshot(d: DaemonSetSyncDeps, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const namespace = ds.metadata?.namespace ?? '';
  const collisionCount = ds.status?.collisionCount;
  const hash = computeHash(ds.spec?.template, collisionCount);
  const name = controllerRevisionName(ds.metadata?.name ?? '', hash);
  const candidate: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [hashLabel]: hash },
      ...(ds.metadata?.annotations !== undefined ? { annotations: ds.metadata.annotations } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    data: revisionData(ds),
    revision,
  };
  const api = d.client.resource('apps/v1', 'ControllerRevision').namespace(namespace);
  try {
    return await api.create(candidate);
  } catch (e: unknown) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
    const existing = await api.get(name);
    if (matchesRevision(ds, existing)) return existing;
    const dsApi = d.client.resource('apps/v1', 'DaemonSet').namespace(namespace);
    const fresh = await dsApi.get(ds.metadata?.name ?? '');
    // A stale collisionCount in the cache: the sync retries once the cache has the stored one.
    if ((fresh.status?.collisionCount ?? undefined) !== collisionCount) throw new RevisionCollisionError(name, fresh.status?.collisionCount ?? 0);
    const next = (collisionCount ?? 0) + 1;
    await dsApi.updateStatus({ ...fresh, status: { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, ...fresh.status, collisionCount: next } });
    d.logger.info('hash collision on a ControllerRevision, bumping collisionCount', { kind: 'DaemonSet', namespace, name: ds.metadata?.name, collisionCount: next });
    throw new RevisionCollisionError(name, next);
  }
}

/**
 * Deletes the oldest revisions beyond revisionHistoryLimit (cleanupHistory), never one whose
 * hash a pod of this DaemonSet still carries.
 */
export async function cleanupHistory(d: DaemonSetSyncDeps, ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set<string>();
  for (const p of pods) {
    const h = p.metadata?.labels?.[hashLabel];
    if (h !== undefined && h !== '') live.add(h);
  }
  const api = d.client.resource('apps/v1', 'ControllerRevision').namespace(ds.metadata?.namespace ?? '');
  for (const r of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(r.metadata?.labels?.[hashLabel] ?? '')) continue;
    await api.delete(r.metadata?.name ?? '').catch((e: unknown) => {
      if (!isStatusError(e, 'NotFound')) throw e;
    });
    toKill--;
  }
}
