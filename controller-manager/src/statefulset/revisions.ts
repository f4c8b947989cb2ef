// A StatefulSet's ControllerRevisions: listing and adopting them, finding or creating the current and update revisions, pruning history.
import { isStatusError, type ControllerRevision, type Pod, type Selector, type StatefulSet } from '@keelson/api';
import { adoptPatch, controllerOf, newControllerRef } from '../common/controllerref';
import { createControllerRevision, equalRevision, findEqualRevisions, newControllerRevision, nextRevision, revisionsToDelete, sortRevisions, type RevisionParent } from '../common/history';
import { podRevision, revisionData } from './identity';
import type { StatefulSetSyncDeps } from './sync';

export function revisionParent(set: StatefulSet): RevisionParent {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', ...(set.metadata !== undefined ? { metadata: set.metadata } : {}) };
}

/** Revisions in the set's namespace it selects that it controls or nobody does (ListControllerRevisions), oldest first. */
export function listRevisions(deps: StatefulSetSyncDeps, set: StatefulSet, selector: Selector): ControllerRevision[] {
  const uid = set.metadata?.uid;
  const revs = deps.revisions
    .namespace(set.metadata?.namespace ?? '')
    .list()
    .filter((r) => selector.matches(r.metadata?.labels))
    .filter((r) => {
      const ref = controllerOf(r);
      return ref === undefined || ref.uid === uid;
    });
  return sortRevisions(revs);
}

/** Puts the set's controller reference on selected revisions nobody controls (adoptOrphanRevisions). */
export async function adoptOrphanRevisions(deps: StatefulSetSyncDeps, set: StatefulSet, revisions: readonly ControllerRevision[], canAdopt: () => Promise<void>): Promise<void> {
  const orphans = revisions.filter((r) => controllerOf(r) === undefined);
  if (orphans.length === 0) return;
  await canAdopt();
  const api = deps.client.resource('apps/v1', 'ControllerRevision').namespace(set.metadata?.namespace ?? '');
  const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
  for (const r of orphans) {
    try {
      await api.patch(r.metadata?.name ?? '', 'strategic', adoptPatch(ref, r.metadata?.uid));
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/**
 * The current and update revisions (getStatefulSetRevisions). The update revision is the
 * set's template: the newest revision if it already holds it; an older equal revision
 * renumbered to the next revision (a rollback); or a new revision. The current revision is
 * the one status names, or the update revision when there is none yet.
 */
export async function getStatefulSetRevisions(deps: StatefulSetSyncDeps, set: StatefulSet, revisions: readonly ControllerRevision[]): Promise<SetRevisions> {
  const sorted = sortRevisions(revisions);
  let collisionCount = set.status?.collisionCount ?? 0;
  const data = revisionData(set);
  const labels = set.spec?.template.metadata?.labels ?? {};
  const candidate = newControllerRevision(revisionParent(set), data, nextRevision(sorted), collisionCount, labels);
  const equal = findEqualRevisions(sorted, candidate);
  const latest = sorted[sorted.length - 1];
  const lastEqual = equal[equal.length - 1];
  let update: ControllerRevision;
  if (lastEqual !== undefined && latest !== undefined && equalRevision(latest, lastEqual)) {
    update = latest;
  } else if (lastEqual !== undefined) {
    const copy = structuredClone(lastEqual);
    copy.revision = candidate.revision;
    update = await deps.client.resource('apps/v1', 'ControllerRevision').namespace(set.metadata?.namespace ?? '').update(copy);
  } else {
    const created = await createControllerRevision(deps.client, revisionParent(set), data, candidate.revision, collisionCount, labels);
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/**
 * Deletes the oldest revisions beyond revisionHistoryLimit that no pod and neither the
 * current nor the update revision uses (truncateHistory).
 */
export async function truncateHistory(deps: StatefulSetSyncDeps, set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], current: ControllerRevision | undefined, update: ControllerRevision | undefined): Promise<void> {
  const live = new Set<string>();
  if (current?.metadata?.name !== undefined) live.add(current.metadata.name);
  if (update?.metadata?.name !== undefined) live.add(update.metadata.name);
  for (const p of pods) live.add(podRevision(p));
  const doomed = revisionsToDelete(revisions, live, set.spec?.revisionHistoryLimit ?? 10);
  const api = deps.client.resource('apps/v1', 'ControllerRevision').namespace(set.metadata?.namespace ?? '');
  for (const r of doomed) {
    try {
      await api.delete(r.metadata?.name ?? '');
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
