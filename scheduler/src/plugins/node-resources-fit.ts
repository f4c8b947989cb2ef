// NodeResourcesFit: the pod's requests must fit the node's free allocatable (cpu, memory, ephemeral-storage, extended) and pod count; scores by least allocated.
import type { NodeInfo } from '../framework/node-info';
import type { PodInfo } from '../framework/pod-info';
import { unschedulable, type FilterPlugin, type ScorePlugin, type Status } from '../framework/types';

export const nodeResourcesFitName = 'NodeResourcesFit';

const tooManyPods = 'Too many pods';
const statuses = new Map<string, Status>();

/** One frozen Status per combination of reasons (usually just one or two distinct ones per cluster). */
function statusOf(reasons: string[]): Status {
  const key = reasons.join('\n');
  let s = statuses.get(key);
  if (s === undefined) {
    if (statuses.size > 1000) statuses.clear();
    s = unschedulable(...reasons);
    statuses.set(key, s);
  }
  return s;
}

/**
 * What does not fit, as Kubernetes' fitsRequest lists it: the pod count first, then each
 * resource the pod requests (a request of zero always fits).
 */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allocatable.pods) out.push(tooManyPods);
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  const a = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > a.memory - used.memory) out.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  for (const [name, want] of req.scalar) {
    if (want > 0 && want > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(`Insufficient ${name}`);
  }
  return out;
}

/** The allocation-free check run on every node; insufficientResources names the failures only when it fails. */
function fits(pod: PodInfo, node: NodeInfo): boolean {
  if (node.freePods < 1) return false;
  const req = pod.requests;
  if (req.milliCPU > 0 && req.milliCPU > node.freeMilliCPU) return false;
  if (req.memory > 0 && req.memory > node.freeMemory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > node.freeEphemeralStorage) return false;
  if (req.scalar.size > 0) {
    const a = node.allocatable;
    const used = node.requested;
    for (const [name, want] of req.scalar) if (want > 0 && want > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  }
  return true;
}

export function nodeResourcesFit(): FilterPlugin {
  return {
    name: nodeResourcesFitName,
    preFilter(pod) {
      return (node) => (fits(pod, node) ? undefined : statusOf(insufficientResources(pod, node)));
    },
  };
}

/** Kubernetes' leastRequestedScore: the free share of capacity after placing the pod, 0–100. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * 100) / capacity);
}

/**
 * LeastAllocated (NodeResourcesFit's default scoring strategy): the mean over cpu and memory
 * of the capacity left free once the pod is placed, counting 100m / 200Mi for containers that
 * request nothing. Spreads load; already 0–100.
 */
export function leastAllocatedScore(): ScorePlugin {
  return {
    name: nodeResourcesFitName,
    preScore(pod) {
      const cpu = pod.nonZero.milliCPU;
      const mem = pod.nonZero.memory;
      return {
        score(node) {
          const c = leastRequested(node.nonZeroMilliCPU + cpu, node.allocMilliCPU);
          const m = leastRequested(node.nonZeroMemory + mem, node.allocMemory);
          return Math.floor((c + m) / 2);
        },
      };
    },
  };
}
