// Recreate: every old pod goes before any new pod starts.
import type { Deployment, ReplicaSet } from '@keelson/api';
import type { DeploymentSyncDeps, PodMap } from './context';
import { syncRolloutStatus } from './progress';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './replicasets';
import { activeReplicaSets, deploymentComplete, replicasOf, statusReplicas } from './util';

/**
 * One step of a Recreate rollout (rolloutRecreate): scale old ReplicaSets to zero; wait until
 * none of their pods is left running (terminating ones included); only then create the new
 * ReplicaSet and scale it to full size; prune once complete; write status.
 */
export async function rolloutRecreate(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(deps, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) {
    await syncRolloutStatus(deps, allRSs, newRS, d);
    return;
  }
  if (newRS === undefined) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS !== undefined) await scaleReplicaSetAndRecordEvent(deps, newRS, replicasOf(d), d);
  if (d.status !== undefined && deploymentComplete(d, d.status)) await cleanupDeployment(deps, oldRSs, d);
  await syncRolloutStatus(deps, allRSs, newRS, d);
}

/** Whether any pod of an old ReplicaSet may still run: reported by their status, or in the cache and not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (statusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS !== undefined && newRS.metadata?.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
