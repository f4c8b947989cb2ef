// StatefulSet controller wiring: informer handlers that only enqueue (and count expectations), and the run loop.
import { selectorFromLabelSelector, type ControllerRevision, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@keelson/api';
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
import { isPodReady } from '../common/pods';
import { syncStatefulSet, type StatefulSetSyncDeps } from './sync';

export interface StatefulSetControllerOptions {
  client: RestClient;
  statefulSets: SharedIndexInformer<StatefulSet>;
  pods: SharedIndexInformer<Pod>;
  claims: SharedIndexInformer<PersistentVolumeClaim>;
  revisions: SharedIndexInformer<ControllerRevision>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  /** Where the workqueue metrics go. */
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-statefulset-syncs). Default 5. */
  workers?: number;
}

/**
 * Runs StatefulSets: pods with stable names, hostnames and claims, made and removed in order,
 * updated from the highest ordinal down. Handlers turn StatefulSet and pod events into
 * StatefulSet keys; `sync(key)` is the reconcile in sync.ts. Claims and revisions are read
 * from their caches only (as in Kubernetes, their events do not trigger syncs).
 */
export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly deps: StatefulSetSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: StatefulSetControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.expectations = new ControllerExpectations(clock);
    this.workers = o.workers ?? 5;
    this.deps = {
      client: o.client,
      sets: o.statefulSets.lister,
      pods: o.pods.lister,
      claims: o.claims.lister,
      revisions: o.revisions.lister,
      expectations: this.expectations,
      recorder: o.recorder,
      clock,
      logger: o.logger,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.statefulSets.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (old, cur) => this.onSetUpdate(old, cur),
      onDelete: (obj) => this.onSetDelete(obj),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (obj) => this.onPodDelete(obj),
    });
  }

  /** Reconciles one StatefulSet key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncStatefulSet(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      {
        name: this.name,
        queue: this.queue,
        workers: this.workers,
        informers: [this.o.statefulSets, this.o.pods, this.o.claims, this.o.revisions],
        sync: (key) => this.sync(key),
        logger: this.o.logger,
      },
      signal,
    );
  }

  enqueue(set: StatefulSet): void {
    this.queue.add(keyOf(set));
  }

  onSetUpdate(old: StatefulSet, cur: StatefulSet): void {
    if (old.metadata?.uid !== cur.metadata?.uid) this.onSetDelete(old);
    this.enqueue(cur);
  }

  onSetDelete(obj: StatefulSet | DeletedFinalStateUnknown<StatefulSet>): void {
    const key = keyOf(deletedObject(obj));
    this.expectations.delete(key);
    this.queue.add(key);
  }

  onPodAdd(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      this.onPodDelete(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref !== undefined) {
      const set = this.resolve(pod.metadata?.namespace, ref);
      if (set === undefined) return;
      const key = keyOf(set);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const set of this.setsSelecting(pod)) this.enqueue(set);
  }

  onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp !== undefined && old.metadata?.deletionTimestamp === undefined) {
      // Graceful deletion started: that is the deletion the controller waited for.
      this.onPodDelete(cur);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef !== undefined) {
      const set = this.resolve(old.metadata?.namespace, oldRef);
      if (set !== undefined) this.enqueue(set);
    }
    if (curRef !== undefined) {
      const set = this.resolve(cur.metadata?.namespace, curRef);
      if (set === undefined) return;
      this.enqueue(set);
      const minReady = set.spec?.minReadySeconds ?? 0;
      // Becoming available takes minReadySeconds more: look again then.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(set), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const set of this.setsSelecting(cur)) this.enqueue(set);
  }

  onPodDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = controllerOf(pod);
    if (ref === undefined) return;
    const set = this.resolve(pod.metadata?.namespace, ref);
    if (set === undefined) return;
    const key = keyOf(set);
    this.expectations.deletionObserved(key, keyOf(pod));
    this.queue.add(key);
  }

  private resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string }): StatefulSet | undefined {
    if (ref.kind !== 'StatefulSet') return undefined;
    const set = this.o.statefulSets.lister.get(namespace, ref.name);
    return set?.metadata?.uid === ref.uid ? set : undefined;
  }

  private setsSelecting(pod: Pod): StatefulSet[] {
    return this.o.statefulSets.lister
      .namespace(pod.metadata?.namespace ?? '')
      .list()
      .filter((s) => {
        const sel = s.spec?.selector;
        if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
        try {
          return selectorFromLabelSelector(sel).matches(pod.metadata?.labels);
        } catch {
          return false;
        }
      });
  }
}
