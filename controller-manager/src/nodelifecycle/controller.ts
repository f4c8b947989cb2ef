// Node lifecycle controller: node health from Leases and heartbeats (Unknown conditions, condition taints) and taint-based eviction of pods.
import { isStatusError, type Lease, type Node, type Pod, type PodCondition } from '@keelson/api';
import {
  WorkQueue,
  deletedObject,
  keyOf,
  makeKey,
  nodeNameIndex,
  splitKey,
  systemClock,
  type Clock,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type RestClient,
  type SharedIndexInformer,
  type Timer,
} from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { timestamp } from '../common/time';
import { readyStatus, reconcileTaints, unknownConditions } from './health';
import { matchingTolerations, minTolerationMs, noExecuteTaints, withDefaultTolerations, type DefaultTolerationSeconds } from './taints';

/** Where kubelets renew their node Leases. */
export const nodeLeaseNamespace = 'kube-node-lease';

export interface NodeLifecycleControllerOptions {
  client: RestClient;
  nodes: SharedIndexInformer<Node>;
  leases: SharedIndexInformer<Lease>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** --node-monitor-grace-period: how long without a Lease renewal or heartbeat before a node is Unknown. Default 40 s. */
  gracePeriodMs?: number;
  /** --node-monitor-period: how often every node is checked. Default 5 s. */
  monitorPeriodMs?: number;
  /**
   * The DefaultTolerationSeconds admission plugin's not-ready/unreachable tolerations (default
   * 300 s each), applied here to pods that lack them; null for none (such pods go at once).
   */
  defaultTolerationSeconds?: Partial<DefaultTolerationSeconds>;
  /** Workers of each of the two queues. Default 5. */
  workers?: number;
}

export const defaultGracePeriodMs = 40_000;
export const defaultMonitorPeriodMs = 5_000;

/** What the controller last saw of a node's liveness, on its own clock (Kubernetes' nodeHealthData). */
interface NodeHealth {
  /** When a heartbeat or Lease renewal was last seen to change. */
  probeTime: number;
  heartbeat: string | undefined;
  renewTime: string | undefined;
}

/** A pending taint-based eviction: when the controller first saw the pod's node tainted. */
interface PendingEviction {
  start: number;
}

const disruptionCondition = (now: number): PodCondition => ({
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
  lastTransitionTime: timestamp(now),
});

/**
 *   monitor (every monitorPeriod, and when a Node or its Lease changes) ─► node queue
 *     syncNode: no heartbeat or Lease renewal seen for gracePeriod ─► conditions Unknown
 *               (NodeStatusUnknown), event NodeNotReady, pods' Ready=False
 *               Ready False/Unknown ─► not-ready/unreachable NoExecute + NoSchedule taints; Ready ─► none
 *   Node taints or pod changes ─► pod queue
 *     syncPod: NoExecute taints not all tolerated ─► DisruptionTarget condition, delete now
 *              tolerated for N s (shortest) ─► look again N s after first seeing them, then delete
 *              taints gone or tolerated forever ─► cancel
 */
export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  readonly nodeQueue: WorkQueue<string>;
  readonly podQueue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly gracePeriodMs: number;
  private readonly monitorPeriodMs: number;
  private readonly defaults: DefaultTolerationSeconds;
  private readonly health = new Map<string, NodeHealth>();
  private readonly pending = new Map<string, PendingEviction>();

  constructor(private readonly o: NodeLifecycleControllerOptions) {
    this.clock = o.clock ?? o.client.clock ?? systemClock;
    this.gracePeriodMs = o.gracePeriodMs ?? defaultGracePeriodMs;
    this.monitorPeriodMs = o.monitorPeriodMs ?? defaultMonitorPeriodMs;
    this.defaults = { notReady: 300, unreachable: 300, ...o.defaultTolerationSeconds };
    const metrics = o.registry ? { registry: o.registry } : {};
    this.nodeQueue = new WorkQueue<string>({ name: 'node_lifecycle_controller', clock: this.clock, ...metrics });
    this.podQueue = new WorkQueue<string>({ name: 'taint_eviction_controller', clock: this.clock, ...metrics });
    o.nodes.addEventHandler({
      onAdd: (n) => {
        this.nodeQueue.add(keyOf(n));
        this.enqueuePodsOn(n.metadata?.name ?? '');
      },
      onUpdate: (old, cur) => {
        this.nodeQueue.add(keyOf(cur));
        if (JSON.stringify(noExecuteTaints(old)) !== JSON.stringify(noExecuteTaints(cur))) this.enqueuePodsOn(cur.metadata?.name ?? '');
      },
      onDelete: (obj: Node | DeletedFinalStateUnknown<Node>) => this.nodeQueue.add(keyOf(deletedObject(obj))),
    });
    const onLease = (l: Lease): void => {
      if (l.metadata?.namespace === nodeLeaseNamespace) this.nodeQueue.add(l.metadata.name ?? '');
    };
    o.leases.addEventHandler({ onAdd: onLease, onUpdate: (_old, cur) => onLease(cur) });
    o.pods.addEventHandler({
      onAdd: (p) => this.enqueuePod(p),
      onUpdate: (old, cur) => {
        if (old.spec?.nodeName !== cur.spec?.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(cur.spec?.tolerations) || cur.metadata?.deletionTimestamp !== undefined) this.enqueuePod(cur);
      },
      onDelete: (obj: Pod | DeletedFinalStateUnknown<Pod>) => this.podQueue.add(keyOf(deletedObject(obj))),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.o.nodes, this.o.leases, this.o.pods];
    let timer: Timer | undefined;
    const tick = (): void => {
      for (const n of this.o.nodes.lister.list()) this.nodeQueue.add(keyOf(n));
      timer = this.clock.setTimer(this.monitorPeriodMs, tick);
    };
    const started = Promise.all(informers.map((i) => i.waitForSync(signal))).then((ok) => {
      if (ok.every(Boolean) && !signal.aborted) tick();
    });
    try {
      const workers = this.o.workers ?? 5;
      await Promise.all([
        runLoop({ name: this.name, queue: this.nodeQueue, workers, informers, sync: (key) => this.syncNode(key), logger: this.o.logger }, signal),
        runLoop({ name: 'taint-eviction', queue: this.podQueue, workers, informers, sync: (key) => this.syncPod(key), logger: this.o.logger }, signal),
        started,
      ]);
    } finally {
      timer?.cancel();
    }
  }

  /**
   * Checks one node's health (monitorNodeHealth for one node): marks it Unknown once neither its
   * Lease nor its Ready heartbeat has moved for the grace period, then brings its condition
   * taints in line and, for a node that stopped reporting, its pods' Ready condition.
   */
  async syncNode(name: string): Promise<void> {
    const cached = this.o.nodes.lister.get(undefined, name);
    if (cached === undefined) {
      this.health.delete(name);
      return;
    }
    const now = this.clock.now();
    const heartbeat = cached.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    const renewTime = this.o.leases.lister.get(nodeLeaseNamespace, name)?.spec?.renewTime;
    let h = this.health.get(name);
    if (h === undefined || h.heartbeat !== heartbeat || h.renewTime !== renewTime) {
      // Something moved (or this is the first look): the grace period starts again, on our clock.
      h = { probeTime: now, heartbeat, renewTime };
      this.health.set(name, h);
    }
    let node = structuredClone(cached);
    const nodes = this.o.client.resource('v1', 'Node');
    const expired = now - h.probeTime >= this.gracePeriodMs;
    if (expired) {
      const wasReady = readyStatus(node) === 'True';
      const conditions = unknownConditions(node, now);
      if (conditions !== undefined) {
        this.o.logger.info('node stopped reporting; marking its conditions Unknown', { node: name, lastSeenMsAgo: now - h.probeTime });
        node = await nodes.updateStatus({ ...node, status: { ...node.status, conditions } });
        if (wasReady) this.o.recorder.event({ apiVersion: 'v1', kind: 'Node', name, uid: name }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    } else {
      // Look again the moment the grace period would run out.
      this.nodeQueue.addAfter(name, h.probeTime + this.gracePeriodMs - now);
    }
    const taints = reconcileTaints(node, now);
    if (taints !== undefined) {
      this.o.logger.info('updating node condition taints', { node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) });
      await nodes.update({ ...node, spec: { ...node.spec, taints } });
    }
    // A node the controller marked Unknown: its pods are not Ready any more (MarkPodsNotReady).
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'Unknown' && (ready.reason === 'NodeStatusUnknown' || ready.reason === 'NodeStatusNeverUpdated')) await this.markPodsNotReady(name, now);
  }

  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of this.o.pods.lister.byIndex(nodeNameIndex, nodeName)) {
      if (pod.spec?.nodeName !== nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (ready?.status === 'False') continue;
      const next = conditions.filter((c) => c.type !== 'Ready');
      next.push({ ...ready, type: 'Ready', status: 'False', lastTransitionTime: timestamp(now) });
      try {
        await this.o.client.resource('v1', 'Pod').namespace(pod.metadata?.namespace ?? '').updateStatus({ ...structuredClone(pod), status: { ...structuredClone(pod.status), conditions: next } });
      } catch (e: unknown) {
        if (!isStatusError(e, 'NotFound')) errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** Taint-based eviction of one pod (the taint eviction controller's processPodOnNode). */
  async syncPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.o.pods.lister.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (pod === undefined || pod.metadata?.deletionTimestamp !== undefined || nodeName === undefined || nodeName === '') {
      this.pending.delete(key);
      return;
    }
    const taints = noExecuteTaints(this.o.nodes.lister.get(undefined, nodeName));
    if (taints.length === 0) return this.cancel(pod, key);
    const { all, used } = matchingTolerations(taints, withDefaultTolerations(pod.spec?.tolerations ?? [], this.defaults));
    const now = this.clock.now();
    if (!all) return this.evict(pod, key, now);
    const tolerateMs = minTolerationMs(used);
    if (tolerateMs === undefined) return this.cancel(pod, key);
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { start: now };
      this.pending.set(key, p);
    }
    const due = p.start + tolerateMs;
    if (now >= due) return this.evict(pod, key, now);
    this.podQueue.addAfter(key, due - now);
  }

  private cancel(pod: Pod, key: string): void {
    if (!this.pending.delete(key)) return;
    this.o.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** Marks the pod a disruption target (DeletionByTaintManager) and deletes it. */
  private async evict(pod: Pod, key: string, now: number): Promise<void> {
    const api = this.o.client.resource('v1', 'Pod').namespace(pod.metadata?.namespace ?? '');
    this.o.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    this.o.logger.info('evicting pod from tainted node', { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, node: pod.spec?.nodeName });
    try {
      if (!pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
        const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), disruptionCondition(now)];
        await api.updateStatus({ ...structuredClone(pod), status: { ...structuredClone(pod.status), conditions } });
      }
      await api.delete(pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    this.pending.delete(key);
  }

  private enqueuePod(pod: Pod): void {
    if (pod.spec?.nodeName) this.podQueue.add(keyOf(pod));
  }

  private enqueuePodsOn(nodeName: string): void {
    for (const p of this.o.pods.lister.byIndex(nodeNameIndex, nodeName)) this.podQueue.add(makeKey(p.metadata?.namespace, p.metadata?.name ?? ''));
  }
}
