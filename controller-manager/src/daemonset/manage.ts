// Per node: which daemon pods to create and delete (podsShouldBeOnNode, manage), and doing it in bounded slow-start bursts (syncNodes).
import { isStatusError, type DaemonSet, type Node, type Pod } from '@keelson/api';
import { keyOf } from '@keelson/client';
import { newControllerRef } from '../common/controllerref';
import { toError } from '../common/errors';
import { isNamespaceTerminating } from '../common/podcontrol';
import { isPodAvailable, isPodReady } from '../common/pods';
import { slowStartInitialBatchSize } from '../replicaset/replicas';
import { eventObject, type DaemonSetSyncDeps } from './context';
import { nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName } from './predicates';
import { allowsSurge, compareOldestFirst, daemonPodTemplate, hashLabel } from './util';

export type DaemonSetEventReason = 'SelectingAll' | 'FailedDaemonPod' | 'SucceededDaemonPod' | 'FailedPlacement';

/** A pod to delete; `force` for a pod bound to a node that no longer exists (no kubelet will confirm a graceful delete). */
export interface PodDeletion {
  pod: Pod;
  force: boolean;
}

/**
 * Daemon pods by the node they are for (getNodesToDaemonPods): the bound node, or the node
 * their affinity names. Pods both finished and being deleted are left out unless asked for.
 */
export function nodesToDaemonPods(pods: readonly Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const phase = p.status?.phase;
    if (!includeDeletedTerminal && (phase === 'Succeeded' || phase === 'Failed') && p.metadata?.deletionTimestamp !== undefined) continue;
    const node = targetNodeName(p);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list === undefined) out.set(node, [p]);
    else list.push(p);
  }
  return out;
}

/** The key a node's failed-pod back-off is kept under (failedPodsBackoffKey). */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata?.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/**
 * What one node needs (podsShouldBeOnNode): a pod when it should run one and has none; when
 * pods may stay, failed ones go (after the node's back-off) and succeeded ones go, and of the
 * running ones only the oldest stays — with surge, the oldest new and, while the new one is not
 * yet available and the old one is ready, the oldest old; when pods may not stay, all go.
 */
export function podsShouldBeOnNode(d: DaemonSetSyncDeps, node: Node, byNode: ReadonlyMap<string, readonly Pod[]>, ds: DaemonSet, hash: string): { create: boolean; remove: Pod[] } {
  const name = node.metadata?.name ?? '';
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const daemonPods = byNode.get(name);
  const remove: Pod[] = [];
  if (shouldRun && daemonPods === undefined) return { create: true, remove };
  if (daemonPods === undefined) return { create: false, remove };
  if (!shouldContinueRunning) {
    for (const p of daemonPods) if (p.metadata?.deletionTimestamp === undefined) remove.push(p);
    return { create: false, remove };
  }
  const running: Pod[] = [];
  const ev = eventObject(ds);
  for (const p of daemonPods) {
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    const podName = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    if (p.status?.phase === 'Failed') {
      // Often a kubelet rejecting the pod: back off instead of a hot create/fail loop.
      const bk = failedPodsBackoffKey(ds, name);
      const now = d.clock.now();
      if (d.backoff.inBackoff(bk, now)) {
        d.enqueueAfter(keyOf(ds), d.backoff.get(bk));
        continue;
      }
      d.backoff.next(bk, now);
      d.recorder.event(ev, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${podName} on node ${name}, will try to kill it`);
      remove.push(p);
    } else if (p.status?.phase === 'Succeeded') {
      d.recorder.event(ev, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${podName} on node ${name}, will try to delete it`);
      remove.push(p);
    } else {
      running.push(p);
    }
  }
  if (running.length <= 1) return { create: false, remove };
  running.sort(compareOldestFirst);
  if (!allowsSurge(ds)) {
    remove.push(...running.slice(1));
    return { create: false, remove };
  }
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const p of running) {
    const isNew = p.metadata?.labels?.[hashLabel] === hash;
    if (isNew && oldestNew === undefined) oldestNew = p;
    else if (!isNew && oldestOld === undefined) oldestOld = p;
    else remove.push(p);
  }
  if (oldestNew !== undefined && oldestOld !== undefined) {
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, d.clock.now())) remove.push(oldestOld);
  }
  return { create: false, remove };
}

/**
 * Creates the missing daemon pods and deletes the ones that should go (manage). Pods for nodes
 * that no longer exist go too: unscheduled ones as Kubernetes does, and — unlike Kubernetes,
 * which leaves them to the pod garbage collector this cluster does not run — bound ones, with
 * no grace period, since no kubelet is left to confirm a graceful delete.
 */
export async function manage(d: DaemonSetSyncDeps, ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, key: string): Promise<void> {
  const byNode = nodesToDaemonPods(pods);
  const create: string[] = [];
  const remove: PodDeletion[] = [];
  for (const node of nodes) {
    const r = podsShouldBeOnNode(d, node, byNode, ds, hash);
    if (r.create) create.push(node.metadata?.name ?? '');
    for (const p of r.remove) remove.push({ pod: p, force: false });
  }
  const existing = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  for (const [node, list] of byNode) {
    if (existing.has(node)) continue;
    for (const p of list) {
      const bound = (p.spec?.nodeName ?? '') !== '';
      if (bound || p.metadata?.deletionTimestamp === undefined) remove.push({ pod: p, force: bound });
    }
  }
  await syncNodes(d, ds, key, remove, create, hash);
}

/**
 * Deletes `remove` and creates one pod for each node of `create` (syncNodes), at most
 * burstReplicas of each; creations in slow-start batches. Each pod gets the daemon
 * tolerations, the revision labels and a required node affinity for its node; the scheduler
 * binds it there. Expectations are raised first and lowered for writes never made or failed.
 */
export async function syncNodes(d: DaemonSetSyncDeps, ds: DaemonSet, key: string, remove: readonly PodDeletion[], create: readonly string[], hash: string): Promise<void> {
  const creates = create.slice(0, d.burstReplicas);
  const deletes = remove.slice(0, d.burstReplicas);
  const namespace = ds.metadata?.namespace ?? '';
  const ev = eventObject(ds);
  d.expectations.set(
    key,
    creates.length,
    deletes.map((r) => keyOf(r.pod)),
  );
  const errors: Error[] = [];
  if (creates.length > 0) {
    const template = daemonPodTemplate(ds, hash);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    let pos = 0;
    for (let batch = Math.min(creates.length, slowStartInitialBatchSize); batch > 0; batch = Math.min(2 * batch, creates.length - pos)) {
      const results = await Promise.allSettled(
        creates.slice(pos, pos + batch).map(async (nodeName) => {
          const t = structuredClone(template);
          if (t.spec !== undefined) t.spec.affinity = replaceNodeNameAffinity(t.spec.affinity, nodeName);
          await d.podControl.createPod(namespace, t, ev, ref);
        }),
      );
      pos += batch;
      let failed = false;
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        // The namespace is going away: nothing needs the pod (it will never be observed either way).
        d.expectations.creationObserved(key);
        if (isNamespaceTerminating(r.reason)) continue;
        failed = true;
        errors.push(toError(r.reason));
      }
      if (failed) {
        // Creations never attempted will never be observed; the next sync starts slowly again.
        for (let i = pos; i < creates.length; i++) d.expectations.creationObserved(key);
        d.logger.warn('failed to create daemon pods', { kind: 'DaemonSet', namespace, name: ds.metadata?.name, skipped: creates.length - pos, error: errors[0]?.message });
        break;
      }
    }
  }
  const podsApi = d.client.resource('v1', 'Pod').namespace(namespace);
  const results = await Promise.allSettled(
    deletes.map(async ({ pod, force }) => {
      const podName = pod.metadata?.name ?? '';
      if (!force) {
        await d.podControl.deletePod(namespace, podName, ev);
        return;
      }
      await podsApi.delete(podName, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
      d.recorder.event(ev, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
    }),
  );
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    const victim = deletes[i]?.pod;
    if (victim !== undefined) d.expectations.deletionObserved(key, keyOf(victim));
    if (isStatusError(r.reason, 'NotFound') || isStatusError(r.reason, 'Conflict')) return;
    errors.push(toError(r.reason));
  });
  const first = errors[0];
  if (first !== undefined) throw first;
}
