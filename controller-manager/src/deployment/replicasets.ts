// The Deployment's ReplicaSets: the new one found or created (pod-template-hash, revision), scaling one, and pruning old ones.
import { isStatusError, type Deployment, type DeploymentStatus, type ReplicaSet } from '@keelson/api';
import { controllerOf, newControllerRef } from '../common/controllerref';
import { errorText } from '../common/errors';
import { computeHash } from '../common/hash';
import { isNamespaceTerminating } from '../common/podcontrol';
import { writeAnnotations, writeStatus, type DeploymentSyncDeps } from './context';
import {
  byCreation,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  maxRevision,
  maxSurge,
  newCondition,
  newRSNewReplicas,
  podTemplateHashLabel,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionAnnotation,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  setStatus,
} from './util';

/**
 * The new ReplicaSet (template equal to the Deployment's) and all old ones, with revisions in
 * step: the new one gets max(old revisions) + 1 (a rollback raises an old ReplicaSet's
 * revision this way) and the Deployment carries the new one's revision. With `create`, a
 * missing new ReplicaSet is created (getAllReplicaSetsAndSyncRevision).
 */
export async function getAllReplicaSetsAndSyncRevision(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
  const oldRSs = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, d, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  const now = deps.clock.now();
  const namespace = d.metadata?.namespace ?? '';
  const rsApi = deps.client.resource('apps/v1', 'ReplicaSet').namespace(namespace);

  if (existing !== undefined) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
    const minReadyChanged = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      if (rsCopy.spec !== undefined) rsCopy.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      const updated = await rsApi.update(rsCopy);
      // Later steps of this sync see the ReplicaSet as written, not the stale cached copy.
      rsList[rsList.indexOf(existing)] = updated;
      return updated;
    }
    const revision = rsCopy.metadata?.annotations?.[revisionAnnotation] ?? '';
    if (setDeploymentRevision(d, revision)) await writeAnnotations(deps, d, { [revisionAnnotation]: revision });
    // A Deployment that never reported progress starts being measured from here.
    if (hasProgressDeadline(d) && getCondition(d.status, 'Progressing') === undefined) {
      const status: DeploymentStatus = { ...d.status };
      setCondition(status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rsCopy.metadata?.name ?? ''}"`, now));
      setStatus(d, status);
      await writeStatus(deps, d);
    }
    return rsCopy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  const labels = { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash };
  template.metadata = { ...template.metadata, labels };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata?.name ?? ''}-${hash}`, namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    // As Kubernetes sends it: status.replicas is a required field of ReplicaSetStatus.
    status: { replicas: 0 },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  if (rs.spec !== undefined) rs.spec.replicas = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await rsApi.create(rs);
  } catch (e: unknown) {
    if (isStatusError(e, 'AlreadyExists')) {
      // A slow cache, or a hash collision with a ReplicaSet of another template.
      const found = deps.replicaSets.get(namespace, rs.metadata?.name ?? '');
      if (found !== undefined && controllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        created = found;
        alreadyExists = true;
      } else {
        const before = d.status?.collisionCount ?? 0;
        setStatus(d, { ...d.status, collisionCount: before + 1 });
        await writeStatus(deps, d);
        deps.logger.info('hash collision: bumping collisionCount', { kind: 'Deployment', namespace, name: d.metadata?.name, collisionCount: before + 1 });
        throw e;
      }
    } else if (isNamespaceTerminating(e)) {
      throw e;
    } else {
      const msg = `Failed to create new replica set "${rs.metadata?.name ?? ''}": ${errorText(e)}`;
      if (hasProgressDeadline(d)) {
        const status: DeploymentStatus = { ...d.status };
        setCondition(status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, now));
        setStatus(d, status);
        await writeStatus(deps, d).catch(() => undefined);
      }
      deps.recorder.event(d, 'Warning', 'ReplicaSetCreateError', msg);
      throw e;
    }
  }
  if (!rsList.some((r) => r.metadata?.uid === created.metadata?.uid)) rsList.push(created);
  if (!alreadyExists && replicas > 0) deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} to ${replicas}`);
  if (setDeploymentRevision(d, String(newRevision))) await writeAnnotations(deps, d, { [revisionAnnotation]: String(newRevision) });
  if (!alreadyExists && hasProgressDeadline(d)) {
    const status: DeploymentStatus = { ...d.status };
    setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata?.name ?? ''}"`, now));
    setStatus(d, status);
    await writeStatus(deps, d);
  }
  return created;
}

/** Scales when the size differs; true and the stored ReplicaSet when it did. */
export async function scaleReplicaSetAndRecordEvent(deps: DeploymentSyncDeps, rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(deps, rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
}

/** Writes spec.replicas and the desired/max annotations (update, compare-and-swap on the cached resourceVersion). */
export async function scaleReplicaSet(deps: DeploymentSyncDeps, rs: ReplicaSet, newScale: number, d: Deployment, operation: 'up' | 'down'): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const sizeChanged = replicasOf(rs) !== newScale;
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  if (copy.spec !== undefined) copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await deps.client.resource('apps/v1', 'ReplicaSet').namespace(rs.metadata?.namespace ?? '').update(copy);
  if (sizeChanged) {
    deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata?.name ?? ''} from ${replicasOf(rs)} to ${newScale}`);
    deps.logger.info('scaled replica set', { kind: 'Deployment', namespace: d.metadata?.namespace, name: d.metadata?.name, replicaSet: rs.metadata?.name, from: replicasOf(rs), to: newScale });
  }
  return { scaled: sizeChanged, rs: updated };
}

// ---- cleanup and status

/**
 * Deletes the oldest old ReplicaSets beyond revisionHistoryLimit, only those scaled to zero
 * with no pods and a status that has caught up (cleanupDeployment).
 */
export async function cleanupDeployment(deps: DeploymentSyncDeps, oldRSs: readonly ReplicaSet[], d: Deployment): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp === undefined).sort(byCreation);
  const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 10);
  if (diff <= 0) return;
  const api = deps.client.resource('apps/v1', 'ReplicaSet').namespace(d.metadata?.namespace ?? '');
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await api.delete(rs.metadata?.name ?? '');
      deps.logger.info('deleted old replica set beyond the revision history limit', { kind: 'Deployment', namespace: d.metadata?.namespace, name: d.metadata?.name, replicaSet: rs.metadata?.name });
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}

