// Test helpers: Node and Pod builders, snapshots of NodeInfos, and a fake list/watch source for informers.
import type { Node, Pod, Taint, Toleration } from '@keelson/api';
import type { ListOptions, ListerWatcher, ObjectList, WatchEvent, WatchOptions, WatchStream } from '@keelson/client';
import { NodeInfo } from './framework/node-info';
import { podInfo, type PodInfo } from './framework/pod-info';
import { ListSnapshot } from './framework/snapshot';
import type { ScorePlugin } from './framework/types';

export interface NodeSpecOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Ready condition status; 'none' leaves the condition out. Default 'True'. */
  ready?: 'True' | 'False' | 'Unknown' | 'none';
}

export function makeNode(name: string, o: NodeSpecOptions = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  if (o.ephemeralStorage !== undefined) allocatable['ephemeral-storage'] = o.ephemeralStorage;
  const ready = o.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints !== undefined ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready, reason: 'KubeletReady' }],
    },
  };
}

export interface PodSpecOptions {
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  node?: string;
  labels?: Record<string, string>;
  priority?: number;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  hostPort?: number;
  owner?: string;
  spec?: Partial<NonNullable<Pod['spec']>>;
  annotations?: Record<string, string>;
  /** Leave out what the API server assigns (uid, status), for creating the pod through it. */
  forApi?: boolean;
}

let uidSeq = 0;

export function makePod(name: string, o: PodSpecOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu !== undefined) requests['cpu'] = o.cpu;
  if (o.memory !== undefined) requests['memory'] = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.forApi ? {} : { uid: o.uid ?? `pod-uid-${name}-${++uidSeq}` }),
      generation: 1,
      labels: o.labels ?? {},
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
      ...(o.owner !== undefined ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `owner-${o.owner}`, controller: true }] } : {}),
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'img',
          ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
          ...(o.hostPort !== undefined ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
        },
      ],
      schedulerName: 'default-scheduler',
      ...(o.node !== undefined ? { nodeName: o.node } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.tolerations !== undefined ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector !== undefined ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.spec ?? {}),
    },
    ...(o.forApi ? {} : { status: { phase: 'Pending' } }),
  };
}

/** NodeInfos for nodes, with the pods that name them placed on them. */
export function nodeInfos(nodes: readonly Node[], pods: readonly Pod[] = []): NodeInfo[] {
  const infos = nodes.map((n) => {
    const info = new NodeInfo(n.metadata?.name ?? '');
    info.setNode(n);
    return info;
  });
  for (const p of pods) {
    const info = infos.find((i) => i.name === p.spec?.nodeName);
    if (info !== undefined) info.addPod(podInfo(p));
  }
  return infos;
}

export function snapshotOf(nodes: readonly Node[], pods: readonly Pod[] = [], namespaceLabels: Record<string, Record<string, string>> = {}): ListSnapshot {
  return new ListSnapshot(nodeInfos(nodes, pods), { namespaceLabels: (ns) => namespaceLabels[ns] });
}

export function info(pod: Pod): PodInfo {
  return podInfo(pod);
}

/** Runs a filter plugin's check for `pod` on the node named `node`: its reasons, or [] when it passes. */
export function filterReasons(plugin: { preFilter: (pod: PodInfo, snap: ListSnapshot) => unknown }, pod: Pod, snapshot: ListSnapshot, node: string): string[] | 'skip' {
  const r = plugin.preFilter(podInfo(pod), snapshot);
  if (r === undefined) return 'skip';
  const target = snapshot.get(node);
  if (target === undefined) throw new Error(`no node ${node}`);
  const status = typeof r === 'function' ? (r as (n: NodeInfo) => { reasons: readonly string[] } | undefined)(target) : (r as { reasons: readonly string[] });
  return status === undefined ? [] : [...status.reasons];
}

/** A list/watch source an informer can run on: `list` answers `items`; `emit` pushes watch events. */
export class FakeListerWatcher<T extends { metadata?: { resourceVersion?: string } }> implements ListerWatcher<T> {
  private readonly streams = new Set<{ push: (e: WatchEvent<T>) => void; end: () => void }>();
  private rv = 1;

  constructor(public items: T[] = []) {}

  async list(_options: ListOptions): Promise<ObjectList<T>> {
    return { metadata: { resourceVersion: String(this.rv) }, items: this.items.map((i) => structuredClone(i)) };
  }

  watch(options: WatchOptions): WatchStream<T> {
    const queue: WatchEvent<T>[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const entry = {
      push: (e: WatchEvent<T>) => {
        queue.push(e);
        wake?.();
      },
      end: () => {
        ended = true;
        wake?.();
      },
    };
    this.streams.add(entry);
    options.signal?.addEventListener('abort', () => entry.end(), { once: true });
    const streams = this.streams;
    const stream: WatchStream<T> = {
      resourceVersion: undefined,
      stop: () => {
        entry.end();
        streams.delete(entry);
      },
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (ended) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      },
    };
    return stream;
  }

  /** Sends a watch event to every open watch (with a fresh resourceVersion). */
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const object = structuredClone(obj);
    object.metadata = { ...(object.metadata ?? {}), resourceVersion: String(++this.rv) };
    for (const s of this.streams) s.push({ type, object });
  }
}

/** A score plugin's normalised scores for `pod` over every node of the snapshot, by node name; 'skip' when it skips. */
export function normalizedScores(plugin: { preScore: ScorePlugin['preScore'] }, pod: Pod, snapshot: ListSnapshot): Record<string, number> | 'skip' {
  const scorer = plugin.preScore(podInfo(pod), snapshot.nodes, snapshot);
  if (scorer === undefined) return 'skip';
  const raw = new Float64Array(snapshot.nodes.map((n) => scorer.score(n)));
  scorer.normalize?.(raw);
  return Object.fromEntries(snapshot.nodes.map((n, i) => [n.name, raw[i] ?? NaN]));
}
