// Deployment controller wiring: Deployment, ReplicaSet and pod handlers that only enqueue Deployment keys, and the run loop.
import { selectorFromLabelSelector, type Deployment, type Pod, type ReplicaSet } from '@keelson/api';
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
import type { DeploymentSyncDeps } from './context';
import { syncDeployment } from './sync';

export interface DeploymentControllerOptions {
  client: RestClient;
  deployments: SharedIndexInformer<Deployment>;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-deployment-syncs). Default 5. */
  workers?: number;
}

/**
 * Rolls Deployments out through ReplicaSets. Every event becomes the key of the Deployment it
 * concerns; `sync(key)` is the reconcile in sync.ts.
 */
export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue: WorkQueue<string>;
  private readonly deps: DeploymentSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: DeploymentControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.workers = o.workers ?? 5;
    this.deps = {
      client: o.client,
      deployments: o.deployments.lister,
      replicaSets: o.replicaSets.lister,
      pods: o.pods.lister,
      recorder: o.recorder,
      clock,
      logger: o.logger,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
      enqueueRateLimited: (key) => this.queue.addRateLimited(key),
    };
    o.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (obj) => this.enqueue(deletedObject(obj)),
    });
    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.onReplicaSetAdd(rs),
      onUpdate: (old, cur) => this.onReplicaSetUpdate(old, cur),
      onDelete: (obj) => this.onReplicaSetDelete(obj),
    });
    o.pods.addEventHandler({ onDelete: (obj) => this.onPodDelete(obj) });
  }

  /** Reconciles one Deployment key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncDeployment(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.deployments, this.o.replicaSets, this.o.pods], sync: (key) => this.sync(key), logger: this.o.logger },
      signal,
    );
  }

  enqueue(d: Deployment): void {
    this.queue.add(keyOf(d));
  }

  onReplicaSetAdd(rs: ReplicaSet): void {
    if (rs.metadata?.deletionTimestamp !== undefined) {
      this.onReplicaSetDelete(rs);
      return;
    }
    const ref = controllerOf(rs);
    if (ref !== undefined) {
      const d = this.resolve(rs.metadata?.namespace, ref);
      if (d !== undefined) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  onReplicaSetUpdate(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef !== undefined) {
      const d = this.resolve(old.metadata?.namespace, oldRef);
      if (d !== undefined) this.enqueue(d);
    }
    if (curRef !== undefined) {
      const d = this.resolve(cur.metadata?.namespace, curRef);
      if (d !== undefined) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.deploymentsSelecting(cur)) this.enqueue(d);
  }

  onReplicaSetDelete(obj: ReplicaSet | DeletedFinalStateUnknown<ReplicaSet>): void {
    const rs = deletedObject(obj);
    const ref = controllerOf(rs);
    if (ref === undefined) return;
    const d = this.resolve(rs.metadata?.namespace, ref);
    if (d !== undefined) this.enqueue(d);
  }

  /** A Recreate rollout waits for old pods to be gone: each pod deletion may be the last. */
  onPodDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const rsRef = controllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.o.replicaSets.lister.get(pod.metadata?.namespace, rsRef.name);
    if (rs === undefined || rs.metadata?.uid !== rsRef.uid) return;
    const ref = controllerOf(rs);
    if (ref === undefined) return;
    const d = this.resolve(rs.metadata?.namespace, ref);
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  private resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string }): Deployment | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.o.deployments.lister.get(namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    return this.o.deployments.lister
      .namespace(rs.metadata?.namespace ?? '')
      .list()
      .filter((d) => {
        const sel = d.spec?.selector;
        if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
        try {
          return selectorFromLabelSelector(sel).matches(rs.metadata?.labels);
        } catch {
          return false;
        }
      });
  }
}
