// DaemonSet status: per-node counts (desired, current, misscheduled, ready, available, updated) and the write to /status.
import { isStatusError, type DaemonSet, type DaemonSetStatus, type Node, type Pod } from '@keelson/api';
import { keyOf } from '@keelson/client';
import { isPodAvailable, isPodReady } from '../common/pods';
import type { DaemonSetSyncDeps } from './context';
import { nodesToDaemonPods } from './manage';
import { nodeShouldRunDaemonPod } from './predicates';
import { compareOldestFirst, isPodUpdated, templateGeneration } from './util';

/** Conflicting status writes retried on a fresh read before the key is requeued (StatusUpdateRetries). */
export const statusUpdateRetries = 1;

export type DaemonSetCounts = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

/**
 * The counts `pods` give over `nodes` (updateDaemonSetStatus): on each node that should run a
 * pod, the oldest daemon pod there decides ready, available and updated; a pod on a node that
 * should not run one is misscheduled; numberUnavailable is desired − available.
 */
export function calculateCounts(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number): DaemonSetCounts {
  const byNode = nodesToDaemonPods(pods);
  const generation = templateGeneration(ds);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const onNode = byNode.get(node.metadata?.name ?? '') ?? [];
    const scheduled = onNode.length > 0;
    if (!shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...onNode].sort(compareOldestFirst)[0] as Pod;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

function sameCounts(status: DaemonSetStatus | undefined, c: DaemonSetCounts): boolean {
  return (Object.keys(c) as (keyof DaemonSetCounts)[]).every((k) => (status?.[k] ?? 0) === c[k]);
}

/**
 * Computes and stores the status (storeDaemonSetStatus): nothing is written when the counts
 * are unchanged and observedGeneration is current; observedGeneration is raised only when this
 * sync acted on the generation. A conflict is retried once on a fresh read. With
 * minReadySeconds, ready pods become available by the clock alone: the DaemonSet is looked at
 * again then.
 */
export async function updateDaemonSetStatus(d: DaemonSetSyncDeps, ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, updateObservedGeneration: boolean): Promise<void> {
  const counts = calculateCounts(ds, nodes, pods, hash, d.clock.now());
  const minReady = ds.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && counts.numberReady !== counts.numberAvailable) d.enqueueAfter(keyOf(ds), minReady * 1000);
  const generation = ds.metadata?.generation ?? 0;
  if (sameCounts(ds.status, counts) && (ds.status?.observedGeneration ?? 0) >= generation) return;
  const api = d.client.resource('apps/v1', 'DaemonSet').namespace(ds.metadata?.namespace ?? '');
  let current: DaemonSet = ds;
  for (let attempt = 0; ; attempt++) {
    const status: DaemonSetStatus = { ...current.status, ...counts };
    if (updateObservedGeneration) status.observedGeneration = generation;
    try {
      await api.updateStatus({ ...structuredClone(current), status });
      return;
    } catch (e: unknown) {
      if (attempt >= statusUpdateRetries || !isStatusError(e, 'Conflict')) throw e;
      current = await api.get(ds.metadata?.name ?? '');
    }
  }
}
