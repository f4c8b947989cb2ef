// The Node object this kubelet registers and keeps current: capacity, addresses, node info, conditions; and its Lease.
import { readFileSync, statfsSync } from 'node:fs';
import * as os from 'node:os';
import { isStatusError, type Node, type NodeCondition } from '@keelson/api';
import type { Clock, RestClient } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';

export const kubeletVersion = 'v1.32.0-keelson.0.1.0';

/** RFC 3339 seconds, as Kubernetes' metav1.Time. */
export function timeString(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Kubernetes' MicroTime. */
export function microTimeString(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const text = readOr('/etc/os-release', '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? `${os.type()} ${os.release()}`;
}

export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** Memory the node has: the machine's, or less when the kubelet's cgroup limits it. */
function memoryBytes(): number {
  const total = os.totalmem();
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const v = Number(readOr(f, 'max'));
    if (Number.isFinite(v) && v > 0 && v < total) return v;
  }
  return total;
}

function cpuCount(): number {
  const n = os.availableParallelism();
  const max = readOr('/sys/fs/cgroup/cpu.max', '').split(' ');
  if (max.length === 2 && max[0] !== 'max') return Math.max(1, Math.min(n, Math.ceil(Number(max[0]) / Number(max[1]))));
  return n;
}

export interface NodeFacts {
  capacity: Record<string, string>;
  nodeInfo: NonNullable<NonNullable<Node['status']>['nodeInfo']>;
}

export function nodeFacts(rootDir: string, maxPods: number, runtimeVersion: string): NodeFacts {
  let disk = 0;
  try {
    const s = statfsSync(rootDir);
    disk = s.blocks * s.bsize;
  } catch {
    disk = 0;
  }
  return {
    capacity: {
      cpu: String(cpuCount()),
      memory: `${Math.floor(memoryBytes() / 1024)}Ki`,
      pods: String(maxPods),
      'ephemeral-storage': `${Math.floor(disk / 1024)}Ki`,
    },
    nodeInfo: {
      machineID: readOr('/etc/machine-id', ''),
      systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''),
      bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: `keelson://${runtimeVersion}`,
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

/** Eviction-signal style checks: memory.available < 100Mi, nodefs.available < 10%, pids nearly exhausted. */
export function pressure(rootDir: string): Pressure {
  let disk = false;
  try {
    const s = statfsSync(rootDir);
    disk = s.bavail / s.blocks < 0.1;
  } catch {
    disk = false;
  }
  const pidMax = Number(readOr('/proc/sys/kernel/pid_max', '4194304'));
  const threads = Number(/(\d+)\/\d+\s+\d+$/.exec(readOr('/proc/loadavg', ''))?.[1] ?? 0);
  return { memory: os.freemem() < 100 * 1024 * 1024, disk, pid: threads > pidMax * 0.9 };
}

export interface ReadyState {
  ready: boolean;
  message: string;
}

/** The four conditions the kubelet reports, keeping lastTransitionTime when a status did not change. */
export function nodeConditions(previous: NodeCondition[] | undefined, ready: ReadyState, p: Pressure, now: number): NodeCondition[] {
  const at = timeString(now);
  const make = (type: string, status: boolean, trueReason: string, falseReason: string, trueMsg: string, falseMsg: string): NodeCondition => {
    const s = status ? 'True' : 'False';
    const old = previous?.find((c) => c.type === type);
    return {
      type,
      status: s,
      reason: status ? trueReason : falseReason,
      message: status ? trueMsg : falseMsg,
      lastHeartbeatTime: at,
      lastTransitionTime: old !== undefined && old.status === s && old.lastTransitionTime !== undefined ? old.lastTransitionTime : at,
    };
  };
  return [
    make('MemoryPressure', p.memory, 'KubeletHasInsufficientMemory', 'KubeletHasSufficientMemory', 'kubelet has insufficient memory available', 'kubelet has sufficient memory available'),
    make('DiskPressure', p.disk, 'KubeletHasDiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has disk pressure', 'kubelet has no disk pressure'),
    make('PIDPressure', p.pid, 'KubeletHasInsufficientPID', 'KubeletHasSufficientPID', 'kubelet has insufficient PID available', 'kubelet has sufficient PID available'),
    make('Ready', ready.ready, 'KubeletReady', 'KubeletNotReady', 'kubelet is posting ready status', ready.message),
  ];
}

export interface NodeRegistrarOptions {
  client: RestClient;
  nodeName: string;
  nodeIP: string;
  rootDir: string;
  maxPods: number;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  runtimeVersion: string;
  /** The port the kubelet's API listens on (status.daemonEndpoints.kubeletEndpoint.Port). Default 10250. */
  kubeletPort?: number;
  /** Whether the runtime and its network are ready, asked at every status update. */
  readiness: () => Promise<ReadyState>;
  clock: Clock;
  logger: WinstonLogger;
}

/** Registers the Node, writes its status when it changes (or every `reportMs`), and renews its Lease. */
export class NodeRegistrar {
  private lastStatusKey = '';
  private lastStatusAt = 0;
  node: Node | undefined;

  constructor(private readonly o: NodeRegistrarOptions) {}

  private nodes() {
    return this.o.client.resource('v1', 'Node');
  }

  private desiredLabels(): Record<string, string> {
    return {
      'kubernetes.io/hostname': this.o.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': goArch(),
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': goArch(),
      ...this.o.labels,
    };
  }

  /** Creates the Node, or adopts an existing one of the same name (a restarted kubelet), merging our labels. */
  async register(): Promise<Node> {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.o.nodeName, labels: this.desiredLabels() },
      spec: this.o.taints.length > 0 ? { taints: this.o.taints.map((t) => ({ ...t })) } : {},
    };
    try {
      this.node = (await this.nodes().create(node));
      this.o.logger.info('node registered', { node: this.o.nodeName });
    } catch (e: unknown) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      this.node = (await this.nodes().patch(this.o.nodeName, 'merge', { metadata: { labels: this.desiredLabels() } }));
      this.o.logger.info('node already registered: adopted', { node: this.o.nodeName });
    }
    await this.updateStatus(true);
    return this.node;
  }

  /** Writes status when anything but heartbeats changed, or when `reportMs` passed since the last write. */
  async updateStatus(force = false, reportMs = 60_000): Promise<void> {
    const now = this.o.clock.now();
    const facts = nodeFacts(this.o.rootDir, this.o.maxPods, this.o.runtimeVersion);
    const current = (await this.nodes().get(this.o.nodeName));
    const ready = await this.o.readiness();
    const conditions = nodeConditions(current.status?.conditions, ready, pressure(this.o.rootDir), now);
    const status = {
      capacity: facts.capacity,
      allocatable: facts.capacity,
      addresses: [
        { type: 'InternalIP', address: this.o.nodeIP },
        { type: 'Hostname', address: this.o.nodeName },
      ],
      nodeInfo: facts.nodeInfo,
      daemonEndpoints: { kubeletEndpoint: { Port: this.o.kubeletPort ?? 10250 } },
      conditions,
    };
    const key = JSON.stringify({ ...status, conditions: conditions.map((c) => [c.type, c.status, c.reason, c.message]) });
    if (!force && key === this.lastStatusKey && now - this.lastStatusAt < reportMs) {
      this.node = current;
      return;
    }
    this.node = (await this.nodes().patch(this.o.nodeName, 'merge', { status }, { subresource: 'status' }));
    this.lastStatusKey = key;
    this.lastStatusAt = now;
  }

  /** Creates or renews the node's Lease in kube-node-lease (what the node lifecycle controller watches). */
  async renewLease(durationSeconds = 40): Promise<void> {
    const leases = this.o.client.resource('coordination.k8s.io/v1', 'Lease').namespace('kube-node-lease');
    const renewTime = microTimeString(this.o.clock.now());
    try {
      const lease = (await leases.get(this.o.nodeName));
      lease.spec = { ...lease.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: durationSeconds, renewTime };
      await leases.update(lease);
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
      const owner = this.node?.metadata?.uid;
      await leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: this.o.nodeName,
          namespace: 'kube-node-lease',
          ...(owner !== undefined ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: owner }] } : {}),
        },
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: durationSeconds, renewTime },
      });
    }
  }
}
