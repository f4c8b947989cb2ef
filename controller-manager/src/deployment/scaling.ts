// Scaling events and paused Deployments: resize without rolling, sharing a change out in proportion mid-rollout.
import type { Deployment, ReplicaSet } from '@keelson/api';
import type { DeploymentSyncDeps } from './context';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSet, scaleReplicaSetAndRecordEvent } from './replicasets';
import { getRollbackTo } from './rollback';
import { syncDeploymentStatus } from './status';
import { activeReplicaSets, bySizeNewer, bySizeOlder, findActiveOrLatest, getProportion, isRollingUpdate, isSaturated, maxSurge, replicasOf, specReplicas } from './util';

/** Paused or a scaling event: scale without rolling, clean up when paused, write status (sync). */
export async function syncScaling(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await scale(deps, d, newRS, oldRSs);
  if (d.spec?.paused === true && getRollbackTo(d) === undefined) await cleanupDeployment(deps, oldRSs, d);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** Only the status (being deleted). */
export async function syncStatusOnly(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** Some active ReplicaSet was last sized for a different Deployment size: the user scaled (isScalingEvent). */
export async function isScalingEvent(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  for (const rs of activeReplicaSets([...oldRSs, newRS])) {
    const desired = rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'];
    if (desired === undefined || !/^-?\d+$/.test(desired)) continue;
    if (Number(desired) !== replicasOf(d)) return true;
  }
  return false;
}

/**
 * Resizes for a scaling event: one active ReplicaSet takes the whole size; a saturated new one
 * means old ones go to zero; otherwise, mid-rollout, the change (within size + maxSurge) is
 * shared out in proportion to each ReplicaSet's size, leftovers to the largest (scale).
 */
export async function scale(deps: DeploymentSyncDeps, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest !== undefined) {
    if (replicasOf(activeOrLatest) === replicasOf(d)) return;
    await scaleReplicaSetAndRecordEvent(deps, activeOrLatest, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(deps, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  let operation: 'up' | 'down' = 'up';
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    const name = rs.metadata?.name ?? '';
    if (toAdd !== 0) {
      const p = getProportion(rs, d, toAdd, added);
      sizes.set(name, replicasOf(rs) + p);
      added += p;
    } else sizes.set(name, replicasOf(rs));
  }
  for (const [i, rs] of all.entries()) {
    const name = rs.metadata?.name ?? '';
    if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
    await scaleReplicaSet(deps, rs, sizes.get(name) ?? 0, d, operation);
  }
}

