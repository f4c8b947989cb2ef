// ReplicaSet controller wiring: informer handlers that only enqueue (and count expectations), and the run loop.
import { selectorFromLabelSelector, type Pod, type ReplicaSet } from '@keelson/api';
import {
  WorkQueue,
  deletedObject,
  keyOf,
  systemClock,
  type Clock,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type RestClient,
  type SharedIndexInformer,
} from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { controllerOf } from '../common/controllerref';
import { ControllerExpectations } from '../common/expectations';
import { RealPodControl, type PodControl } from '../common/podcontrol';
import { isPodReady } from '../common/pods';
import { syncReplicaSet, type ReplicaSetSyncDeps } from './sync';

export interface ReplicaSetControllerOptions {
  client: RestClient;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  /** Where the workqueue metrics go. */
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-replicaset-syncs). Default 5. */
  workers?: number;
  /** Most pods created or deleted per sync. Default 500. */
  burstReplicas?: number;
  /** Default: pods through the API server, with events. */
  podControl?: PodControl;
}

/**
 * Keeps `spec.replicas` pods running for every ReplicaSet. Handlers turn ReplicaSet and pod
 * events into ReplicaSet keys (and lower expectations as pods appear and disappear);
 * `sync(key)` is the reconcile in sync.ts.
 */
export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly deps: ReplicaSetSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: ReplicaSetControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.expectations = new ControllerExpectations(clock);
    this.workers = o.workers ?? 5;
    this.deps = {
      client: o.client,
      replicaSets: o.replicaSets.lister,
      pods: o.pods.lister,
      podControl: o.podControl ?? new RealPodControl(o.client, o.recorder),
      expectations: this.expectations,
      recorder: o.recorder,
      clock,
      logger: o.logger,
      burstReplicas: o.burstReplicas ?? 500,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => this.onReplicaSetUpdate(old, cur),
      onDelete: (obj) => this.onReplicaSetDelete(obj),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (obj) => this.onPodDelete(obj),
    });
  }

  /** Reconciles one ReplicaSet key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncReplicaSet(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.replicaSets, this.o.pods], sync: (key) => this.sync(key), logger: this.o.logger },
      signal,
    );
  }

  enqueue(rs: ReplicaSet): void {
    this.queue.add(keyOf(rs));
  }

  onReplicaSetUpdate(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata?.uid !== cur.metadata?.uid) {
      // Deleted and recreated under the same name while we were not looking.
      this.onReplicaSetDelete(old);
    }
    // Status changes matter too (a stale status is rewritten), so every update is a sync.
    this.enqueue(cur);
  }

  onReplicaSetDelete(obj: ReplicaSet | DeletedFinalStateUnknown<ReplicaSet>): void {
    const rs = deletedObject(obj);
    const key = keyOf(rs);
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
      const rs = this.resolve(pod.metadata?.namespace, ref);
      if (rs === undefined) return;
      const key = keyOf(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: every ReplicaSet that selects it may want to adopt it.
    for (const rs of this.replicaSetsSelecting(pod)) this.enqueue(rs);
  }

  onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp !== undefined) {
      // Graceful deletion: count it now, so replacements are not held up by the grace period.
      this.onPodDelete(cur);
      if (labelsChanged) this.onPodDelete(old);
      return;
    }
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef !== undefined) {
      const rs = this.resolve(old.metadata?.namespace, oldRef);
      if (rs !== undefined) this.enqueue(rs);
    }
    if (curRef !== undefined) {
      const rs = this.resolve(cur.metadata?.namespace, curRef);
      if (rs === undefined) return;
      this.enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      // Becoming available takes minReadySeconds more: look again then.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.replicaSetsSelecting(cur)) this.enqueue(rs);
  }

  onPodDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = controllerOf(pod);
    if (ref === undefined) return;
    const rs = this.resolve(pod.metadata?.namespace, ref);
    if (rs === undefined) return;
    const key = keyOf(rs);
    this.expectations.deletionObserved(key, keyOf(pod));
    this.queue.add(key);
  }

  /** The cached ReplicaSet a controller reference names, if it is that very object. */
  private resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string }): ReplicaSet | undefined {
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.o.replicaSets.lister.get(namespace, ref.name);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  private replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    const ns = pod.metadata?.namespace ?? '';
    return this.o.replicaSets.lister.namespace(ns).list().filter((rs) => {
      const sel = rs.spec?.selector;
      if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
      try {
        return selectorFromLabelSelector(sel).matches(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }
}
