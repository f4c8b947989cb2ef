// The generic resource store: create, get, list, update, delete over Storage, as Kubernetes' registry does.
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  type FieldSelector,
  InvalidError,
  NotFoundError,
  type Selector,
  apiVersionOf,
  assertValid,
  assertWellTyped,
  fieldErr,
  FieldPath,
  storageKey,
  storagePrefix,
  withDefaults,
  type DeleteOptions,
  type KubeList,
  type KubeObject,
  type ResourceInfo,
  type StoredObject,
} from '@keelson/api';
import {
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type Storage,
} from '../storage/types';
import { checkFields, type FieldCheckOptions } from '../openapi/fieldvalidation';
import { generateName, jsonEqual, newUid, sameIgnoringServerState, stableStringify, stripServerOwned, timestamp, type Clock, type MutableMeta } from './meta';
import { selectableFields, strategyFor, type Strategy } from './strategy';
import { recordUpdate } from '../patch';

/**
 * Where an object's writes come from: dry runs are validated but not stored. Fields the kind's
 * schema does not declare are never stored; `fieldValidation` says whether they fail the write.
 */
export interface WriteOptions extends FieldCheckOptions {
  dryRun?: boolean;
  /** `fieldManager`, recorded in managedFields (from the user agent when unset, as Kubernetes does). */
  fieldManager?: string;
  /** A server-side apply: the patch recorded ownership itself. */
  apply?: boolean;
}

export interface ListOptions {
  labelSelector?: Selector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
  /** The list's resourceVersion parameter: '' (latest), '0' (any) or a revision. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface DeleteResult {
  object: StoredObject;
  /** False when the object is only marked for deletion (finalizers, graceful pod deletion). */
  deleted: boolean;
}

/** Checks every namespaced write: the namespace must exist and not be terminating. */
export type NamespaceCheck = (namespace: string, info: ResourceInfo) => Promise<void>;

/** Values a kind allocates around its writes (Service ClusterIPs and NodePorts), keyed by kind. */
export interface WriteAllocator {
  /** Before validation of an update: keep allocated values the new object leaves out. */
  prepareUpdate(old: KubeObject, next: KubeObject): void;
  create(obj: KubeObject, dryRun: boolean): Promise<{ commit(): Promise<void>; revert(): Promise<void> }>;
  update(old: KubeObject, next: KubeObject, dryRun: boolean): Promise<{ commit(): Promise<void>; revert(): Promise<void> }>;
  /** After the object is gone from storage. */
  release(obj: KubeObject): Promise<void>;
}

export interface StoreDeps {
  storage: Storage;
  clock: Clock;
  namespaceCheck?: NamespaceCheck;
  allocators?: ReadonlyMap<string, WriteAllocator>;
}

/** Kinds a PUT may create when absent (Kubernetes' AllowCreateOnUpdate). */
const createOnUpdate = new Set(['Endpoints', 'Lease', 'Event', 'Service', 'EndpointSlice']);
const maxGenerateNameAttempts = 8;
const maxUpdateRetries = 16;

/** Subresources whose writes the store treats specially. */
export type Subresource = 'status' | 'binding';

/** A read-modify-write step: gets the current object, returns the next (or throws). */
export type Mutation = (current: StoredObject) => KubeObject | Promise<KubeObject>;

export class ResourceStore {
  readonly strategy: Strategy;

  constructor(
    readonly info: ResourceInfo,
    private readonly deps: StoreDeps,
  ) {
    this.strategy = strategyFor(info);
  }

  private get allocator(): WriteAllocator | undefined {
    return this.deps.allocators?.get(this.info.kind);
  }

  /** Runs a storage write inside an allocation: reverted when the write fails, committed when it succeeds. */
  private async allocated<T>(txn: { commit(): Promise<void>; revert(): Promise<void> } | undefined, write: () => Promise<T>): Promise<T> {
    if (!txn) return write();
    let result: T;
    try {
      result = await write();
    } catch (e: unknown) {
      await txn.revert();
      throw e;
    }
    await txn.commit();
    return result;
  }

  private key(namespace: string | undefined, name: string): string {
    return storageKey(this.info, namespace, name);
  }

  private target(name: string | undefined): { group: string; resource: string; kind: string; name?: string } {
    const t: { group: string; resource: string; kind: string; name?: string } = { group: this.info.group, resource: this.info.resource, kind: this.info.kind };
    if (name !== undefined) t.name = name;
    return t;
  }

  notFound(name: string): NotFoundError {
    return new NotFoundError(this.target(name));
  }

  /** Adds apiVersion and kind, which storage keeps but lists strip. */
  private typed(obj: StoredObject): StoredObject {
    return { apiVersion: apiVersionOf(this.info), kind: this.info.kind, ...obj };
  }

  async get(namespace: string | undefined, name: string): Promise<StoredObject> {
    const obj = await this.deps.storage.get(this.key(namespace, name));
    if (!obj) throw this.notFound(name);
    return this.typed(obj);
  }

  async list(namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList> {
    const prefix = storagePrefix(this.info, namespace);
    const labelSel = opts.labelSelector;
    const fieldSel = opts.fieldSelector;
    const matches = (o: StoredObject): boolean =>
      (!labelSel || labelSel.matches(o.metadata.labels)) && (!fieldSel || fieldSel.matches(selectableFields(this.info, o)));
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
    let revision: number | undefined;
    if (opts.resourceVersion && opts.resourceVersion !== '0' && opts.resourceVersionMatch === 'Exact') {
      revision = parseRevision(opts.resourceVersion);
    }
    const items: StoredObject[] = [];
    let token = opts.continue;
    let listRevision = 0;
    let remaining: number | undefined;
    try {
      for (;;) {
        const want = limit === undefined ? undefined : limit - items.length;
        const page = await this.deps.storage.list(prefix, {
          ...(revision !== undefined && token === undefined ? { revision } : {}),
          ...(want !== undefined ? { limit: want } : {}),
          ...(token !== undefined ? { continue: token } : {}),
        });
        listRevision = page.revision;
        for (const o of page.items) if (matches(o)) items.push(o);
        token = page.continue;
        remaining = page.remainingItemCount;
        if (token === undefined || (limit !== undefined && items.length >= limit)) break;
      }
    } catch (e: unknown) {
      if (e instanceof FutureRevisionError) throw new BadRequestError(`Too large resource version: ${e.requested}, current: ${e.current}`);
      throw e;
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(listRevision) };
    if (token !== undefined) {
      metadata.continue = token;
      // Kubernetes reports the count only when no selector filtered the page.
      if (remaining !== undefined && !labelSel?.requirements.length && !fieldSel?.requirements.length) metadata.remainingItemCount = remaining;
    }
    return { kind: this.info.listKind, apiVersion: apiVersionOf(this.info), metadata, items };
  }

  /** Applies apiVersion/kind and namespace from the URL, rejecting a body that disagrees. */
  private checkBody(body: KubeObject, namespace: string | undefined, opts: FieldCheckOptions = {}, source: 'body' | 'patch' = 'body'): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestError(`the body of the request must be a ${this.info.kind} object`);
    }
    const expected = apiVersionOf(this.info);
    const obj = structuredClone(body);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw new BadRequestError(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (obj.kind !== undefined && obj.kind !== this.info.kind) {
      throw new BadRequestError(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${this.info.kind})`);
    }
    obj.apiVersion = expected;
    obj.kind = this.info.kind;
    // Decoding into the typed object drops unknown fields (Strict: 400; Warn: warnings).
    checkFields(this.info, obj, opts, source);
    this.strategy.normalize?.(obj);
    if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
      throw new InvalidError(this.target(undefined), [fieldErr.typeInvalid(FieldPath.root('metadata'), obj.metadata, 'must be an object')]);
    }
    const meta: MutableMeta = (obj.metadata ??= {});
    if (this.info.namespaced) {
      if (namespace === undefined) throw new BadRequestError(`${this.info.resource} must be created in a namespace: use /namespaces/{namespace}/${this.info.resource}`);
      if (meta.namespace && meta.namespace !== namespace) {
        throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else if (meta.namespace) {
      // Kubernetes ignores a namespace on a cluster-scoped object.
      delete meta.namespace;
    }
    return obj;
  }

  async create(namespace: string | undefined, body: KubeObject, opts: WriteOptions = {}): Promise<StoredObject> {
    const checked = this.checkBody(body, namespace, opts);
    assertWellTyped(this.info, checked);
    const obj = withDefaults(this.info.kind, checked);
    const meta: MutableMeta = obj.metadata ?? {};
    stripServerOwned(meta);
    meta.uid = newUid();
    meta.creationTimestamp = timestamp(this.deps.clock.now());
    if (this.strategy.tracksGeneration) meta.generation = 1;
    const useGenerateName = !meta.name && !!meta.generateName;
    if (useGenerateName) meta.name = generateName(meta.generateName ?? '');
    obj.metadata = meta;
    this.strategy.prepareForCreate(obj);
    if (this.info.namespaced && namespace !== undefined) await this.deps.namespaceCheck?.(namespace, this.info);
    assertValid(this.info, obj);
    const txn = await this.allocator?.create(obj, opts.dryRun === true);
    const tracked = this.track(undefined, obj, opts);
    obj.metadata = tracked.metadata ?? meta;
    if (opts.dryRun) return this.typed(tracked as StoredObject);
    // What the allocator handed out goes back if the object is not stored in the end.
    return this.allocated(txn, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return this.typed(await this.deps.storage.create(this.key(namespace, meta.name ?? ''), { ...tracked, metadata: obj.metadata }));
        } catch (e: unknown) {
          if (!(e instanceof KeyExistsError)) throw e;
          if (!useGenerateName || attempt >= maxGenerateNameAttempts) throw new AlreadyExistsError(this.target(meta.name));
          meta.name = generateName(meta.generateName ?? '');
          if (this.info.kind === 'Job') this.strategy.prepareForCreate(obj);
        }
      }
    });
  }

  /**
   * PUT: replaces the object (or its status with `subresource: 'status'`). A body with a
   * resourceVersion is compare-and-swap; without one the update is unconditional.
   */
  async update(
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions & { subresource?: 'status' } = {},
  ): Promise<{ object: StoredObject; created: boolean }> {
    const checked = this.checkBody(body, namespace, opts);
    const bodyName = checked.metadata?.name;
    if (bodyName !== undefined && bodyName !== name) {
      throw new BadRequestError(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    const expected = checked.metadata?.resourceVersion;
    const current = await this.deps.storage.get(this.key(namespace, name));
    if (!current) {
      if (opts.subresource === undefined && createOnUpdate.has(this.info.kind)) {
        const created = await this.create(namespace, { ...checked, metadata: { ...checked.metadata, name } }, opts);
        return { object: created, created: true };
      }
      throw this.notFound(name);
    }
    if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
      throw new ConflictError(this.target(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const object = await this.write(current, checked, opts, expected === undefined || expected === '');
    return { object, created: false };
  }

  /**
   * Read-modify-write with retries on conflict: `mutate` sees the latest object each time.
   * Used by PATCH, scale, binding, finalize and graceful deletion.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    mutate: Mutation,
    opts: WriteOptions & { subresource?: Subresource } = {},
  ): Promise<StoredObject> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.storage.get(this.key(namespace, name));
      if (!current) throw this.notFound(name);
      const next = this.checkBody(await mutate(this.typed(current)), namespace, opts, 'patch');
      if (next.metadata?.name !== undefined && next.metadata.name !== name) {
        throw new BadRequestError(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
      }
      const rv = next.metadata?.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
        throw new ConflictError(this.target(name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      try {
        return await this.write(current, next, opts, false);
      } catch (e: unknown) {
        // Someone wrote between our read and our compare-and-swap: run the mutation again on the
        // fresh object. A resourceVersion the mutation itself demands is re-checked above, so a
        // precondition still fails with 409; one merely carried over from the read does not.
        if (e instanceof ConflictError && attempt < maxUpdateRetries) continue;
        throw e;
      }
    }
  }

  /** The shared tail of every update: merge server-owned state, default, validate, CAS. */
  private async write(
    current: StoredObject,
    incoming: KubeObject,
    opts: WriteOptions & { subresource?: Subresource },
    retryable: boolean,
  ): Promise<StoredObject> {
    assertWellTyped(this.info, incoming);
    let next: KubeObject;
    if (opts.subresource === 'status') {
      // A status write changes status and annotations only (Kubernetes' status strategies keep
      // spec and labels as stored); everything else stays as stored.
      next = { ...structuredClone(current), status: incoming.status };
      const annotations = incoming.metadata?.annotations;
      const meta: MutableMeta = (next.metadata ??= {});
      if (annotations === undefined) delete meta.annotations;
      else meta.annotations = annotations;
    } else {
      next = withDefaults(this.info.kind, incoming);
      // Only the binding subresource writes spec and status together (nodeName + PodScheduled).
      if (this.strategy.hasStatus && opts.subresource !== 'binding') {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
    }
    const meta: MutableMeta = (next.metadata ??= {});
    const old = current.metadata;
    meta.name = old.name;
    if (old.namespace !== undefined) meta.namespace = old.namespace;
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'generateName'] as const) {
      if (old[f] === undefined) delete meta[f];
      else (meta as Record<string, unknown>)[f] = old[f];
    }
    delete meta.resourceVersion;
    if (old.deletionTimestamp) {
      // Once deletion has begun, finalizers may only be removed, never added.
      const before = new Set(old.finalizers ?? []);
      const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw new InvalidError(this.target(old.name), [
          fieldErr.forbidden(FieldPath.root('metadata').child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`),
        ]);
      }
    }
    const allocator = opts.subresource === 'status' ? undefined : this.allocator;
    allocator?.prepareUpdate(current, next);
    if (this.strategy.tracksGeneration && !jsonEqual(next.spec ?? null, current.spec ?? null)) {
      meta.generation = (old.generation ?? 1) + 1;
    }
    assertValid(this.info, next, current);
    const txn = old.deletionTimestamp ? undefined : await allocator?.update(current, next, opts.dryRun === true);
    next = this.track(current, next, opts);
    const key = this.key(old.namespace, old.name ?? '');
    const revision = Number(old.resourceVersion);
    if (old.deletionTimestamp && this.pendingFinalizers(next).length === 0 && (old.deletionGracePeriodSeconds ?? 0) === 0) {
      // The last finalizer is gone: the deletion completes now.
      if (opts.dryRun) return this.typed({ ...next, metadata: { ...meta, resourceVersion: old.resourceVersion } });
      return this.typed(await this.removeAt(key, revision, old.name ?? '', retryable));
    }
    if (sameIgnoringServerState(next, current)) {
      await txn?.revert();
      return this.typed(current);
    }
    if (opts.dryRun) return this.typed({ ...next, metadata: { ...meta, resourceVersion: old.resourceVersion } });
    try {
      return this.typed(await this.allocated(txn, () => this.deps.storage.update(key, next, { expectedRevision: revision })));
    } catch (e: unknown) {
      if (e instanceof RevisionConflictError) {
        throw new ConflictError(this.target(old.name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      if (e instanceof KeyNotFoundError) throw this.notFound(old.name ?? '');
      throw e;
    }
  }

  /** Records field ownership of an ordinary write in managedFields; applies record their own. */
  private track(old: KubeObject | undefined, next: KubeObject, opts: WriteOptions & { subresource?: Subresource }): KubeObject {
    if (opts.apply) return next;
    const manager = opts.fieldManager ?? 'unknown';
    const subresource = opts.subresource === 'status' ? { subresource: 'status' } : {};
    return recordUpdate(old, next, manager, apiVersionOf(this.info), timestamp(this.deps.clock.now()), subresource) as KubeObject;
  }

  /** Finalizers that still hold the object: metadata.finalizers, and a namespace's spec.finalizers. */
  private pendingFinalizers(obj: KubeObject): string[] {
    const own = obj.metadata?.finalizers ?? [];
    if (this.info.kind === 'Namespace') {
      return [...own, ...(((obj.spec as { finalizers?: string[] } | undefined)?.finalizers) ?? [])];
    }
    return own;
  }

  private async removeAt(key: string, revision: number, name: string, _retryable: boolean): Promise<StoredObject> {
    try {
      const gone = await this.deps.storage.delete(key, { expectedRevision: revision });
      await this.allocator?.release(gone);
      return gone;
    } catch (e: unknown) {
      if (e instanceof RevisionConflictError) {
        throw new ConflictError(this.target(name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      if (e instanceof KeyNotFoundError) throw this.notFound(name);
      throw e;
    }
  }

  /**
   * DELETE. Objects with finalizers (including those added for Orphan/Foreground propagation)
   * and pods running on a node are only marked (deletionTimestamp); others go at once.
   */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<DeleteResult> {
    for (let attempt = 1; ; attempt++) {
      const key = this.key(namespace, name);
      const current = await this.deps.storage.get(key);
      if (!current) throw this.notFound(name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw new ConflictError(this.target(name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw new ConflictError(
          this.target(name),
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
        );
      }
      const next = structuredClone(current);
      const meta: MutableMeta = next.metadata;
      const finalizers = new Set(meta.finalizers ?? []);
      const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : undefined);
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      }
      if (finalizers.size > 0) meta.finalizers = [...finalizers];
      const grace = this.strategy.gracePeriod(current, options.gracePeriodSeconds ?? undefined);
      const pending = this.pendingFinalizers(next);
      const now = this.deps.clock.now();
      const revision = Number(current.metadata.resourceVersion);
      if (pending.length === 0 && grace === 0) {
        if (opts.dryRun) return { object: this.typed(current), deleted: true };
        try {
          const gone = await this.deps.storage.delete(key, { expectedRevision: revision });
          await this.allocator?.release(gone);
          return { object: this.typed(gone), deleted: true };
        } catch (e: unknown) {
          if (e instanceof RevisionConflictError && attempt < maxUpdateRetries && !pre?.resourceVersion) continue;
          if (e instanceof KeyNotFoundError) throw this.notFound(name);
          throw e;
        }
      }
      if (meta.deletionTimestamp) {
        // Already being deleted: a shorter grace period may bring the deadline forward.
        const currentGrace = meta.deletionGracePeriodSeconds ?? 0;
        if (grace >= currentGrace && stableStringify(meta.finalizers ?? []) === stableStringify(current.metadata.finalizers ?? [])) {
          return { object: this.typed(current), deleted: false };
        }
      }
      meta.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      if (meta.generation !== undefined) meta.generation += 1;
      if (this.info.kind === 'Namespace') next.status = { ...(next.status as object | undefined), phase: 'Terminating' };
      delete meta.resourceVersion;
      if (opts.dryRun) return { object: this.typed(current), deleted: false };
      try {
        return { object: this.typed(await this.deps.storage.update(key, next, { expectedRevision: revision })), deleted: false };
      } catch (e: unknown) {
        if (e instanceof RevisionConflictError && attempt < maxUpdateRetries && !pre?.resourceVersion) continue;
        if (e instanceof KeyNotFoundError) throw this.notFound(name);
        throw e;
      }
    }
  }

  /** DELETE on a collection: deletes every object the selectors match, as individual deletes. */
  async deleteCollection(namespace: string | undefined, list: ListOptions, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<KubeList> {
    const { items, metadata } = await this.list(namespace, { ...list, limit: undefined, continue: undefined });
    const deleted: StoredObject[] = [];
    for (const item of items) {
      try {
        deleted.push((await this.delete(item.metadata?.namespace, item.metadata?.name ?? '', options, opts)).object);
      } catch (e: unknown) {
        if (e instanceof NotFoundError) continue;
        throw e;
      }
    }
    return { kind: this.info.listKind, apiVersion: apiVersionOf(this.info), metadata, items: deleted };
  }
}

/** A resourceVersion a client sent, as a storage revision; 400 when it is not a number. */
export function parseRevision(rv: string): number {
  if (!/^\d+$/.test(rv)) throw new BadRequestError(`invalid resource version "${rv}": must be a non-negative integer`);
  return Number(rv);
}
