// FitError: why no node fits, and the message Kubernetes writes for it ("0/3 nodes are available: …").
import type { PodInfo } from './pod-info';
import type { PluginStatus } from './types';

/** The per-node record of a failed cycle: every rejected node with the plugin and status that rejected it. */
export interface Diagnosis {
  nodeStatuses: ReadonlyMap<string, PluginStatus>;
  /** Plugins that rejected at least one node: the events that may help this pod are theirs. */
  unschedulablePlugins: ReadonlySet<string>;
  /** Set when a PreFilter rejected every node at once. */
  preFilterMsg: string;
  /** What preemption found (`preemption: …`). */
  postFilterMsg: string;
}

/** Kubernetes' framework.NoNodeAvailableMsg. */
export const noNodeAvailableMsg = (n: number): string => `0/${n} nodes are available`;

/**
 * The reason histogram Kubernetes prints: one `<count> <reason>` per distinct reason, sorted
 * as strings, joined by ", "; nodes without a record count under `absentReasons`.
 */
export function reasonHistogram(numAllNodes: number, statuses: ReadonlyMap<string, PluginStatus>, absentReasons: readonly string[] = []): string[] {
  const counts = new Map<string, number>();
  for (const { status } of statuses.values()) for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (statuses.size < numAllNodes) {
    for (const r of absentReasons) counts.set(r, (counts.get(r) ?? 0) + numAllNodes - statuses.size);
  }
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

/** framework.FitError.Error(): `0/N nodes are available: <prefilter or histogram>. <postfilter>`. */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis, absentReasons: readonly string[] = []): string {
  let msg = `${noNodeAvailableMsg(numAllNodes)}:`;
  if (d.preFilterMsg !== '') {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const hist = reasonHistogram(numAllNodes, d.nodeStatuses, absentReasons);
    if (hist.length > 0) msg += ` ${hist.join(', ')}.`;
  }
  if (d.postFilterMsg !== '') msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** No node fits the pod. */
export class FitError extends Error {
  constructor(
    readonly pod: PodInfo,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.name = 'FitError';
  }
}
