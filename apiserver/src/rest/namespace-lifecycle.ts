// Namespace admission for writes (Kubernetes' NamespaceLifecycle): the namespace must exist and not be terminating, read from the watch cache.
import { ForbiddenError, NotFoundError, type Namespace, type ResourceInfo, type StoredObject } from '@keelson/api';
import type { Storage } from '../storage/types';

/** What the watch cache holds for one key now, and the revision it is consistent at. */
export interface CachedObject {
  object: StoredObject | undefined;
  revision: number;
}

/** Reads a namespace from the watch cache; undefined when the cache cannot serve yet. */
export type CachedNamespaceLookup = (name: string) => CachedObject | undefined;

/** Reads a namespace from storage (linearizable): undefined when it does not exist. */
export type LiveNamespaceLookup = (name: string) => Promise<StoredObject | undefined>;

/**
 * Checks that a namespaced write may go ahead, as upstream's NamespaceLifecycle plugin does: the
 * namespace comes from the watch cache (no storage read per write), and only when the cache does
 * not have it does a live read decide (a namespace created a moment ago may not be in it yet).
 *
 * Upstream forces a live read for a while after it admits a namespace deletion, because its cache
 * may still show the namespace active. Here every namespace write this server makes is noted by
 * revision (`noteWrite`, fed by `recordingWrites`): until the cache has reached the newest one,
 * the live read decides. So a create that follows a namespace deletion on this server is always
 * refused, however far the cache lags; writes by other servers are seen once the cache has them.
 */
export class NamespaceLifecycle {
  private newestWrite = 0;
  /** Checks answered from the cache, and from a live read (for tests and metrics). */
  readonly counts = { cached: 0, live: 0 };

  constructor(
    private readonly cached: CachedNamespaceLookup | undefined,
    private readonly live: LiveNamespaceLookup,
  ) {}

  /** A namespace write this server made landed at `revision`. */
  noteWrite(revision: number): void {
    if (revision > this.newestWrite) this.newestWrite = revision;
  }

  /** Throws NotFoundError (no such namespace) or ForbiddenError (it is terminating). */
  async check(namespace: string, info: ResourceInfo): Promise<void> {
    const hit = this.cached?.(namespace);
    let ns: StoredObject | undefined;
    if (hit !== undefined && hit.object !== undefined && hit.revision >= this.newestWrite) {
      this.counts.cached++;
      ns = hit.object;
    } else {
      this.counts.live++;
      ns = await this.live(namespace);
    }
    if (ns === undefined) throw new NotFoundError({ resource: 'namespaces', name: namespace });
    // Events may still be written while a namespace terminates, as Kubernetes allows.
    if ((ns as Namespace).metadata?.deletionTimestamp && info.kind !== 'Event') {
      throw new ForbiddenError(`${info.resource}${info.group ? `.${info.group}` : ''} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        resource: info.resource,
        group: info.group,
      });
    }
  }
}

/** `storage` with the revision of every successful write reported to `onWrite`. */
export function recordingWrites(storage: Storage, onWrite: (revision: number) => void): Storage {
  const note = (obj: StoredObject): StoredObject => {
    const rv = Number(obj.metadata.resourceVersion);
    if (Number.isSafeInteger(rv)) onWrite(rv);
    return obj;
  };
  return {
    backend: storage.backend,
    get: (key) => storage.get(key),
    list: (prefix, opts) => storage.list(prefix, opts),
    create: async (key, obj) => note(await storage.create(key, obj)),
    update: async (key, obj, opts) => note(await storage.update(key, obj, opts)),
    delete: async (key, opts) => note(await storage.delete(key, opts)),
    watch: (prefix, opts) => storage.watch(prefix, opts),
    currentRevision: () => storage.currentRevision(),
    compact: (revision) => storage.compact(revision),
    close: () => storage.close(),
  };
}
