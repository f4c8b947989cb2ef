// The ownership graph the garbage collector walks, read from the shared informer caches: objects by uid, dependents by owner uid.
import { resources, type OwnerReference, type ResourceInfo } from '@keelson/api';
import { ownerUidIndex, type ObjectLike, type SharedIndexInformer, type SharedInformerFactory } from '@keelson/client';

/** The index the collector adds to every informer it reads: objects by their own uid. */
export const uidIndex = 'gc-uid';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

/** Resources the collector watches: every kind that can be listed, watched and deleted, except Events (as Kubernetes ignores them). */
export function collectableResources(all: readonly ResourceInfo[] = resources): ResourceInfo[] {
  return all.filter((r) => r.verbs.includes('list') && r.verbs.includes('watch') && r.verbs.includes('delete') && !(r.group === '' && r.resource === 'events'));
}

/** An object the graph knows, with the resource it belongs to. */
export interface Node {
  info: ResourceInfo;
  obj: ObjectLike;
}

export function hasFinalizer(obj: ObjectLike, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** Being deleted in the foreground: it waits for its blocking dependents to go first. */
export function isDeletingDependents(obj: ObjectLike): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && hasFinalizer(obj, foregroundFinalizer);
}

/**
 * Kubernetes' GraphBuilder keeps its own uid → node graph fed by metadata informers; here the
 * full-object informers the other controllers share already hold every object and index them
 * by owner uid, so the graph is a view over them plus a uid index. Objects referenced as
 * owners but never seen (Kubernetes' virtual nodes) are simply absent and get checked against
 * the API server by the collector.
 */
export class OwnershipGraph {
  readonly informers: ReadonlyMap<ResourceInfo, SharedIndexInformer<ObjectLike>>;

  constructor(factory: SharedInformerFactory, infos: readonly ResourceInfo[]) {
    const informers = new Map<ResourceInfo, SharedIndexInformer<ObjectLike>>();
    for (const info of infos) {
      const informer = factory.forResource<ObjectLike>(info);
      if (!informer.indexer.hasIndex(uidIndex)) informer.addIndexers({ [uidIndex]: (o) => (o.metadata?.uid ? [o.metadata.uid] : []) });
      informers.set(info, informer);
    }
    this.informers = informers;
  }

  /** The cached object with this uid. */
  byUid(uid: string): Node | undefined {
    for (const [info, informer] of this.informers) {
      const obj = informer.indexer.byIndex(uidIndex, uid)[0];
      if (obj !== undefined) return { info, obj };
    }
    return undefined;
  }

  /** Every cached object with an owner reference to `uid`. */
  dependents(uid: string): Node[] {
    const out: Node[] = [];
    for (const [info, informer] of this.informers) for (const obj of informer.indexer.byIndex(ownerUidIndex, uid)) out.push({ info, obj });
    return out;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: they hold a foreground deletion of it. */
  blockingDependents(uid: string): Node[] {
    return this.dependents(uid).filter((n) => n.obj.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  }
}

/** References in `before` that are gone or changed in `after` (their owners may be waiting on this object). */
export function changedReferences(before: readonly OwnerReference[] | undefined, after: readonly OwnerReference[] | undefined): OwnerReference[] {
  const now = new Map((after ?? []).map((r) => [r.uid, r]));
  return (before ?? []).filter((r) => {
    const a = now.get(r.uid);
    return a === undefined || a.blockOwnerDeletion !== r.blockOwnerDeletion;
  });
}
