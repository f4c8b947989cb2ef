// The StatefulSet update algorithm (stateful_set_control.go): replicas in order, condemned pods in reverse, rolling update from the top.
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '@keelson/api';
import { keyOf } from '@keelson/client';
import { toError } from '../common/errors';
import { slowStartBatch } from '../common/slowstart';
import {
  allowsBurst,
  applyRevision,
  identityMatches,
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newVersionedStatefulSetPod,
  ordinalOf,
  podInOrdinalRange,
  podRevision,
  replicasOf,
  startOrdinal,
  storageMatches,
} from './identity';
import { claimsMatchRetentionPolicy, createMissingClaims, createStatefulPod, deleteStatefulPod, podClaimIsStale, updatePodClaimsForRetentionPolicy, updateStatefulPod } from './podcontrol';
import type { StatefulSetSyncDeps } from './sync';

/** What one pass decided: the status to write and the error that cut it short, if any. */
export interface UpdateOutcome {
  status: StatefulSetStatus;
  error: Error | undefined;
}

/**
 * Replica counts over pod lists (updateStatus/computeReplicaStatus): made pods; Running and
 * Ready ones, and of those the ones available for minReadySeconds; and, among made pods not
 * being deleted, those at the current and at the update revision.
 */
export function countReplicas(status: StatefulSetStatus, minReadySeconds: number, now: number, current: ControllerRevision, update: ControllerRevision, ...lists: readonly (readonly Pod[])[]): void {
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let currentReplicas = 0;
  let updated = 0;
  for (const list of lists) {
    for (const pod of list) {
      if (isCreated(pod)) replicas++;
      if (isRunningAndReady(pod)) {
        ready++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) available++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = podRevision(pod);
        if (rev === current.metadata?.name) currentReplicas++;
        if (rev === update.metadata?.name) updated++;
      }
    }
  }
  status.replicas = replicas;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  status.currentReplicas = currentReplicas;
  status.updatedReplicas = updated;
}

/** The step a pass stopped at, for logs and tests. */
type Stop = { stop: true } | { stop: false };
const STOP: Stop = { stop: true };
const GO: Stop = { stop: false };

interface Pass {
  deps: StatefulSetSyncDeps;
  set: StatefulSet;
  key: string;
  current: ControllerRevision;
  update: ControllerRevision;
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  monotonic: boolean;
  now: number;
}

/**
 * One reconcile of a StatefulSet's pods against its current and update revisions
 * (updateStatefulSet):
 *
 *   pods ─► replicas [start, start+replicas) by ordinal (missing ones built at the revision
 *           their ordinal is due: below the partition the current one) + condemned (the rest,
 *           highest ordinal first)
 *   replicas: failed/succeeded ─► delete (recreated once gone); missing ─► claims, then pod;
 *             OrderedReady stops at the first pod it made or that is not Running, Ready and
 *             available; identity, storage and claim references repaired
 *   condemned: claim references for whenScaled; OrderedReady deletes the highest one once every
 *              replica is healthy, one at a time; Parallel deletes them all
 *   RollingUpdate: delete the highest ordinal ≥ partition not at the update revision, once the
 *                  ones above it are healthy; OnDelete: nothing (users delete pods)
 *
 * With `canAct` false (expectations of an earlier pass not yet observed) or the set being
 * deleted only the status is computed. Pod creations and deletions are counted as
 * expectations; a pass makes one batch of them (Kubernetes may also create and delete in
 * the same pass of a Parallel set; here the deletion waits for the next pass).
 */
export async function updateStatefulSet(
  deps: StatefulSetSyncDeps,
  set: StatefulSet,
  key: string,
  current: ControllerRevision,
  update: ControllerRevision,
  collisionCount: number,
  pods: readonly Pod[],
  canAct: boolean,
): Promise<UpdateOutcome> {
  const now = deps.clock.now();
  const p: Pass = { deps, set, key, current, update, currentSet: applyRevision(set, current), updateSet: applyRevision(set, update), monotonic: !allowsBurst(set), now };
  const status: StatefulSetStatus = {
    replicas: 0,
    observedGeneration: set.metadata?.generation ?? 0,
    currentRevision: current.metadata?.name ?? '',
    updateRevision: update.metadata?.name ?? '',
    collisionCount,
  };
  const minReady = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const slots: (Pod | undefined)[] = Array.from({ length: count }, () => undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(pod);
    if (podInOrdinalRange(pod, set)) slots[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  const replicas: Pod[] = slots.map((pod, i) => pod ?? newVersionedStatefulSetPod(p.currentSet, p.updateSet, status.currentRevision ?? '', status.updateRevision ?? '', start + i));
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const recount = (): void => countReplicas(status, minReady, now, current, update, replicas, condemned);
  recount();

  // The lowest unhealthy replica, else the lowest unhealthy condemned pod.
  const firstUnhealthy = replicas.find((r) => !isHealthy(r)) ?? [...condemned].reverse().find((c) => !isHealthy(c));

  if (set.metadata?.deletionTimestamp !== undefined || !canAct) return { status, error: undefined };

  try {
    if ((await processReplicas(p, replicas)).stop) {
      recount();
      return { status, error: undefined };
    }
    for (const pod of condemned) {
      if (!claimsMatchRetentionPolicy(deps, p.updateSet, pod)) await updatePodClaimsForRetentionPolicy(deps, p.updateSet, pod);
    }
    if ((await processCondemned(p, condemned, firstUnhealthy)).stop) {
      recount();
      return { status, error: undefined };
    }
    recount();
    if (set.spec?.updateStrategy?.type === 'OnDelete') return { status, error: undefined };
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    // The highest ordinal not at the update revision goes first, once every pod above it is healthy.
    for (let target = replicas.length - 1; target >= partition; target--) {
      const pod = replicas[target];
      if (pod === undefined) continue;
      if (podRevision(pod) !== update.metadata?.name && !isTerminating(pod)) {
        deps.logger.info('pod of StatefulSet is terminating for update', { kind: 'StatefulSet', namespace: set.metadata?.namespace, name: set.metadata?.name, pod: pod.metadata?.name });
        await deletePods(p, [pod]);
        status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        return { status, error: undefined };
      }
      if (!isHealthy(pod)) return { status, error: undefined };
    }
    return { status, error: undefined };
  } catch (e: unknown) {
    recount();
    return { status, error: toError(e) };
  }
}

/** The replicas pass (processReplica for each): see updateStatefulSet. */
async function processReplicas(p: Pass, replicas: Pod[]): Promise<Stop> {
  const { deps, set } = p;
  // Pods that finished are deleted; the pod is made again once the deletion is seen.
  const finished = replicas.filter((r) => isCreated(r) && !isTerminating(r) && (isFailed(r) || isSucceeded(r)));
  const toDelete = p.monotonic ? finished.slice(0, 1) : finished;
  if (p.monotonic && finished[0] !== undefined && replicas.indexOf(finished[0]) > firstBlocking(p, replicas)) {
    // An earlier replica holds an OrderedReady set back: the finished pod waits its turn.
  } else if (toDelete.length > 0) {
    for (const r of toDelete) {
      if (isFailed(r)) deps.recorder.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata?.namespace ?? ''}/${set.metadata?.name ?? ''} is recreating failed Pod ${r.metadata?.name ?? ''}`);
      else deps.recorder.event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata?.namespace ?? ''}/${set.metadata?.name ?? ''} is recreating terminated Pod ${r.metadata?.name ?? ''}`);
    }
    await deletePods(p, toDelete);
    return STOP;
  }

  if (!p.monotonic) {
    const missing = replicas.filter((r) => !isCreated(r) && !podClaimIsStale(deps, set, r));
    if (missing.length > 0) {
      await createPods(p, missing);
      return STOP;
    }
  }
  for (const r of replicas) {
    if (!isCreated(r)) {
      // A claim still owned by an earlier pod of this name is about to be garbage collected.
      if (podClaimIsStale(deps, set, r)) return STOP;
      await createPods(p, [r]);
      return STOP;
    }
    if (isPending(r)) await createMissingClaims(deps, set, r);
    if (p.monotonic) {
      // Each pod waits for all of its predecessors to be Running, Ready and available.
      if (isTerminating(r) || !isRunningAndReady(r) || !isRunningAndAvailable(r, set.spec?.minReadySeconds ?? 0, p.now)) return STOP;
    }
    if (!identityMatches(set, r) || !storageMatches(set, r) || !claimsMatchRetentionPolicy(deps, p.updateSet, r)) await updateStatefulPod(deps, p.updateSet, r);
  }
  return GO;
}

/** Index of the first replica an OrderedReady set waits on (not made, or not healthy and available); replicas.length if none. */
function firstBlocking(p: Pass, replicas: readonly Pod[]): number {
  const minReady = p.set.spec?.minReadySeconds ?? 0;
  const i = replicas.findIndex((r) => !isCreated(r) || isTerminating(r) || !isRunningAndReady(r) || !isRunningAndAvailable(r, minReady, p.now));
  return i < 0 ? replicas.length : i;
}

/** The condemned pass (processCondemned for each): see updateStatefulSet. */
async function processCondemned(p: Pass, condemned: readonly Pod[], firstUnhealthy: Pod | undefined): Promise<Stop> {
  const minReady = p.set.spec?.minReadySeconds ?? 0;
  if (!p.monotonic) {
    const doomed = condemned.filter((c) => !isTerminating(c));
    if (doomed.length === 0) return GO;
    await deletePods(p, doomed);
    return STOP;
  }
  for (const c of condemned) {
    // Wait for the previous deletion to finish.
    if (isTerminating(c)) return STOP;
    // Only the first unhealthy pod may go while unhealthy; others wait for it.
    if ((!isRunningAndReady(c) || !isRunningAndAvailable(c, minReady, p.now)) && c !== firstUnhealthy) return STOP;
    p.deps.logger.info('pod of StatefulSet is terminating for scale down', { kind: 'StatefulSet', namespace: p.set.metadata?.namespace, name: p.set.metadata?.name, pod: c.metadata?.name });
    await deletePods(p, [c]);
    return STOP;
  }
  return GO;
}

/** Creates pods (slow start), expecting each creation; one that fails is no longer expected. */
async function createPods(p: Pass, pods: readonly Pod[]): Promise<void> {
  p.deps.expectations.expectCreations(p.key, pods.length);
  let next = 0;
  const res = await slowStartBatch(pods.length, 1, async () => {
    const pod = pods[next++];
    if (pod === undefined) return;
    try {
      await createStatefulPod(p.deps, p.updateSet, pod);
    } catch (e: unknown) {
      p.deps.expectations.creationObserved(p.key);
      throw e;
    }
  });
  // Those never tried will not appear either.
  for (let i = next; i < pods.length; i++) p.deps.expectations.creationObserved(p.key);
  if (res.error !== undefined) throw res.error;
}

/** Deletes pods (all at once), expecting each deletion; one that fails is no longer expected. */
async function deletePods(p: Pass, pods: readonly Pod[]): Promise<void> {
  const keys = pods.map((pod) => keyOf(pod));
  p.deps.expectations.expectDeletions(p.key, keys);
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      try {
        await deleteStatefulPod(p.deps, p.set, pod);
      } catch (e: unknown) {
        p.deps.expectations.deletionObserved(p.key, keyOf(pod));
        throw e;
      }
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw toError(failed.reason);
}
