// Rollout progress: the status during a rollout, Progressing with progressDeadlineSeconds, and the requeue that notices a stall.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '@keelson/api';
import { keyOf } from '@keelson/client';
import { parseTime } from '../common/time';
import { writeStatus, type DeploymentSyncDeps } from './context';
import { calculateStatus, sameStatus } from './status';
import { deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, newCondition, removeCondition, setCondition, setStatus } from './util';

/**
 * Writes the status of a rolling or recreating Deployment (syncRolloutStatus). With a progress
 * deadline and a rollout under way, Progressing becomes NewReplicaSetAvailable when complete,
 * is refreshed (ReplicaSetUpdated, new lastUpdateTime) on any progress, and turns False with
 * ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds. ReplicaFailure is
 * carried over from the ReplicaSets. With nothing to write, a stalled rollout is looked at
 * again when its deadline passes.
 */
export async function syncRolloutStatus(deps: DeploymentSyncDeps, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const now = deps.clock.now();
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');

  const current = getCondition(d.status, 'Progressing');
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS !== undefined ? `ReplicaSet "${newRS.metadata?.name ?? ''}"` : `Deployment "${d.metadata?.name ?? ''}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      const condition = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${subject} is progressing.`, now);
      if (current !== undefined) {
        if (current.status === 'True' && current.lastTransitionTime !== undefined) condition.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `${subject} has timed out progressing.`, now));
    }
  }

  const failure = replicaFailures(allRSs, newRS);
  if (failure !== undefined) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');

  if (sameStatus(d.status, status)) {
    requeueStuckDeployment(deps, d, status);
    return;
  }
  setStatus(d, status);
  await writeStatus(deps, d);
}

/** The ReplicaFailure condition of the new ReplicaSet, else of any old one, as a Deployment condition. */
function replicaFailures(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (c !== undefined) {
      const out: DeploymentCondition = { type: 'ReplicaFailure', status: c.status };
      if (c.reason !== undefined) out.reason = c.reason;
      if (c.message !== undefined) out.message = c.message;
      if (c.lastTransitionTime !== undefined) {
        out.lastTransitionTime = c.lastTransitionTime;
        out.lastUpdateTime = c.lastTransitionTime;
      }
      return out;
    }
  }
  return undefined;
}

/**
 * Schedules a progress check for when the deadline of a rollout that shows no progress runs
 * out: at lastUpdateTime + progressDeadlineSeconds (+1 s for clock granularity), or now
 * (rate-limited) when that is under a second away. Returns the delay, or -1 for none.
 */
export function requeueStuckDeployment(deps: DeploymentSyncDeps, d: Deployment, status: DeploymentStatus): number {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || current === undefined) return -1;
  if (deploymentComplete(d, status) || current.reason === 'ProgressDeadlineExceeded') return -1;
  const from = parseTime(current.lastUpdateTime) ?? deps.clock.now();
  const after = from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - deps.clock.now();
  if (after < 1000) {
    deps.enqueueRateLimited(keyOf(d));
    return 0;
  }
  deps.enqueueAfter(keyOf(d), after + 1000);
  return after;
}
