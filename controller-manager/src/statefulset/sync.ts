// The StatefulSet reconcile: claim revisions and pods, run the update algorithm, write status, prune revision history.
import {
  isStatusError,
  selectorFromLabelSelector,
  type ControllerRevision,
  type PersistentVolumeClaim,
  type Pod,
  type Selector,
  type StatefulSet,
  type StatefulSetStatus,
} from '@keelson/api';
import { splitKey, type Clock, type EventRecorder, type Lister, type Logger, type RestClient } from '@keelson/client';
import { AdoptionRefusedError, adoptPatch, claimObjects, newControllerRef, releasePatch } from '../common/controllerref';
import { errorText, toError } from '../common/errors';
import type { ControllerExpectations } from '../common/expectations';
import { updateStatefulSet } from './control';
import { isMemberOf, replicasOf } from './identity';
import { adoptOrphanRevisions, getStatefulSetRevisions, listRevisions, truncateHistory } from './revisions';

export interface StatefulSetSyncDeps {
  client: RestClient;
  sets: Lister<StatefulSet>;
  pods: Lister<Pod>;
  claims: Lister<PersistentVolumeClaim>;
  revisions: Lister<ControllerRevision>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  enqueueAfter(key: string, delayMs: number): void;
}

/**
 * Reconciles StatefulSet `namespace/name` (StatefulSetController.sync + UpdateStatefulSet):
 *
 *   gone ─► forget expectations
 *   adopt orphan revisions, claim pods (members by name, selected by labels)
 *   current / update revision (create, or renumber an equal one on rollback; collisionCount)
 *   updateStatefulSet (control.ts) ─► status (completing a rolling update) ─► /status if changed
 *   prune revisions beyond revisionHistoryLimit ─► look again after minReadySeconds
 */
export async function syncStatefulSet(deps: StatefulSetSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = deps.sets.get(namespace, name);
  if (cached === undefined) {
    deps.expectations.delete(key);
    return;
  }
  const set = structuredClone(cached);
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(set.spec?.selector);
  } catch (e: unknown) {
    // Not transient: a new spec brings a new sync.
    deps.logger.error('invalid selector', { kind: 'StatefulSet', namespace, name, error: errorText(e) });
    return;
  }
  const canAdopt = canAdoptFn(deps, set);
  await adoptOrphanRevisions(deps, set, listRevisions(deps, set, selector), canAdopt);
  const pods = await claimPods(deps, set, selector, canAdopt);
  // Adopted revisions carry the reference only in the API server so far; the list is the same set of revisions.
  const revisions = listRevisions(deps, set, selector);
  const canAct = deps.expectations.satisfied(key);

  const { current, update, collisionCount } = await getStatefulSetRevisions(deps, set, revisions);
  const outcome = await updateStatefulSet(deps, set, key, current, update, collisionCount, pods, canAct);
  let statusError: Error | undefined;
  try {
    await writeStatus(deps, set, outcome.status);
  } catch (e: unknown) {
    statusError = toError(e);
  }
  // Prune even after a failure, as Kubernetes does.
  await truncateHistory(deps, set, pods, revisions, current, update);
  if (outcome.error !== undefined) throw outcome.error;
  if (statusError !== undefined) throw statusError;

  // Pods become available minReadySeconds after Ready: look again then.
  const minReady = set.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && (outcome.status.availableReplicas ?? 0) !== replicasOf(set)) deps.enqueueAfter(key, minReady * 1000);
}

/** Re-reads the set from the API server before the first adoption: refuses if it is gone, replaced, or being deleted. */
function canAdoptFn(deps: StatefulSetSyncDeps, set: StatefulSet): () => Promise<void> {
  let checked: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    const namespace = set.metadata?.namespace ?? '';
    const fresh = await deps.client
      .resource('apps/v1', 'StatefulSet')
      .namespace(namespace)
      .get(set.metadata?.name ?? '')
      .catch((e: unknown) => {
        if (isStatusError(e, 'NotFound')) return undefined;
        throw e;
      });
    if (fresh === undefined || fresh.metadata?.uid !== set.metadata?.uid) throw new AdoptionRefusedError(`original StatefulSet ${namespace}/${set.metadata?.name ?? ''} is gone`);
    if (fresh.metadata?.deletionTimestamp !== undefined) throw new AdoptionRefusedError(`StatefulSet ${namespace}/${set.metadata?.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
  return () => (checked ??= check());
}

/** The set's pods (getPodsForStatefulSet): adopts selected orphans whose name makes them members; releases pods no longer selected. */
async function claimPods(deps: StatefulSetSyncDeps, set: StatefulSet, selector: Selector, canAdopt: () => Promise<void>): Promise<Pod[]> {
  const namespace = set.metadata?.namespace ?? '';
  const podsApi = deps.client.resource('v1', 'Pod').namespace(namespace);
  const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
  return claimObjects(deps.pods.namespace(namespace).list(), {
    controller: set,
    selector,
    filter: (p) => isMemberOf(set, p),
    canAdopt,
    adopt: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', adoptPatch(ref, p.metadata?.uid));
    },
    release: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', releasePatch(set.metadata?.uid ?? '', p.metadata?.uid));
    },
  });
}

/**
 * Completes a finished rolling update (every replica updated and ready: the update revision
 * becomes the current one) and writes status when it differs from what is stored
 * (updateStatefulSetStatus, inconsistentStatus). Conditions already there are kept.
 */
async function writeStatus(deps: StatefulSetSyncDeps, set: StatefulSet, status: StatefulSetStatus): Promise<void> {
  const next: StatefulSetStatus = { ...status };
  if (set.spec?.updateStrategy?.type !== 'OnDelete' && next.updatedReplicas === next.replicas && next.readyReplicas === next.replicas) {
    next.currentReplicas = next.updatedReplicas;
    next.currentRevision = next.updateRevision ?? '';
  }
  const old = set.status;
  const same =
    (next.observedGeneration ?? 0) <= (old?.observedGeneration ?? 0) &&
    next.replicas === (old?.replicas ?? 0) &&
    (next.readyReplicas ?? 0) === (old?.readyReplicas ?? 0) &&
    (next.currentReplicas ?? 0) === (old?.currentReplicas ?? 0) &&
    (next.updatedReplicas ?? 0) === (old?.updatedReplicas ?? 0) &&
    (next.availableReplicas ?? 0) === (old?.availableReplicas ?? 0) &&
    (next.currentRevision ?? '') === (old?.currentRevision ?? '') &&
    (next.updateRevision ?? '') === (old?.updateRevision ?? '') &&
    (next.collisionCount ?? 0) === (old?.collisionCount ?? 0);
  if (same) return;
  if (old?.conditions !== undefined) next.conditions = old.conditions;
  const copy = structuredClone(set);
  copy.status = next;
  await deps.client.resource('apps/v1', 'StatefulSet').namespace(set.metadata?.namespace ?? '').updateStatus(copy);
}
