// The scheduling algorithm over the plugins: prefilter, filter a sample of nodes, score, pick; and the failure diagnosis.
import { FitError, fitErrorMessage, type Diagnosis } from './fit-error';
import type { NodeInfo } from './node-info';
import type { PodInfo } from './pod-info';
import { ListSnapshot } from './snapshot';
import { unresolvable, type NodeFilter, type PluginStatus, type Plugins, type Snapshot, type Status } from './types';

/** Kubernetes' minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;

/**
 * How many feasible nodes a cycle looks for before it stops filtering (Kubernetes'
 * numFeasibleNodesToFind): all of them under 100 nodes; else `percentage` of the nodes, where
 * 0 means adaptive — 50% less 1% per 125 nodes, at least 5% — and never fewer than 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

export type ScheduleResult =
  | { kind: 'scheduled'; node: string; evaluatedNodes: number; feasibleNodes: number }
  | { kind: 'unschedulable'; error: FitError }
  | { kind: 'error'; message: string };

export interface FrameworkOptions {
  /** 0 (default): adaptive, as Kubernetes. */
  percentageOfNodesToScore?: number;
  /** Uniform in [0, 1): breaks ties between equally scored nodes. */
  random?: () => number;
}

interface PreparedFilter {
  name: string;
  check: NodeFilter;
}

const noVictims = unresolvable('No preemption victims found for incoming pod');
const notHelpful = 'Preemption is not helpful for scheduling';

/** Kubernetes' ErrNoNodesAvailable. */
export const noNodesAvailable = 'no nodes available to schedule pods';

/**
 * Runs one profile's plugins for one pod over one snapshot. Everything here is synchronous:
 * a cycle cannot interleave with cache updates, so the snapshot stays as it was when taken.
 */
export class Framework {
  private nextStartNodeIndex = 0;
  private readonly percentage: number;
  private readonly random: () => number;

  constructor(
    readonly plugins: Plugins,
    options: FrameworkOptions = {},
  ) {
    this.percentage = options.percentageOfNodesToScore ?? 0;
    this.random = options.random ?? Math.random;
  }

  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const nodes = snapshot.nodes;
    if (nodes.length === 0) return { kind: 'error', message: noNodesAvailable };
    const prepared = this.preFilter(pod, snapshot);
    if (!Array.isArray(prepared)) {
      return { kind: 'unschedulable', error: this.fitError(pod, snapshot, this.rejectAll(nodes, prepared)) };
    }
    const toFind = numFeasibleNodesToFind(this.percentage, nodes.length);
    const feasible: NodeInfo[] = [];
    const statuses = new Map<string, PluginStatus>();
    const n = nodes.length;
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < toFind; i++) {
      const node = nodes[(start + i) % n] as NodeInfo;
      processed++;
      const failed = runFilters(prepared, node);
      if (failed === undefined) feasible.push(node);
      else statuses.set(node.name, failed);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    if (feasible.length === 0) {
      const plugins = new Set<string>();
      for (const s of statuses.values()) plugins.add(s.plugin);
      return { kind: 'unschedulable', error: this.fitError(pod, snapshot, { nodeStatuses: statuses, unschedulablePlugins: plugins, preFilterMsg: '', postFilterMsg: '' }) };
    }
    const chosen = feasible.length === 1 ? (feasible[0] as NodeInfo) : this.selectHost(feasible, this.score(pod, feasible, snapshot));
    return { kind: 'scheduled', node: chosen.name, evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** Weighted sum of the normalised scores of every score plugin, one per feasible node. */
  score(pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot): Float64Array {
    const totals = new Float64Array(feasible.length);
    const raw = new Float64Array(feasible.length);
    for (const { plugin, weight } of this.plugins.scores) {
      const scorer = plugin.preScore(pod, feasible, snapshot);
      if (scorer === undefined) continue;
      for (let i = 0; i < feasible.length; i++) raw[i] = scorer.score(feasible[i] as NodeInfo);
      scorer.normalize?.(raw);
      for (let i = 0; i < feasible.length; i++) totals[i] = (totals[i] ?? 0) + Math.min(100, Math.max(0, raw[i] ?? 0)) * weight;
    }
    return totals;
  }

  /** The highest total; among equals, each is equally likely (reservoir sampling, as Kubernetes' selectHost). */
  selectHost(feasible: readonly NodeInfo[], totals: Float64Array): NodeInfo {
    let best = 0;
    let ties = 0;
    let max = -Infinity;
    for (let i = 0; i < feasible.length; i++) {
      const t = totals[i] ?? 0;
      if (t > max) {
        max = t;
        best = i;
        ties = 1;
      } else if (t === max) {
        ties++;
        if (Math.floor(this.random() * ties) === 0) best = i;
      }
    }
    return feasible[best] as NodeInfo;
  }

  /** Every filter's per-node check for `pod`, or the (plugin, status) of a PreFilter that rejects every node. */
  preFilter(pod: PodInfo, snapshot: Snapshot): PreparedFilter[] | PluginStatus {
    const prepared: PreparedFilter[] = [];
    for (const plugin of this.plugins.filters) {
      const r = plugin.preFilter(pod, snapshot);
      if (r === undefined) continue;
      if (typeof r !== 'function') return { plugin: plugin.name, status: r };
      prepared.push({ name: plugin.name, check: r });
    }
    return prepared;
  }

  private rejectAll(nodes: readonly NodeInfo[], rejection: PluginStatus): Diagnosis {
    const statuses = new Map<string, PluginStatus>();
    for (const node of nodes) statuses.set(node.name, rejection);
    return { nodeStatuses: statuses, unschedulablePlugins: new Set([rejection.plugin]), preFilterMsg: rejection.status.reasons.join(', '), postFilterMsg: '' };
  }

  private fitError(pod: PodInfo, snapshot: Snapshot, d: Diagnosis): FitError {
    return new FitError(pod, snapshot.nodes.length, { ...d, postFilterMsg: this.preemptionMessage(pod, snapshot, d) });
  }

  /**
   * What Kubernetes' DefaultPreemption PostFilter would report. Keelson does not evict pods,
   * but it runs the same dry run for the message: nodes rejected as unresolvable are "not
   * helpful"; on the others, every lower-priority pod is removed in a copy of the node and the
   * filters run again.
   */
  preemptionMessage(pod: PodInfo, snapshot: Snapshot, d: Diagnosis): string {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
    const statuses = new Map<string, PluginStatus>();
    let candidates = 0;
    for (const node of snapshot.nodes) {
      const s = d.nodeStatuses.get(node.name);
      if (s === undefined || s.status.code !== 'Unschedulable') continue;
      const victims = [...node.pods.values()].filter((p) => p.priority < pod.priority);
      if (victims.length === 0) {
        statuses.set(node.name, { plugin: 'DefaultPreemption', status: noVictims });
        continue;
      }
      const copy = node.clone();
      for (const v of victims) copy.removePod(v.uid);
      const what = snapshot instanceof ListSnapshot ? snapshot.withNode(copy) : new ListSnapshot(snapshot.nodes.map((n) => (n.name === copy.name ? copy : n)));
      const prepared = this.preFilter(pod, what);
      const failed = Array.isArray(prepared) ? runFilters(prepared, copy) : prepared;
      if (failed === undefined) candidates++;
      else statuses.set(node.name, failed);
    }
    if (candidates > 0) {
      return `preemption: ${candidates} node(s) would fit once lower-priority pods were evicted, but this scheduler does not preempt.`;
    }
    const diagnosis: Diagnosis = { nodeStatuses: statuses, unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
    return `preemption: ${fitErrorMessage(snapshot.nodes.length, diagnosis, [notHelpful])}`;
  }
}

function runFilters(prepared: readonly PreparedFilter[], node: NodeInfo): PluginStatus | undefined {
  for (const f of prepared) {
    const s: Status | undefined = f.check(node);
    if (s !== undefined) return { plugin: f.name, status: s };
  }
  return undefined;
}
