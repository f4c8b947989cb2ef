// The default profile: filter plugins in Kubernetes' order, score plugins with Kubernetes' default weights.
import type { Plugins } from '../framework/types';
import { balancedAllocationScore } from './balanced-allocation';
import { interPodAffinity, interPodAffinityScore } from './inter-pod-affinity';
import { nodeAffinity, nodeAffinityScore } from './node-affinity';
import { nodeName } from './node-name';
import { nodePorts } from './node-ports';
import { nodeReady } from './node-ready';
import { leastAllocatedScore, nodeResourcesFit } from './node-resources-fit';
import { nodeUnschedulable } from './node-unschedulable';
import { podTopologySpread } from './pod-topology-spread';
import { selectorSpreadScore } from './selector-spread';
import { taintToleration, taintTolerationScore } from './taint-toleration';

/**
 * Filters run cheapest and most decisive first, as Kubernetes orders them; NodeReady comes
 * after TaintToleration so a node the lifecycle controller has tainted not-ready reports the
 * taint, as it would upstream. SelectorSpread gets the weight (2) of PodTopologySpread, whose
 * system-default spreading it stands in for.
 */
export function defaultPlugins(): Plugins {
  return {
    filters: [nodeUnschedulable(), nodeName(), taintToleration(), nodeReady(), nodeAffinity(), nodePorts(), nodeResourcesFit(), podTopologySpread(), interPodAffinity()],
    scores: [
      { plugin: leastAllocatedScore(), weight: 1 },
      { plugin: balancedAllocationScore(), weight: 1 },
      { plugin: selectorSpreadScore(), weight: 2 },
      { plugin: nodeAffinityScore(), weight: 2 },
      { plugin: interPodAffinityScore(), weight: 2 },
      { plugin: taintTolerationScore(), weight: 3 },
    ],
  };
}
