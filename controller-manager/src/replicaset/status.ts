// ReplicaSet status: replica counts from the owned pods, the ReplicaFailure condition, and the write to /status.
import { isStatusError, selectorFromSet, type Pod, type ReplicaSet, type ReplicaSetStatus } from '@keelson/api';
import { isPodAvailable, isPodReady } from '../common/pods';
import { timestamp } from '../common/time';

type ReplicaSetCondition = NonNullable<ReplicaSetStatus['conditions']>[number];
import type { ReplicaSetSyncDeps } from './sync';

export type ReplicaFailureReason = 'FailedCreate' | 'FailedDelete';

/** How many times a conflicting status write is retried on a fresh read before the key is requeued (statusUpdateRetries). */
export const statusUpdateRetries = 1;

/**
 * The status `pods` (active, owned) give: replicas, fullyLabeledReplicas (pods carrying every
 * template label), readyReplicas, availableReplicas (ready for minReadySeconds), and a
 * ReplicaFailure condition while creating or deleting fails (calculateStatus).
 */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, now: number): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (templateLabels.matches(p.metadata?.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && failure === undefined) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason: ReplicaFailureReason | '' = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message: manageError.message, lastTransitionTime: timestamp(now) });
  } else if (manageError === undefined && failure !== undefined) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

function sameCounts(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  return (
    (a?.replicas ?? 0) === b.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}

/**
 * Writes `status` (with observedGeneration = the generation acted on) through /status unless
 * nothing changed; a conflict is retried once on a fresh read (updateReplicaSetStatus).
 * Returns the ReplicaSet as stored.
 */
export async function updateStatus(d: ReplicaSetSyncDeps, rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet> {
  const generation = rs.metadata?.generation ?? 0;
  if (sameCounts(rs.status, status) && (rs.status?.observedGeneration ?? 0) === generation) return rs;
  const next: ReplicaSetStatus = { ...status, observedGeneration: generation };
  const api = d.client.resource('apps/v1', 'ReplicaSet').namespace(rs.metadata?.namespace ?? '');
  let current: ReplicaSet = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.updateStatus({ ...structuredClone(current), status: next });
    } catch (e: unknown) {
      if (attempt >= statusUpdateRetries || !isStatusError(e, 'Conflict')) throw e;
      current = await api.get(rs.metadata?.name ?? '');
    }
  }
}
