// NodeInfo: one node with the pods on it (bound and assumed) and the totals the plugins read.
import type { Labels, Node, Taint } from '@keelson/api';
import { hasAffinityTerms, type HostPort, type PodInfo } from './pod-info';
import { accumulate, allocatableOf, emptyResources, type Allocatable, type NonZeroRequests, type Resources } from './resources';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

const emptyAllocatable: Allocatable = Object.freeze({ ...emptyResources(), scalar: new Map<string, number>(), pods: 0 });

/**
 * A node and its pods. The cache owns NodeInfos and changes them only between scheduling
 * cycles (a cycle runs synchronously), so a plugin never sees one change under it.
 */
export class NodeInfo {
  /** Undefined while pods still name a node that has been deleted. */
  node: Node | undefined;
  labels: Labels = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  ready: ConditionStatus = 'Unknown';
  /** `region:\0:zone` from the topology labels, or undefined (what zone spreading groups by). */
  zoneKey: string | undefined;
  allocatable: Allocatable = emptyAllocatable;
  /** Sum of the requests of every pod on the node. */
  readonly requested: Resources = emptyResources();
  /** The same with 100m / 200Mi for containers that request nothing (what the scorers use). */
  readonly nonZeroRequested: NonZeroRequests = { milliCPU: 0, memory: 0 };
  /**
   * allocatable − requested, kept up to date: the resource check runs on hundreds of nodes per
   * cycle and reads these plain number fields rather than two objects.
   */
  freeMilliCPU = 0;
  freeMemory = 0;
  freeEphemeralStorage = 0;
  freePods = 0;
  /** Copies of allocatable and requested cpu and memory, read by the scorers on every feasible node. */
  allocMilliCPU = 0;
  allocMemory = 0;
  reqMilliCPU = 0;
  reqMemory = 0;
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Pods with any pod (anti-)affinity term, and with a required anti-affinity term. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Controller UID → how many of its pods (not terminating) are here, for spreading. */
  readonly ownerCounts = new Map<string, number>();
  /** `protocol/ip/port` → how many pods hold it. */
  readonly usedPorts = new Map<string, number>();
  /** Bumped on every change. */
  generation = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
    this.ready = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
    this.allocatable = allocatableOf(node.status?.allocatable);
    const zone = this.labels['topology.kubernetes.io/zone'] ?? this.labels['failure-domain.beta.kubernetes.io/zone'];
    const region = this.labels['topology.kubernetes.io/region'] ?? this.labels['failure-domain.beta.kubernetes.io/region'] ?? '';
    this.zoneKey = zone === undefined ? undefined : `${region}:\u0000:${zone}`;
    this.updateFree();
    this.generation++;
  }

  clearNode(): void {
    this.node = undefined;
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    this.pods.set(pi.uid, pi);
    this.account(pi, 1);
  }

  /** Removes the pod with `uid`; returns it. */
  removePod(uid: string): PodInfo | undefined {
    const pi = this.pods.get(uid);
    if (pi === undefined) return undefined;
    this.pods.delete(uid);
    this.account(pi, -1);
    return pi;
  }

  /** Is a host port free for `p`? A wildcard IP conflicts with every IP, as in Kubernetes' HostPortInfo. */
  portFree(p: HostPort): boolean {
    if (this.usedPorts.size === 0) return true;
    if (p.ip === '0.0.0.0') {
      for (const key of this.usedPorts.keys()) {
        const [protocol, , port] = key.split('/');
        if (protocol === p.protocol && Number(port) === p.port) return false;
      }
      return true;
    }
    return !this.usedPorts.has(portKey(p)) && !this.usedPorts.has(portKey({ ...p, ip: '0.0.0.0' }));
  }

  /** A copy whose pods can be changed without touching this one (preemption's what-if). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    if (this.node !== undefined) c.setNode(this.node);
    for (const pi of this.pods.values()) c.addPod(pi);
    return c;
  }

  private account(pi: PodInfo, sign: 1 | -1): void {
    accumulate(this.requested, pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZero.memory;
    if (hasAffinityTerms(pi)) this.podsWithAffinity += sign;
    if (pi.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
    if (pi.controllerUid !== undefined && !pi.terminating) {
      const n = (this.ownerCounts.get(pi.controllerUid) ?? 0) + sign;
      if (n <= 0) this.ownerCounts.delete(pi.controllerUid);
      else this.ownerCounts.set(pi.controllerUid, n);
    }
    for (const p of pi.hostPorts) {
      const key = portKey(p);
      const n = (this.usedPorts.get(key) ?? 0) + sign;
      if (n <= 0) this.usedPorts.delete(key);
      else this.usedPorts.set(key, n);
    }
    this.updateFree();
    this.generation++;
  }

  private updateFree(): void {
    const a = this.allocatable;
    const r = this.requested;
    this.freeMilliCPU = a.milliCPU - r.milliCPU;
    this.freeMemory = a.memory - r.memory;
    this.freeEphemeralStorage = a.ephemeralStorage - r.ephemeralStorage;
    this.freePods = a.pods - this.pods.size;
    this.allocMilliCPU = a.milliCPU;
    this.allocMemory = a.memory;
    this.reqMilliCPU = r.milliCPU;
    this.reqMemory = r.memory;
    this.nonZeroMilliCPU = this.nonZeroRequested.milliCPU;
    this.nonZeroMemory = this.nonZeroRequested.memory;
  }
}

function portKey(p: HostPort): string {
  return `${p.protocol}/${p.ip}/${p.port}`;
}
