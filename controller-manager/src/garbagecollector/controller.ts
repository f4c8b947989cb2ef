// Garbage collector wiring: handlers on every collectable informer enqueue uids to delete or orphan; two worker pools drain them.
import type { ResourceInfo } from '@keelson/api';
import { WorkQueue, deletedObject, systemClock, type Clock, type Logger, type ObjectLike, type RestClient, type SharedInformerFactory } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { changedReferences, collectableResources, foregroundFinalizer, hasFinalizer, isDeletingDependents, orphanFinalizer, OwnershipGraph } from './graph';
import { attemptToDelete, attemptToOrphan, BoundedSet, type GarbageCollectorDeps } from './sync';

export interface GarbageCollectorOptions {
  client: RestClient;
  /** The shared factory: the collector asks it for an informer of every collectable resource. */
  factory: SharedInformerFactory;
  logger: Logger;
  /** Default: every resource of the registry that can be listed, watched and deleted, but Events. */
  resources?: readonly ResourceInfo[];
  clock?: Clock;
  registry?: Registry;
  /** Workers per queue (kube-controller-manager --concurrent-gc-syncs). Default 20. */
  workers?: number;
}

/**
 *   informer events (every collectable kind)
 *     ├ has owner references (new, changed, resync) ─────────► attemptToDelete(uid)
 *     ├ being deleted with `orphan` ─────────────────────────► attemptToOrphan(uid)
 *     ├ being deleted with `foregroundDeletion` ─────────────► attemptToDelete(uid and its dependents)
 *     ├ references dropped or unblocked ─────────────────────► attemptToDelete(those owners)
 *     └ deleted ─────────────────────────────────────────────► attemptToDelete(its dependents and its owners)
 *   attemptToDelete worker: sync.ts attemptToDelete / processDeletingDependents
 *   attemptToOrphan worker: sync.ts attemptToOrphan
 */
export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly deleteQueue: WorkQueue<string>;
  readonly orphanQueue: WorkQueue<string>;
  readonly graph: OwnershipGraph;
  private readonly deps: GarbageCollectorDeps;
  private readonly workers: number;

  constructor(private readonly o: GarbageCollectorOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    const registry = o.registry ? { registry: o.registry } : {};
    this.deleteQueue = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete', clock, ...registry });
    this.orphanQueue = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan', clock, ...registry });
    this.workers = o.workers ?? 20;
    this.graph = new OwnershipGraph(o.factory, o.resources ?? collectableResources());
    this.deps = { client: o.client, graph: this.graph, logger: o.logger, absentOwners: new BoundedSet(500), enqueueDelete: (uid) => this.deleteQueue.add(uid) };
    for (const informer of this.graph.informers.values()) {
      informer.addEventHandler({
        onAdd: (obj) => this.onChange(undefined, obj),
        onUpdate: (old, cur) => this.onChange(old, cur),
        onDelete: (obj) => this.onDelete(deletedObject(obj)),
      });
    }
  }

  /** One attempt to collect the object with this uid (exposed for tests). */
  syncDelete(uid: string): Promise<void> {
    return attemptToDelete(this.deps, uid);
  }

  /** One attempt to orphan the dependents of the owner with this uid (exposed for tests). */
  syncOrphan(uid: string): Promise<void> {
    return attemptToOrphan(this.deps, uid);
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [...this.graph.informers.values()];
    await Promise.all([
      runLoop({ name: 'garbagecollector-delete', queue: this.deleteQueue, workers: this.workers, informers, sync: (uid) => this.syncDelete(uid), logger: this.o.logger }, signal),
      runLoop({ name: 'garbagecollector-orphan', queue: this.orphanQueue, workers: this.workers, informers, sync: (uid) => this.syncOrphan(uid), logger: this.o.logger }, signal),
    ]);
  }

  onChange(old: ObjectLike | undefined, cur: ObjectLike): void {
    const uid = cur.metadata?.uid;
    if (uid === undefined) return;
    if ((cur.metadata?.ownerReferences ?? []).length > 0) this.deleteQueue.add(uid);
    if (cur.metadata?.deletionTimestamp !== undefined) {
      if (hasFinalizer(cur, orphanFinalizer)) this.orphanQueue.add(uid);
      if (hasFinalizer(cur, foregroundFinalizer)) {
        this.deleteQueue.add(uid);
        for (const dep of this.graph.dependents(uid)) this.deleteQueue.add(dep.obj.metadata?.uid ?? '');
      }
    }
    // An owner deleting in the foreground may have been waiting on a reference that just went.
    for (const ref of changedReferences(old?.metadata?.ownerReferences, cur.metadata?.ownerReferences)) this.enqueueIfDeletingDependents(ref.uid);
  }

  onDelete(obj: ObjectLike): void {
    const uid = obj.metadata?.uid;
    if (uid === undefined) return;
    for (const dep of this.graph.dependents(uid)) this.deleteQueue.add(dep.obj.metadata?.uid ?? '');
    for (const ref of obj.metadata?.ownerReferences ?? []) this.enqueueIfDeletingDependents(ref.uid);
  }

  private enqueueIfDeletingDependents(uid: string): void {
    const owner = this.graph.byUid(uid);
    if (owner !== undefined && isDeletingDependents(owner.obj)) this.deleteQueue.add(uid);
  }
}
