// Keeping the replica count: create missing pods in slow-start batches, delete surplus pods in Kubernetes' preferred order.
import { isStatusError, type Pod, type ReplicaSet } from '@keelson/api';
import { keyOf, ownerUidIndex } from '@keelson/client';
import { errorText, toError } from '../common/errors';
import { controllerOf, newControllerRef } from '../common/controllerref';
import { isNamespaceTerminating } from '../common/podcontrol';
import { compareForDeletion, isPodActive } from '../common/pods';
import { slowStartBatch } from '../common/slowstart';
import type { ReplicaSetSyncDeps } from './sync';

/** The first batch of a slow start (controller.SlowStartInitialBatchSize). */
export const slowStartInitialBatchSize = 1;

/**
 * Creates or deletes pods so `pods` (the active pods this ReplicaSet owns) comes to
 * `spec.replicas`, at most `burstReplicas` per sync. Expectations are raised before any write
 * and lowered for writes that will never be observed. Throws the first failure.
 */
export async function manageReplicas(d: ReplicaSetSyncDeps, pods: readonly Pod[], rs: ReplicaSet, key: string): Promise<void> {
  const want = rs.spec?.replicas ?? 1;
  const diff = pods.length - want;
  if (diff < 0) {
    const count = Math.min(-diff, d.burstReplicas);
    d.expectations.expectCreations(key, count);
    d.logger.info('too few replicas, creating', { kind: 'ReplicaSet', namespace: rs.metadata?.namespace, name: rs.metadata?.name, need: want, creating: count });
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const { successes, error } = await slowStartBatch(count, slowStartInitialBatchSize, async () => {
      try {
        await d.podControl.createPod(rs.metadata?.namespace ?? '', rs.spec?.template, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata }, ref);
      } catch (e: unknown) {
        // The namespace is going away: every create would fail, and nothing needs the pods.
        if (!isNamespaceTerminating(e)) throw e;
      }
    });
    // Pods never created will never be observed: stop waiting for them.
    for (let i = successes; i < count; i++) d.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return;
  }
  if (diff > 0) {
    const count = Math.min(diff, d.burstReplicas);
    const victims = podsToDelete(pods, relatedPods(d, rs), count, d.clock.now());
    d.logger.info('too many replicas, deleting', { kind: 'ReplicaSet', namespace: rs.metadata?.namespace, name: rs.metadata?.name, need: want, deleting: count });
    d.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    const results = await Promise.allSettled(victims.map((p) => d.podControl.deletePod(p.metadata?.namespace ?? '', p.metadata?.name ?? '', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata })));
    let first: Error | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      const victim = victims[i];
      // A deletion that failed will never be observed.
      if (victim !== undefined) d.expectations.deletionObserved(key, keyOf(victim));
      if (isStatusError(r.reason, 'NotFound')) return;
      d.logger.warn('failed to delete pod', { kind: 'ReplicaSet', namespace: rs.metadata?.namespace, name: rs.metadata?.name, pod: victim?.metadata?.name, error: errorText(r.reason) });
      first ??= toError(r.reason);
    });
    if (first !== undefined) throw first;
  }
}

/**
 * The `count` pods to delete first: ranked by Kubernetes' ActivePodsWithRanks, where a pod's
 * rank is how many related pods (of every ReplicaSet with the same controller) share its node.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}

/** Pods of every ReplicaSet that shares this one's controller (just its own when it has none). */
export function relatedPods(d: ReplicaSetSyncDeps, rs: ReplicaSet): Pod[] {
  const ref = controllerOf(rs);
  const ns = rs.metadata?.namespace ?? '';
  const siblings = ref === undefined ? [rs] : d.replicaSets.byIndex(ownerUidIndex, ref.uid).filter((r) => r.metadata?.namespace === ns && controllerOf(r)?.uid === ref.uid);
  const seen = new Set<string>();
  const out: Pod[] = [];
  for (const sibling of siblings) {
    for (const p of d.pods.byIndex(ownerUidIndex, sibling.metadata?.uid ?? '')) {
      const uid = p.metadata?.uid ?? '';
      if (seen.has(uid) || p.metadata?.namespace !== ns) continue;
      seen.add(uid);
      out.push(p);
    }
  }
  return out;
}
