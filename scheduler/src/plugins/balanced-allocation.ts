// NodeResourcesBalancedAllocation score: prefer nodes whose cpu and memory would be used in equal shares.
import { type ScorePlugin } from '../framework/types';

export const balancedAllocationName = 'NodeResourcesBalancedAllocation';

/**
 * Kubernetes' balancedResourceScorer over cpu and memory: (1 − standard deviation of the
 * requested/allocatable fractions) × 100, fractions capped at 1, with the pod's actual
 * requests. A pod that requests nothing is skipped, as upstream does.
 */
export function balancedAllocationScore(): ScorePlugin {
  return {
    name: balancedAllocationName,
    preScore(pod) {
      const cpu = pod.requests.milliCPU;
      const mem = pod.requests.memory;
      if (cpu === 0 && mem === 0) return undefined;
      return {
        score(node) {
          // A resource the node has none of is left out; with one fraction there is no deviation.
          if (node.allocMilliCPU === 0 || node.allocMemory === 0) return 100;
          const fc = Math.min(1, (node.reqMilliCPU + cpu) / node.allocMilliCPU);
          const fm = Math.min(1, (node.reqMemory + mem) / node.allocMemory);
          // The standard deviation of two values is half their distance.
          const std = Math.abs(fc - fm) / 2;
          return Math.floor((1 - std) * 100);
        },
      };
    },
  };
}
