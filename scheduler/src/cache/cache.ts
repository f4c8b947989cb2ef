// The scheduler's cache: nodes and the pods on them, including pods assumed onto a node while their binding is in flight.
import type { Labels, Node, Pod } from '@keelson/api';
import { NodeInfo } from '../framework/node-info';
import { hasAffinityTerms, onNode, podInfo, type PodInfo } from '../framework/pod-info';
import { ListSnapshot } from '../framework/snapshot';

interface PodState {
  info: PodInfo;
  /** Placed by this scheduler, not yet seen bound in the watch. */
  assumed: boolean;
  /** The binding request answered (successfully); the watch has not shown the bound pod yet. */
  bindingFinished: boolean;
}

/**
 * Nodes and pods as the scheduler counts them (Kubernetes' scheduler cache):
 *
 *   assumePod ──(binding sent)──► counted on the node at once, so the next cycle sees it
 *      ├─ forgetPod ◄── binding failed: uncounted
 *      └─ addPod/updatePod from the watch with spec.nodeName ──► confirmed (moved if the node differs)
 *   removePod ◄── the pod is deleted (assumed or not)
 *
 * Pods on a node that has been deleted keep a NodeInfo without a Node until they are gone;
 * such NodeInfos are not offered to cycles.
 */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private snapshotCache: ListSnapshot | undefined;
  private nodeList: NodeInfo[] | undefined;
  private podsWithAffinity = 0;
  private podsWithRequiredAntiAffinity = 0;

  constructor(private readonly namespaceLabels: (namespace: string) => Labels | undefined = () => undefined) {}

  // ---- nodes

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.nodeInfo(name);
    const had = info.node !== undefined;
    info.setNode(node);
    if (!had) this.nodeList = undefined;
    this.changed();
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.nodes.get(name);
    if (info === undefined) return;
    if (info.pods.size === 0) this.nodes.delete(name);
    else info.clearNode();
    this.nodeList = undefined;
    this.changed();
  }

  // ---- pods

  /** Counts `pod` on `nodeName` now, before the binding is confirmed. */
  assumePod(pod: PodInfo, nodeName: string): void {
    if (this.pods.has(pod.uid)) throw new Error(`pod ${pod.key} (${pod.uid}) is already in the cache`);
    const info = onNode(pod, nodeName);
    this.place(info);
    this.pods.set(pod.uid, { info, assumed: true, bindingFinished: false });
  }

  /** The binding request succeeded; the pod stays assumed until the watch shows it bound. */
  finishBinding(uid: string): void {
    const s = this.pods.get(uid);
    if (s?.assumed) s.bindingFinished = true;
  }

  /** The binding failed: the assumed pod no longer counts. A pod already confirmed is left alone. */
  forgetPod(uid: string): void {
    const s = this.pods.get(uid);
    if (s === undefined || !s.assumed) return;
    this.unplace(s.info);
    this.pods.delete(uid);
  }

  /** A bound pod seen in the watch: confirms an assumed one, or adds one bound elsewhere. */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const uid = pod.metadata?.uid ?? '';
    const existing = this.pods.get(uid);
    // Most updates of a bound pod are its status: nothing the scheduler counts changes.
    if (existing !== undefined && !existing.assumed && sameForScheduling(existing.info.pod, pod)) return;
    if (existing !== undefined) this.unplace(existing.info);
    const info = podInfo(pod);
    this.place(info);
    this.pods.set(uid, { info, assumed: false, bindingFinished: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  /** The pod is gone (deleted, or no longer one the cache tracks). */
  removePod(uid: string): void {
    const s = this.pods.get(uid);
    if (s === undefined) return;
    this.unplace(s.info);
    this.pods.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  /** Whether the cache counts the pod at all (assumed or bound). */
  hasPod(uid: string): boolean {
    return this.pods.has(uid);
  }

  assumedCount(): number {
    let n = 0;
    for (const s of this.pods.values()) if (s.assumed) n++;
    return n;
  }

  podCount(): number {
    return this.pods.size;
  }

  nodeCount(): number {
    return this.list().length;
  }

  getNode(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /**
   * What the next cycle works over. The NodeInfos are the cache's own: cycles run
   * synchronously, so nothing changes them while a cycle reads them; a new snapshot object is
   * made only after a change.
   */
  snapshot(): ListSnapshot {
    this.snapshotCache ??= new ListSnapshot(this.list(), {
      podsWithAffinity: this.podsWithAffinity,
      podsWithRequiredAntiAffinity: this.podsWithRequiredAntiAffinity,
      namespaceLabels: this.namespaceLabels,
    });
    return this.snapshotCache;
  }

  private list(): NodeInfo[] {
    this.nodeList ??= [...this.nodes.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  private nodeInfo(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (info === undefined) {
      info = new NodeInfo(name);
      this.nodes.set(name, info);
    }
    return info;
  }

  private place(info: PodInfo): void {
    this.nodeInfo(info.nodeName).addPod(info);
    if (hasAffinityTerms(info)) this.podsWithAffinity++;
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity++;
    this.changed();
  }

  private unplace(info: PodInfo): void {
    const node = this.nodes.get(info.nodeName);
    if (node !== undefined) {
      node.removePod(info.uid);
      // The last pod of a deleted node takes its NodeInfo with it.
      if (node.node === undefined && node.pods.size === 0) this.nodes.delete(info.nodeName);
    }
    if (hasAffinityTerms(info)) this.podsWithAffinity--;
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity--;
    this.changed();
  }

  private changed(): void {
    this.snapshotCache = undefined;
  }
}

function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a?.[k] !== b?.[k]) return false;
  return true;
}

/** Same spec (by generation), node, labels and deletion state: the PodInfo would not change. */
function sameForScheduling(a: Pod, b: Pod): boolean {
  const ga = a.metadata?.generation;
  return (
    ga !== undefined &&
    ga === b.metadata?.generation &&
    a.spec?.nodeName === b.spec?.nodeName &&
    (a.metadata?.deletionTimestamp == null) === (b.metadata?.deletionTimestamp == null) &&
    sameLabels(a.metadata?.labels, b.metadata?.labels)
  );
}
