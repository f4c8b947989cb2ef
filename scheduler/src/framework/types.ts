// The framework's contracts: filter and score plugins, their statuses, and the snapshot a cycle reads.
import type { Labels } from '@keelson/api';
import type { NodeInfo } from './node-info';
import type { PodInfo } from './pod-info';

/**
 * Why a node (or every node) cannot take the pod. `Unschedulable`: it might once other pods
 * go away (preemption could help); `UnschedulableAndUnresolvable`: removing pods would not
 * help (a taint, a selector); `Error`: the plugin failed.
 */
export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

/** A rejection with the reasons shown to users (`Insufficient cpu`). Success is `undefined`. */
export interface Status {
  readonly code: StatusCode;
  readonly reasons: readonly string[];
}

export function unschedulable(...reasons: string[]): Status {
  return Object.freeze({ code: 'Unschedulable', reasons: Object.freeze(reasons) });
}

export function unresolvable(...reasons: string[]): Status {
  return Object.freeze({ code: 'UnschedulableAndUnresolvable', reasons: Object.freeze(reasons) });
}

export function errorStatus(reason: string): Status {
  return Object.freeze({ code: 'Error', reasons: Object.freeze([reason]) });
}

/** A status and the plugin that returned it: what is recorded for every rejected node. */
export interface PluginStatus {
  plugin: string;
  status: Status;
}

/** The nodes (and the cluster facts) one scheduling cycle works over. */
export interface Snapshot {
  /** Every node that exists, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes running at least one pod with a pod (anti-)affinity term. */
  nodesWithAffinityPods(): readonly NodeInfo[];
  /** Nodes running at least one pod with a required anti-affinity term. */
  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[];
  /** The labels of a namespace, for namespace selectors of affinity terms. */
  namespaceLabels(namespace: string): Labels | undefined;
}

/** Checks one node for the pod the check was prepared for. */
export type NodeFilter = (node: NodeInfo) => Status | undefined;

/**
 * A filter plugin. `preFilter` runs once per cycle and returns the per-node check (with
 * whatever it precomputed over the snapshot), `undefined` when the plugin has nothing to
 * check for this pod (Kubernetes' Skip), or a Status that rejects every node at once.
 */
export interface FilterPlugin {
  readonly name: string;
  preFilter(pod: PodInfo, snapshot: Snapshot): NodeFilter | Status | undefined;
}

/** Scores the feasible nodes of one cycle. */
export interface NodeScorer {
  score(node: NodeInfo): number;
  /** Maps the raw scores (one per feasible node, in order) onto 0–100 in place; absent when they already are. */
  normalize?(scores: Float64Array): void;
}

/** A score plugin: `undefined` from preScore when every node would score the same (Skip). */
export interface ScorePlugin {
  readonly name: string;
  preScore(pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot): NodeScorer | undefined;
}

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** The plugins of a profile, filters in the order they run. */
export interface Plugins {
  filters: readonly FilterPlugin[];
  scores: readonly WeightedScorePlugin[];
}

export const maxNodeScore = 100;

/** Kubernetes' helper.DefaultNormalizeScore: scale to 0–100 by the largest score, optionally reversed. */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.floor((maxNodeScore * (scores[i] ?? 0)) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}
