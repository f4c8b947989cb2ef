// The one storage interface every backend (etcd, sqlite, memory) implements, and its errors.
import type { KubeObject, StoredObject } from '@keelson/api';

/**
 * Keys are `/registry/<resource>/<namespace>/<name>` for namespaced kinds and
 * `/registry/<resource>/<name>` for cluster-scoped ones. Prefixes used for list and watch end
 * in `/`. Revisions are one global, strictly increasing counter per store; an object's
 * `metadata.resourceVersion` is the revision that last modified it, as a decimal string.
 * Backends never store `metadata.resourceVersion`; they strip it on write and set it on read.
 */
export interface Storage {
  /** `etcd`, `sqlite` or `memory`. */
  readonly backend: StorageBackend;

  /** The object at `key` now, or undefined. */
  get(key: string): Promise<StoredObject | undefined>;

  /**
   * Objects whose key starts with `prefix`, ordered by key, as of one revision (the latest,
   * `opts.revision`, or the one recorded in `opts.continue`). Throws ExpiredError when that
   * revision has been compacted, FutureRevisionError when it is newer than the store.
   */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /** Stores a new object; throws KeyExistsError if the key holds one already. */
  create(key: string, obj: KubeObject): Promise<StoredObject>;

  /**
   * Replaces the object at `key`. With `expectedRevision`, only if the stored object was last
   * modified at that revision (compare-and-swap), else RevisionConflictError. Throws
   * KeyNotFoundError when there is no object.
   */
  update(key: string, obj: KubeObject, opts?: Preconditions): Promise<StoredObject>;

  /**
   * Removes the object at `key` (with `expectedRevision`, only if unchanged since). Returns its
   * last state with `resourceVersion` set to the revision of the deletion.
   */
  delete(key: string, opts?: Preconditions): Promise<StoredObject>;

  /**
   * Every change under `prefix` with a revision greater than `fromRevision`, in revision order,
   * with no gap, until `stop()` or the signal aborts. Iteration throws ExpiredError when the
   * changes after `fromRevision` have been compacted away. PROGRESS events appear only after
   * `requestProgress()` (see StorageWatch).
   */
  watch(prefix: string, opts: WatchOptions): StorageWatch;

  /** The newest revision of the store. */
  currentRevision(): Promise<number>;

  /** Forgets history older than `revision`; later reads of it throw ExpiredError. */
  compact(revision: number): Promise<void>;

  close(): Promise<void>;
}

export type StorageBackend = 'etcd' | 'sqlite' | 'memory';

export interface Preconditions {
  expectedRevision?: number;
}

export interface ListOptions {
  /** Read as of this revision; 0 or absent means the latest. Ignored when `continue` is set. */
  revision?: number;
  /** At most this many items; the result then carries a `continue` token if more remain. */
  limit?: number;
  /** A token from an earlier `ListResult` of the same prefix. */
  continue?: string;
}

export interface ListResult {
  items: StoredObject[];
  /** The revision the list was read at (the same for every page of one list). */
  revision: number;
  /** Present when more items remain. */
  continue?: string;
  /** How many items remain after this page, when the backend knows. */
  remainingItemCount?: number;
}

/** The kinds of change. PROGRESS is not one: it is a StorageProgressEvent, never a StorageEvent. */
export type StorageEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change to one key. */
export interface StorageEvent {
  type: StorageEventType;
  key: string;
  /** The new state; for DELETED the last state, with resourceVersion = `revision`. */
  object: StoredObject;
  /** The state before this change, when there was one. */
  prevObject?: StoredObject;
  revision: number;
}

export interface WatchOptions {
  /** Deliver changes with a revision strictly greater than this. */
  fromRevision: number;
  signal?: AbortSignal;
}

/**
 * The answer to `StorageWatch.requestProgress()`, as etcd's progress notification: every change
 * under the watched prefix with a revision <= `revision` has been delivered before this event,
 * and every change delivered after it has a greater revision. It carries no object; a consumer
 * may treat itself as up to date at `revision` (and resume a watch from it).
 */
export interface StorageProgressEvent {
  type: 'PROGRESS';
  revision: number;
}

/** What iterating a StorageWatch yields: changes, and PROGRESS only when asked for. */
export type StorageWatchEvent = StorageEvent | StorageProgressEvent;

/** An ordered stream of changes (and PROGRESS when asked); iterate it with `for await`. */
export interface StorageWatch extends AsyncIterable<StorageWatchEvent> {
  stop(): void;
  /**
   * Asks the backend for a PROGRESS event on this stream, in order with the changes. A watch
   * whose consumer never calls this never yields one. The answer's revision is at least the
   * store's revision when the backend took the request (etcd: when etcd received it), so a
   * consumer waiting for revision N that asks after N was written learns it has all of N.
   * Requests may share one answer, and an answer to an earlier request may come first.
   *
   * Cheap but not free (with etcd, one message on the watch stream): callers rate-limit it. A
   * backend answers only when it can order the answer with the changes: an etcd older than
   * 3.4.31 / 3.5.13 answers only with its periodic progress notification (EtcdStorage's
   * `watchProgress`), maybe minutes later and maybe older than the request, so a caller keeps
   * its own timeout and asks again. No-op once the watch has ended.
   */
  requestProgress(): void;
}

/** Base class of storage faults that are not API errors yet (the API server maps them). */
export class StorageError extends Error {
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.key = key;
  }
}

export class KeyNotFoundError extends StorageError {
  constructor(key: string) {
    super(key, `key not found: ${key}`);
  }
}

export class KeyExistsError extends StorageError {
  constructor(key: string) {
    super(key, `key exists: ${key}`);
  }
}

export class RevisionConflictError extends StorageError {
  readonly expected: number;
  readonly actual: number;
  constructor(key: string, expected: number, actual: number) {
    super(key, `revision conflict on ${key}: expected ${expected}, found ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

export class FutureRevisionError extends StorageError {
  readonly requested: number;
  readonly current: number;
  constructor(requested: number, current: number) {
    super('', `revision ${requested} is newer than the store's current revision ${current}`);
    this.requested = requested;
    this.current = current;
  }
}
