// Deployment status: counts from the ReplicaSets, the Available condition, the paused/resumed Progressing condition.
import type { Deployment, DeploymentStatus, ReplicaSet } from '@keelson/api';
import { writeStatus, type DeploymentSyncDeps } from './context';
import {
  availableReplicas,
  getCondition,
  hasProgressDeadline,
  maxUnavailable,
  newCondition,
  readyReplicas,
  replicasOf,
  setCondition,
  setStatus,
  specReplicas,
  statusReplicas,
} from './util';

/** The Deployment status the ReplicaSets give, with the Available condition (calculateStatus). */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const total = specReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: statusReplicas(allRSs),
    updatedReplicas: statusReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions !== undefined) status.conditions = [...d.status.conditions];
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  else setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  return status;
}

/** Writes the calculated status when it differs (syncDeploymentStatus). */
export async function syncDeploymentStatus(deps: DeploymentSyncDeps, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, deps.clock.now());
  if (sameStatus(d.status, status)) return;
  setStatus(d, status);
  await writeStatus(deps, d);
}

export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return JSON.stringify(normalizeStatus(a ?? {})) === JSON.stringify(normalizeStatus(b));
}

function normalizeStatus(s: DeploymentStatus): unknown {
  return {
    observedGeneration: s.observedGeneration ?? 0,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    collisionCount: s.collisionCount,
    conditions: s.conditions ?? [],
  };
}

/** Updates the Progressing condition for paused/resumed Deployments so a pause never reads as lack of progress. */
export async function checkPausedConditions(deps: DeploymentSyncDeps, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') return;
  const pausedCondExists = cond?.reason === 'DeploymentPaused';
  const status: DeploymentStatus = { ...d.status };
  const now = deps.clock.now();
  if (d.spec?.paused === true && !pausedCondExists) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now));
  else if (d.spec?.paused !== true && pausedCondExists) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now));
  else return;
  setStatus(d, status);
  await writeStatus(deps, d);
}

