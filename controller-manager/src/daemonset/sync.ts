// The DaemonSet reconcile: claim pods, construct history, manage pods per node, roll updates, prune history, write status.
import { selectorFromLabelSelector, type DaemonSet, type Pod, type Selector } from '@keelson/api';
import { splitKey } from '@keelson/client';
import { adoptPatch, claimObjects, controllerOf, newControllerRef, releasePatch } from '../common/controllerref';
import { errorText, toError } from '../common/errors';
import { eventObject, type DaemonSetSyncDeps } from './context';
import { manage } from './manage';
import { cleanupHistory, constructHistory, recheckDaemonSet } from './revisions';
import { rollingUpdate } from './rolling';
import { updateDaemonSetStatus } from './status';
import { hashLabel, strategyOf } from './util';

/**
 * Reconciles the DaemonSet `namespace/name` (syncDaemonSet):
 *
 *   lister get ─ gone? forget expectations ─► done
 *   selects everything? event SelectingAll ─► done;  being deleted? ─► done (the GC owns it)
 *   claim pods ─► constructHistory: current revision (its hash labels new pods), old revisions
 *   expectations unmet? ─► status only (observedGeneration unchanged)
 *   manage: per node create / delete ─► rolling update (when expectations met) ─► prune history
 *   status (observedGeneration) ─► throw the first error to requeue with back-off
 */
export async function syncDaemonSet(d: DaemonSetSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const ds = d.daemonSets.get(namespace, name);
  if (ds === undefined) {
    d.expectations.delete(key);
    return;
  }
  const sel = ds.spec?.selector;
  if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
    d.recorder.event(eventObject(ds), 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
    return;
  }
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(sel);
  } catch (e: unknown) {
    // Validation keeps these out; retrying cannot fix one.
    d.logger.error('invalid selector', { kind: 'DaemonSet', namespace, name, error: errorText(e) });
    return;
  }
  // Being deleted: its revisions may already be gone or orphaned, so neither pods nor status can be trusted to them.
  if (ds.metadata?.deletionTimestamp !== undefined) return;
  const nodes = d.nodes.list();
  const pods = await claimDaemonPods(d, ds, selector);
  const { current, old } = await constructHistory(d, ds, selector, pods);
  const hash = current.metadata?.labels?.[hashLabel] ?? '';

  if (!d.expectations.satisfied(key)) {
    await updateDaemonSetStatus(d, ds, nodes, ownedPods(d, ds, selector), hash, false);
    return;
  }
  let syncError: Error | undefined;
  try {
    await manage(d, ds, nodes, pods, hash, key);
    if (d.expectations.satisfied(key) && strategyOf(ds) === 'RollingUpdate') await rollingUpdate(d, ds, nodes, ownedPods(d, ds, selector), hash, key);
    await cleanupHistory(d, ds, old, ownedPods(d, ds, selector));
  } catch (e: unknown) {
    syncError = toError(e);
  }
  try {
    await updateDaemonSetStatus(d, ds, nodes, ownedPods(d, ds, selector), hash, true);
  } catch (e: unknown) {
    if (syncError === undefined) throw e;
    d.logger.warn('failed to update DaemonSet status', { kind: 'DaemonSet', namespace, name, error: errorText(e) });
  }
  if (syncError !== undefined) throw syncError;
}

/** The pods of `ds` in the cache: owned by it and still selected (claimed ones the cache has caught up with). */
export function ownedPods(d: DaemonSetSyncDeps, ds: DaemonSet, selector: Selector): Pod[] {
  const uid = ds.metadata?.uid;
  return d.pods
    .namespace(ds.metadata?.namespace ?? '')
    .list()
    .filter((p) => controllerOf(p)?.uid === uid && selector.matches(p.metadata?.labels));
}

/** Adopts matching orphan pods, releases owned pods no longer selected; returns this DaemonSet's pods (getDaemonPods). */
export async function claimDaemonPods(d: DaemonSetSyncDeps, ds: DaemonSet, selector: Selector): Promise<Pod[]> {
  const namespace = ds.metadata?.namespace ?? '';
  const podsApi = d.client.resource('v1', 'Pod').namespace(namespace);
  const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
  return claimObjects(d.pods.namespace(namespace).list(), {
    controller: ds,
    selector,
    canAdopt: () => recheckDaemonSet(d, ds),
    adopt: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', adoptPatch(ref, p.metadata?.uid));
    },
    release: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', releasePatch(ds.metadata?.uid ?? '', p.metadata?.uid));
    },
  });
}
