// The Deployment reconcile: claim ReplicaSets, then by state and strategy: status only, paused, rollback, scaling, Recreate or RollingUpdate.
import { isStatusError, selectorFromLabelSelector, type Deployment, type ReplicaSet, type Selector } from '@keelson/api';
import { splitKey } from '@keelson/client';
import { AdoptionRefusedError, adoptPatch, claimObjects, controllerOf, newControllerRef, releasePatch } from '../common/controllerref';
import { errorText } from '../common/errors';
import { writeStatus, type DeploymentSyncDeps, type PodMap } from './context';
import { rolloutRecreate } from './recreate';
import { getRollbackTo, rollback } from './rollback';
import { rolloutRolling } from './rolling';
import { isScalingEvent, syncScaling, syncStatusOnly } from './scaling';
import { checkPausedConditions } from './status';
import { setStatus } from './util';

/**
 * Reconciles the Deployment `namespace/name` (syncDeployment):
 *
 *   lister get ─ gone? ─► done          (its ReplicaSets go with it through the garbage collector)
 *   copy ─► claim ReplicaSets ─► pods by ReplicaSet
 *     ├ being deleted ─────────► status only
 *     ├ paused (conditions) ───► sync: scale proportionally, clean up, status
 *     ├ rollback annotation ───► rollback.ts: template from the old revision
 *     ├ scaling event ─────────► sync
 *     ├ Recreate ──────────────► recreate.ts: old to zero, wait for their pods, new to full
 *     └ RollingUpdate ─────────► rolling.ts: new up within maxSurge, old down within maxUnavailable
 *                                 └► progress.ts: status and Available/Progressing conditions
 */
export async function syncDeployment(deps: DeploymentSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = deps.deployments.get(namespace, name);
  if (cached === undefined) return;
  const d = structuredClone(cached);

  const sel = d.spec?.selector;
  if (sel !== undefined && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
    deps.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
      setStatus(d, { ...d.status, observedGeneration: d.metadata?.generation ?? 0 });
      await writeStatus(deps, d);
    }
    return;
  }
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(sel);
  } catch (e: unknown) {
    deps.logger.error('invalid selector', { kind: 'Deployment', namespace, name, error: errorText(e) });
    return;
  }

  const rsList = await claimReplicaSets(deps, d, selector);
  const podMap = podMapFor(deps, d, selector, rsList);

  if (d.metadata?.deletionTimestamp !== undefined) {
    await syncStatusOnly(deps, d, rsList);
    return;
  }
  await checkPausedConditions(deps, d);
  if (d.spec?.paused === true) {
    await syncScaling(deps, d, rsList);
    return;
  }
  if (getRollbackTo(d) !== undefined) {
    await rollback(deps, d, rsList);
    return;
  }
  if (await isScalingEvent(deps, d, rsList)) {
    await syncScaling(deps, d, rsList);
    return;
  }
  if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(deps, d, rsList, podMap);
  else await rolloutRolling(deps, d, rsList);
}

/** Adopts matching orphan ReplicaSets, releases owned ones that stopped matching; returns the owned ones. */
export async function claimReplicaSets(deps: DeploymentSyncDeps, d: Deployment, selector: Selector): Promise<ReplicaSet[]> {
  const namespace = d.metadata?.namespace ?? '';
  const all = deps.replicaSets.namespace(namespace).list();
  const api = deps.client.resource('apps/v1', 'ReplicaSet').namespace(namespace);
  const ref = newControllerRef(d, 'apps/v1', 'Deployment');
  return claimObjects(all, {
    controller: d,
    selector,
    canAdopt: async () => {
      const fresh = await deps.client
        .resource('apps/v1', 'Deployment')
        .namespace(namespace)
        .get(d.metadata?.name ?? '')
        .catch((e: unknown) => {
          if (isStatusError(e, 'NotFound')) return undefined;
          throw e;
        });
      if (fresh === undefined || fresh.metadata?.uid !== d.metadata?.uid) throw new AdoptionRefusedError(`original Deployment ${namespace}/${d.metadata?.name ?? ''} is gone`);
      if (fresh.metadata?.deletionTimestamp !== undefined) throw new AdoptionRefusedError(`Deployment ${namespace}/${d.metadata?.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    },
    adopt: async (rs) => {
      await api.patch(rs.metadata?.name ?? '', 'strategic', adoptPatch(ref, rs.metadata?.uid));
    },
    release: async (rs) => {
      await api.patch(rs.metadata?.name ?? '', 'strategic', releasePatch(d.metadata?.uid ?? '', rs.metadata?.uid));
    },
  });
}

/** The Deployment's pods grouped by the ReplicaSet that controls them (getPodMapForDeployment). */
export function podMapFor(deps: DeploymentSyncDeps, d: Deployment, selector: Selector, rsList: ReplicaSet[]): PodMap {
  const map: PodMap = new Map(rsList.map((rs) => [rs.metadata?.uid ?? '', []]));
  for (const p of deps.pods.namespace(d.metadata?.namespace ?? '').list(selector)) {
    const ref = controllerOf(p);
    if (ref !== undefined) map.get(ref.uid)?.push(p);
  }
  return map;
}
