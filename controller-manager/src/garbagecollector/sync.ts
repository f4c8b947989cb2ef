// Garbage collection decisions: delete dependents whose owners are gone, wait out foreground deletions, orphan on request.
import { isStatusError, lookupKind, type OwnerReference, type ResourceInfo } from '@keelson/api';
import { keyOf, type Logger, type ObjectLike, type RestClient } from '@keelson/client';
import { errorText } from '../common/errors';
import { releasePatch } from '../common/controllerref';
import { foregroundFinalizer, hasFinalizer, isDeletingDependents, orphanFinalizer, type Node, type OwnershipGraph } from './graph';

export type Propagation = 'Orphan' | 'Background' | 'Foreground';

/** What the collector works through; the controller builds it, tests fake it. */
export interface GarbageCollectorDeps {
  client: RestClient;
  graph: OwnershipGraph;
  logger: Logger;
  /** Owners confirmed gone, by uid (uids are never reused). */
  absentOwners: BoundedSet;
  enqueueDelete(uid: string): void;
}

/** Remembers up to `max` strings, forgetting the oldest first (Kubernetes' absentOwnerCache is an LRU of 500). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max = 500) {}
  has(v: string): boolean {
    return this.items.has(v);
  }
  add(v: string): void {
    this.items.delete(v);
    this.items.add(v);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next();
      if (oldest.done !== true) this.items.delete(oldest.value);
    }
  }
}

/** A reference whose owner cannot be checked (a kind this server does not serve): never collected on its account. */
export class UnresolvableOwnerError extends Error {
  constructor(readonly ref: OwnerReference) {
    super(`cannot resolve owner kind ${ref.kind} in ${ref.apiVersion}`);
    this.name = 'UnresolvableOwnerError';
  }
}

type OwnerState = { state: 'solid' } | { state: 'dangling' } | { state: 'waiting' };

function resourceOf(client: RestClient, info: ResourceInfo, namespace: string | undefined): ReturnType<RestClient['resource']> {
  const api = client.resource(info);
  return info.namespaced && namespace !== undefined ? api.namespace(namespace) : api;
}

/**
 * What the owner behind `ref` is, seen from `dependent` (isDangling + classifyReferences):
 * in the cache with the same uid → solid, or waiting when it is deleting its dependents in
 * the foreground; not cached → asked of the API server, and dangling when it is not found or
 * is another object of the same name.
 */
async function ownerState(d: GarbageCollectorDeps, dependent: Node, ref: OwnerReference): Promise<OwnerState> {
  if (d.absentOwners.has(ref.uid)) return { state: 'dangling' };
  let owner: ObjectLike | undefined = d.graph.byUid(ref.uid)?.obj;
  if (owner === undefined) {
    const info = lookupKind(ref.apiVersion, ref.kind);
    if (info === undefined) throw new UnresolvableOwnerError(ref);
    const ns = dependent.obj.metadata?.namespace;
    if (info.namespaced && (ns === undefined || ns === '')) {
      // A cluster-scoped object cannot be owned by a namespaced one: the reference is invalid.
      d.absentOwners.add(ref.uid);
      return { state: 'dangling' };
    }
    try {
      owner = await resourceOf(d.client, info, ns).get(ref.name);
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
      d.absentOwners.add(ref.uid);
      return { state: 'dangling' };
    }
    if (owner.metadata?.uid !== ref.uid) {
      d.absentOwners.add(ref.uid);
      return { state: 'dangling' };
    }
  }
  return isDeletingDependents(owner) ? { state: 'waiting' } : { state: 'solid' };
}

/**
 * One attempt to collect the object with this uid (attemptToDeleteItem):
 *
 *   not cached, or being deleted (not in the foreground) ─► nothing
 *   deleting its dependents in the foreground ─► processDeletingDependents
 *   owners: solid ones left ─► drop the references to gone or foreground-deleting owners
 *           none solid, one waiting and it has dependents ─► delete it in the foreground
 *           none solid ─► delete it (propagation as its own finalizers ask, else Background)
 */
export async function attemptToDelete(d: GarbageCollectorDeps, uid: string): Promise<void> {
  const node = d.graph.byUid(uid);
  if (node === undefined) return;
  const obj = node.obj;
  if (isDeletingDependents(obj)) {
    await processDeletingDependents(d, node);
    return;
  }
  if (obj.metadata?.deletionTimestamp !== undefined) return;
  const refs = obj.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return;

  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const ref of refs) {
    let s: OwnerState;
    try {
      s = await ownerState(d, node, ref);
    } catch (e: unknown) {
      if (!(e instanceof UnresolvableOwnerError)) throw e;
      d.logger.warn('owner reference to an unknown kind; keeping the object', { kind: node.info.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, owner: `${ref.apiVersion}/${ref.kind}` });
      s = { state: 'solid' };
    }
    (s.state === 'solid' ? solid : s.state === 'dangling' ? dangling : waiting).push(ref);
  }

  const api = resourceOf(d.client, node.info, obj.metadata?.namespace);
  const name = obj.metadata?.name ?? '';
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return;
    // Still owned: it stays, without the references to owners that are gone or going.
    const gone = [...dangling, ...waiting];
    d.logger.info('removing references to deleted owners', { kind: node.info.kind, namespace: obj.metadata?.namespace, name, owners: gone.map((r) => r.name) });
    await ignoreNotFound(api.patch(name, 'strategic', { metadata: { ownerReferences: gone.map((r) => ({ $patch: 'delete', uid: r.uid })), uid } }));
    return;
  }
  let policy: Propagation;
  if (waiting.length > 0 && d.graph.dependents(uid).length > 0) {
    // Its owner waits for it, and it has dependents of its own: they go first.
    if (d.graph.dependents(uid).some((dep) => isDeletingDependents(dep.obj))) {
      // A cycle of foreground deletions would wait forever: stop this object blocking its owners.
      await ignoreNotFound(api.patch(name, 'strategic', { metadata: { ownerReferences: waiting.map((r) => ({ ...r, blockOwnerDeletion: false })), uid } }));
    }
    policy = 'Foreground';
  } else if (hasFinalizer(obj, orphanFinalizer)) policy = 'Orphan';
  else if (hasFinalizer(obj, foregroundFinalizer)) policy = 'Foreground';
  else policy = 'Background';
  d.logger.info('deleting object whose owners are gone', { kind: node.info.kind, namespace: obj.metadata?.namespace, name, propagationPolicy: policy });
  await ignoreNotFound(api.delete(name, { propagationPolicy: policy, preconditions: { uid, resourceVersion: obj.metadata?.resourceVersion ?? '' } }));
}

/**
 * An owner deleting in the foreground: once no dependent blocks it, its foregroundDeletion
 * finalizer goes (and with it the owner); until then its blocking dependents are collected.
 */
export async function processDeletingDependents(d: GarbageCollectorDeps, owner: Node): Promise<void> {
  const uid = owner.obj.metadata?.uid ?? '';
  const blocking = d.graph.blockingDependents(uid);
  if (blocking.length === 0) {
    await removeFinalizer(d, owner, foregroundFinalizer);
    return;
  }
  for (const dep of blocking) if (!isDeletingDependents(dep.obj)) d.enqueueDelete(dep.obj.metadata?.uid ?? '');
}

/**
 * An owner deleted with propagationPolicy Orphan: every dependent loses its reference to it,
 * then the owner loses its orphan finalizer (attemptToOrphanWorker).
 */
export async function attemptToOrphan(d: GarbageCollectorDeps, uid: string): Promise<void> {
  const owner = d.graph.byUid(uid);
  if (owner === undefined) return;
  if (owner.obj.metadata?.deletionTimestamp === undefined || !hasFinalizer(owner.obj, orphanFinalizer)) return;
  for (const dep of d.graph.dependents(uid)) {
    const name = dep.obj.metadata?.name ?? '';
    await ignoreNotFound(resourceOf(d.client, dep.info, dep.obj.metadata?.namespace).patch(name, 'strategic', releasePatch(uid, dep.obj.metadata?.uid)));
  }
  d.logger.info('orphaned dependents', { kind: owner.info.kind, namespace: owner.obj.metadata?.namespace, name: owner.obj.metadata?.name });
  await removeFinalizer(d, owner, orphanFinalizer);
}

/** Removes one finalizer from the live object (merge patch, compare-and-swap on its resourceVersion, retried on conflict). */
export async function removeFinalizer(d: GarbageCollectorDeps, node: Node, finalizer: string): Promise<void> {
  const api = resourceOf(d.client, node.info, node.obj.metadata?.namespace);
  const name = node.obj.metadata?.name ?? '';
  for (let attempt = 1; ; attempt++) {
    let live: ObjectLike;
    try {
      live = await api.get(name);
    } catch (e: unknown) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    if (live.metadata?.uid !== node.obj.metadata?.uid || !hasFinalizer(live, finalizer)) return;
    const finalizers = (live.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await api.patch(name, 'merge', { metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers } });
      d.logger.info('removed finalizer', { kind: node.info.kind, key: keyOf(live), finalizer });
      return;
    } catch (e: unknown) {
      if (isStatusError(e, 'NotFound')) return;
      if (!isStatusError(e, 'Conflict') || attempt >= 5) throw e;
      d.logger.debug('conflict removing finalizer, retrying', { kind: node.info.kind, key: keyOf(live), finalizer, error: errorText(e) });
    }
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e: unknown) {
    if (!isStatusError(e, 'NotFound')) throw e;
  }
}
