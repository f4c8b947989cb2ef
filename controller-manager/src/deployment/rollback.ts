// Rollback: the deprecated.deployment.rollback.to annotation (apps/v1's spec.rollbackTo) puts an old revision's template back.
import type { Deployment, ReplicaSet } from '@keelson/api';
import { writeAnnotations, type DeploymentSyncDeps } from './context';
import { getAllReplicaSetsAndSyncRevision } from './replicasets';
import { equalIgnoreHash, lastRevision, podTemplateHashLabel, revisionOf, rollbackToAnnotation, setDeploymentAnnotationsTo } from './util';

/**
 * The revision to roll back to, from the annotation; 0 means the previous revision. Undefined
 * when there is none or it is not a number.
 *
 * `kubectl rollout undo` does not need this: it writes the old ReplicaSet's template (and
 * annotations) into the Deployment itself, and the ordinary sync finds that ReplicaSet as the
 * new one and raises its revision, keeping the old number in revision-history.
 */
export function getRollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[rollbackToAnnotation];
  if (v === undefined || v === '' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Rolls back to the requested revision (rollback): copies that ReplicaSet's template and
 * annotations into the Deployment and clears the request in one update; the next sync rolls
 * out that template. A revision that cannot be found, or one whose template is the current
 * one, only clears the request, with a warning event.
 */
export async function rollback(deps: DeploymentSyncDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  const all = [...oldRSs, ...(newRS !== undefined ? [newRS] : [])];
  let target = getRollbackTo(d) ?? 0;
  if (target === 0) {
    target = lastRevision(all);
    if (target === 0) {
      deps.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find last revision.');
      await clearRollbackTo(deps, d);
      return;
    }
  }
  const rs = all.find((r) => revisionOf(r) === target);
  if (rs === undefined) {
    deps.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    await clearRollbackTo(deps, d);
    return;
  }
  if (equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
    deps.recorder.event(d, 'Warning', 'DeploymentRollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment "${d.metadata?.name ?? ''}"`);
    await clearRollbackTo(deps, d);
    return;
  }
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels !== undefined) delete template.metadata.labels[podTemplateHashLabel];
  if (d.spec !== undefined) d.spec.template = template;
  setDeploymentAnnotationsTo(d, rs);
  delete d.metadata?.annotations?.[rollbackToAnnotation];
  await deps.client.resource('apps/v1', 'Deployment').namespace(d.metadata?.namespace ?? '').update(d);
  deps.recorder.event(d, 'Normal', 'DeploymentRollback', `Rolled back deployment "${d.metadata?.name ?? ''}" to revision ${target}`);
}

async function clearRollbackTo(deps: DeploymentSyncDeps, d: Deployment): Promise<void> {
  delete d.metadata?.annotations?.[rollbackToAnnotation];
  await writeAnnotations(deps, d, { [rollbackToAnnotation]: null });
}
