// RollingUpdate: scale the new ReplicaSet up within maxSurge, old ones down within maxUnavailable, unhealthy old pods first.
import type { Deployment, ReplicaSet } from '@keelson/api';
import type { DeploymentSyncDeps } from './context';
import { syncRolloutStatus } from './progress';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './replicasets';
import { activeReplicaSets, availableThatStay, byCreation, deploymentComplete, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas } from './util';

/**
 * One step of a rolling update (rolloutRolling): create the new ReplicaSet if needed; scale it
 * up if the surge allows, else scale old ones down if availability allows; once complete,
 * prune old ReplicaSets; write status.
 */
export async function rolloutRolling(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  if (newRS === undefined) return;
  const allRSs = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(deps, allRSs, newRS, d)) {
    await syncRolloutStatus(deps, allRSs, newRS, d);
    return;
  }
  if (await reconcileOldReplicaSets(deps, allRSs, activeReplicaSets(oldRSs), newRS, d)) {
    await syncRolloutStatus(deps, allRSs, newRS, d);
    return;
  }
  if (d.status !== undefined && deploymentComplete(d, d.status)) await cleanupDeployment(deps, oldRSs, d);
  await syncRolloutStatus(deps, allRSs, newRS, d);
}

/** Scales the new ReplicaSet toward spec.replicas as far as maxSurge allows; true when it scaled. */
export async function reconcileNewReplicaSet(deps: DeploymentSyncDeps, allRSs: readonly ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const want = replicasOf(d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return (await scaleReplicaSetAndRecordEvent(deps, newRS, want, d)).scaled;
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
}

/**
 * Scales old ReplicaSets down as far as availability allows (reconcileOldReplicaSets):
 *   maxScaledDown = all replicas − (replicas − maxUnavailable) − unavailable pods of the new RS
 * First old ReplicaSets' unhealthy replicas (they cost no availability), then healthy ones
 * while more than the minimum are available. True when anything scaled.
 */
export async function reconcileOldReplicaSets(deps: DeploymentSyncDeps, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const { oldRSs: cleaned, scaledDown: cleanup } = await cleanupUnhealthyReplicas(deps, oldRSs, d, maxScaledDown);
  const scaled = await scaleDownOldReplicaSetsForRollingUpdate(deps, [...cleaned, newRS], cleaned, d);
  return cleanup + scaled > 0;
}

/** Scales old ReplicaSets down by their unavailable replicas, oldest first, at most `maxCleanup` in all. */
export async function cleanupUnhealthyReplicas(deps: DeploymentSyncDeps, oldRSs: readonly ReplicaSet[], d: Deployment, maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; scaledDown: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const replicas = replicasOf(rs);
    if (replicas === 0) continue;
    // A status from before a scale-down can show more available than asked for: none unhealthy then.
    const unhealthy = replicas - Math.min(replicas, rs.status?.availableReplicas ?? 0);
    if (unhealthy === 0) continue;
    const count = Math.min(maxCleanup - total, unhealthy);
    const { rs: updated } = await scaleReplicaSetAndRecordEvent(deps, rs, replicas - count, d);
    total += count;
    sorted[i] = updated;
  }
  return { oldRSs: sorted, scaledDown: total };
}

/** Scales old ReplicaSets down, oldest first, by how many available pods exceed the minimum. */
export async function scaleDownOldReplicaSetsForRollingUpdate(deps: DeploymentSyncDeps, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableThatStay(allRSs);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), target - total);
    await scaleReplicaSetAndRecordEvent(deps, rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}
