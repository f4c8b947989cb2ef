// ListSnapshot: a Snapshot over a fixed list of NodeInfos (the cache's, or a what-if copy for preemption and tests).
import type { Labels } from '@keelson/api';
import type { NodeInfo } from './node-info';
import type { Snapshot } from './types';

export interface SnapshotHints {
  /** Pods with any pod (anti-)affinity term across the nodes; 0 lets the lists be empty without a scan. */
  podsWithAffinity?: number;
  podsWithRequiredAntiAffinity?: number;
  namespaceLabels?: (namespace: string) => Labels | undefined;
}

export class ListSnapshot implements Snapshot {
  private byName: Map<string, NodeInfo> | undefined;
  private withAffinity: readonly NodeInfo[] | undefined;
  private withAntiAffinity: readonly NodeInfo[] | undefined;

  constructor(
    readonly nodes: readonly NodeInfo[],
    private readonly hints: SnapshotHints = {},
  ) {
    if (hints.podsWithAffinity === 0) this.withAffinity = [];
    if (hints.podsWithRequiredAntiAffinity === 0) this.withAntiAffinity = [];
  }

  get(name: string): NodeInfo | undefined {
    this.byName ??= new Map(this.nodes.map((n) => [n.name, n]));
    return this.byName.get(name);
  }

  nodesWithAffinityPods(): readonly NodeInfo[] {
    this.withAffinity ??= this.nodes.filter((n) => n.podsWithAffinity > 0);
    return this.withAffinity;
  }

  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[] {
    this.withAntiAffinity ??= this.nodes.filter((n) => n.podsWithRequiredAntiAffinity > 0);
    return this.withAntiAffinity;
  }

  namespaceLabels(namespace: string): Labels | undefined {
    return this.hints.namespaceLabels?.(namespace);
  }

  /** The same snapshot with one node replaced by `node` (matched by name). */
  withNode(node: NodeInfo): ListSnapshot {
    return new ListSnapshot(
      this.nodes.map((n) => (n.name === node.name ? node : n)),
      this.hints.namespaceLabels !== undefined ? { namespaceLabels: this.hints.namespaceLabels } : {},
    );
  }
}
