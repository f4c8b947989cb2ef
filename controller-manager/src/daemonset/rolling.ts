// DaemonSet RollingUpdate: replace old pods node by node within maxUnavailable, or start new ones beside them within maxSurge.
import type { DaemonSet, Node, Pod } from '@keelson/api';
import { isPodAvailable } from '../common/pods';
import type { DaemonSetSyncDeps } from './context';
import { nodeShouldRunDaemonPod } from './predicates';
import { nodesToDaemonPods, syncNodes, type PodDeletion } from './manage';
import { isPodUpdated, surgeCount, templateGeneration, unavailableCount } from './util';

/** The bounds of one rolling-update step (updatedDesiredNodeCounts). */
export interface RollingBounds {
  maxSurge: number;
  maxUnavailable: number;
  desired: number;
}

/**
 * maxSurge and maxUnavailable scaled to the nodes that should run a pod (both rounded up, as
 * Kubernetes does for DaemonSets); both 0 is read as maxUnavailable 1. Adds an empty entry to
 * `byNode` for every such node without pods, so it counts.
 */
export function rollingBounds(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>): RollingBounds {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata?.name ?? '';
    if (!byNode.has(name)) byNode.set(name, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/**
 * The one old and one new pod on a node, not counting pods being deleted; undefined when there
 * are two of either — the manage loop prunes those first (findUpdatedPodsOnNode).
 */
export function updatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = templateGeneration(ds);
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (newPod !== undefined) return undefined;
      newPod = p;
    } else {
      if (oldPod !== undefined) return undefined;
      oldPod = p;
    }
  }
  return { ...(newPod !== undefined ? { newPod } : {}), ...(oldPod !== undefined ? { oldPod } : {}) };
}

/**
 * One step of a rolling update (rollingUpdate), over `pods` (this DaemonSet's, from the cache).
 *
 * Without surge: nodes with no pod, with both pods, with too many, or with an unavailable new
 * pod count as unavailable; old pods that are unavailable are deleted at once (they serve
 * nothing); available old pods are deleted while the unavailable count stays within
 * maxUnavailable. The manage loop then creates the new pods.
 *
 * With surge: a new pod is created beside an old unavailable one at once, and beside old
 * available ones while new-but-not-yet-available pods stay within maxSurge; an old pod goes
 * once the new pod beside it is available. Old pods on nodes the DaemonSet no longer wants go
 * only while more pods are available than nodes are desired.
 */
export async function rollingUpdate(d: DaemonSetSyncDeps, ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, key: string): Promise<void> {
  const byNode = nodesToDaemonPods(pods);
  const { maxSurge, maxUnavailable, desired } = rollingBounds(ds, nodes, byNode);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const now = d.clock.now();
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const shouldRun = (name: string): boolean => {
    const node = nodeByName.get(name);
    return node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
  };
  // Kubernetes walks a Go map (random order); node-name order makes each step predictable.
  const entries = [...byNode.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, list] of entries) {
      const found = updatedPodsOnNode(ds, list, hash);
      if (found === undefined) {
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((oldPod === undefined) === (newPod === undefined)) {
        // Nothing there, or both: the manage loop creates or deletes; count it unavailable.
        numUnavailable++;
      } else if (newPod !== undefined) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod !== undefined) {
        if (!available(oldPod)) {
          replacements.push(oldPod);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidates.push(oldPod);
        }
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    const remove = [...replacements, ...candidates.slice(0, room)].map((pod): PodDeletion => ({ pod, force: false }));
    d.logger.debug('rolling update step', { kind: 'DaemonSet', namespace: ds.metadata?.namespace, name: ds.metadata?.name, maxUnavailable, numUnavailable, deleting: remove.length });
    await syncNodes(d, ds, key, remove, [], hash);
    return;
  }

  const remove: Pod[] = [];
  const shouldNotRun: Pod[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [name, list] of entries) {
    const found = updatedPodsOnNode(ds, list, hash);
    if (found === undefined) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod !== undefined ? available(oldPod) : newPod !== undefined && available(newPod)) numAvailable++;
    if (oldPod === undefined) continue;
    if (newPod === undefined) {
      if (!available(oldPod)) {
        if (!shouldRun(name)) remove.push(oldPod);
        else allowedNodes.push(name);
        continue;
      }
      if (!shouldRun(name)) {
        shouldNotRun.push(oldPod);
        continue;
      }
      if (numSurge >= maxSurge) continue;
      candidateNodes.push(name);
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    remove.push(oldPod);
  }
  // Full availability is what surge promises: a pod on a node no longer wanted goes only once a replacement elsewhere is available.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  remove.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  const create = [...allowedNodes, ...candidateNodes.slice(0, room)];
  d.logger.debug('rolling update step (surge)', { kind: 'DaemonSet', namespace: ds.metadata?.namespace, name: ds.metadata?.name, maxSurge, numSurge, creating: create.length, deleting: remove.length });
  await syncNodes(
    d,
    ds,
    key,
    remove.map((pod) => ({ pod, force: false })),
    create,
    hash,
  );
}
