// DaemonSet controller wiring: DaemonSet, pod, node and ControllerRevision handlers that only enqueue (and count expectations), and the run loop.
import { selectorFromLabelSelector, type ControllerRevision, type DaemonSet, type Node, type Pod } from '@keelson/api';
import {
  WorkQueue,
  deletedObject,
  keyOf,
  nodeNameIndex,
  systemClock,
  type Clock,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type ObjectLike,
  type RestClient,
  type SharedIndexInformer,
} from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { controllerOf } from '../common/controllerref';
import { RealPodControl, type PodControl } from '../common/podcontrol';
import { isPodReady } from '../common/pods';
import { FailedPodsBackoff } from './backoff';
import type { DaemonSetSyncDeps } from './context';
import { DaemonSetExpectations } from './expectations';
import { nodeShouldRunDaemonPod, targetNodeName } from './predicates';
import { syncDaemonSet } from './sync';

export interface DaemonSetControllerOptions {
  client: RestClient;
  daemonSets: SharedIndexInformer<DaemonSet>;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<Node>;
  revisions: SharedIndexInformer<ControllerRevision>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-daemonset-syncs). Default 2. */
  workers?: number;
  /** Most pods created, and most deleted, per sync. Default 250. */
  burstReplicas?: number;
  /** First pause before a failed daemon pod is replaced (doubling per failure on a node, ≤ 15 min). Default 1 s. */
  failedPodsBackoffBaseMs?: number;
  podControl?: PodControl;
}

/** Node fields a DaemonSet's placement depends on changed: labels, taints, name-affecting spec, or condition statuses. */
function nodePlacementChanged(old: Node, cur: Node): boolean {
  const conds = (n: Node): string =>
    JSON.stringify(
      (n.status?.conditions ?? [])
        .map((c) => `${c.type}=${c.status}`)
        .sort(),
    );
  return JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {}) || JSON.stringify(old.spec ?? {}) !== JSON.stringify(cur.spec ?? {}) || conds(old) !== conds(cur);
}

/**
 * Runs one pod of every DaemonSet on each node it selects. Handlers turn DaemonSet, pod,
 * node and ControllerRevision events into DaemonSet keys; `sync(key)` is the reconcile in
 * sync.ts.
 */
export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly queue: WorkQueue<string>;
  readonly expectations: DaemonSetExpectations;
  readonly deps: DaemonSetSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: DaemonSetControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.expectations = new DaemonSetExpectations(clock);
    this.workers = o.workers ?? 2;
    this.deps = {
      client: o.client,
      daemonSets: o.daemonSets.lister,
      nodes: o.nodes.lister,
      pods: o.pods.lister,
      revisions: o.revisions.lister,
      podControl: o.podControl ?? new RealPodControl(o.client, o.recorder),
      expectations: this.expectations,
      backoff: new FailedPodsBackoff(clock, o.failedPodsBackoffBaseMs),
      recorder: o.recorder,
      clock,
      logger: o.logger,
      burstReplicas: o.burstReplicas ?? 250,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.daemonSets.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.onDaemonSetDelete(old);
        this.enqueue(cur);
      },
      onDelete: (obj) => this.onDaemonSetDelete(obj),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (obj) => this.onPodDelete(obj),
    });
    o.nodes.addEventHandler({
      onAdd: (node) => this.onNodeAdd(node),
      onUpdate: (old, cur) => this.onNodeUpdate(old, cur),
      onDelete: (obj) => this.onNodeDelete(obj),
    });
    o.revisions.addEventHandler({
      onAdd: (r) => this.onRevision(r),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        if (controllerOf(old)?.uid !== controllerOf(cur)?.uid) this.onRevision(old);
        this.onRevision(cur);
      },
      onDelete: (obj) => this.onRevision(deletedObject(obj)),
    });
  }

  /** Reconciles one DaemonSet key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncDaemonSet(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    const o = this.o;
    return runLoop({ name: this.name, queue: this.queue, workers: this.workers, informers: [o.daemonSets, o.pods, o.nodes, o.revisions], sync: (key) => this.sync(key), logger: o.logger }, signal);
  }

  enqueue(ds: DaemonSet): void {
    this.queue.add(keyOf(ds));
  }

  onDaemonSetDelete(obj: DaemonSet | DeletedFinalStateUnknown<DaemonSet>): void {
    const key = keyOf(deletedObject(obj));
    // A DaemonSet recreated under the same name starts with clean expectations.
    this.expectations.delete(key);
    this.queue.add(key);
  }

  onPodAdd(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      // Restarted with a pod already being deleted: it counts as a deletion observed.
      this.onPodDelete(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref !== undefined) {
      const ds = this.resolve(pod.metadata?.namespace, ref);
      if (ds === undefined) return;
      const key = keyOf(ds);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: every DaemonSet that selects it may want to adopt it.
    for (const ds of this.selecting(pod)) this.enqueue(ds);
  }

  onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp !== undefined) {
      // Graceful deletion: count it now, so a replacement is not held up by the grace period.
      this.onPodDelete(cur);
      return;
    }
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef !== undefined) {
      const ds = this.resolve(old.metadata?.namespace, oldRef);
      if (ds !== undefined) this.enqueue(ds);
    }
    if (curRef !== undefined) {
      const ds = this.resolve(cur.metadata?.namespace, curRef);
      if (ds === undefined) return;
      this.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      // Available minReadySeconds after Ready (a second more against clock skew).
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(ds), minReady * 1000 + 1000);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of this.selecting(cur)) this.enqueue(ds);
  }

  onPodDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = controllerOf(pod);
    if (ref === undefined) return;
    const ds = this.resolve(pod.metadata?.namespace, ref);
    if (ds === undefined) return;
    const key = keyOf(ds);
    this.expectations.deletionObserved(key, keyOf(pod));
    this.queue.add(key);
  }

  /** A new node: the DaemonSets that should run a pod there. */
  onNodeAdd(node: Node): void {
    for (const ds of this.o.daemonSets.lister.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
  }

  /** A changed node: the DaemonSets whose placement on it changed (heartbeats alone change nothing). */
  onNodeUpdate(old: Node, cur: Node): void {
    if (!nodePlacementChanged(old, cur)) return;
    for (const ds of this.o.daemonSets.lister.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  /** A node gone: the DaemonSets with pods for it (they are cleaned up) or that counted it. */
  onNodeDelete(obj: Node | DeletedFinalStateUnknown<Node>): void {
    const node = deletedObject(obj);
    const name = node.metadata?.name ?? '';
    const keys = new Set<string>();
    for (const ds of this.o.daemonSets.lister.list()) if (nodeShouldRunDaemonPod(node, ds).shouldContinueRunning) keys.add(keyOf(ds));
    const pods = [...this.o.pods.lister.byIndex(nodeNameIndex, name), ...this.o.pods.lister.list().filter((p) => (p.spec?.nodeName ?? '') === '' && targetNodeName(p) === name)];
    for (const p of pods) {
      const ref = controllerOf(p);
      const ds = ref === undefined ? undefined : this.resolve(p.metadata?.namespace, ref);
      if (ds !== undefined) keys.add(keyOf(ds));
    }
    for (const k of keys) this.queue.add(k);
  }

  /** A revision changed: its DaemonSet, or for an orphan every DaemonSet that selects it. */
  onRevision(r: ControllerRevision): void {
    const ref = controllerOf(r);
    if (ref !== undefined) {
      const ds = this.resolve(r.metadata?.namespace, ref);
      if (ds !== undefined) this.enqueue(ds);
      return;
    }
    for (const ds of this.selecting(r)) this.enqueue(ds);
  }

  /** The cached DaemonSet a controller reference names, if it is that very object. */
  private resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string }): DaemonSet | undefined {
    if (ref.kind !== 'DaemonSet') return undefined;
    const ds = this.o.daemonSets.lister.get(namespace, ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  private selecting(obj: ObjectLike): DaemonSet[] {
    return this.o.daemonSets.lister
      .namespace(obj.metadata?.namespace ?? '')
      .list()
      .filter((ds) => {
        const sel = ds.spec?.selector;
        if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
        try {
          return selectorFromLabelSelector(sel).matches(obj.metadata?.labels);
        } catch {
          return false;
        }
      });
  }
}
