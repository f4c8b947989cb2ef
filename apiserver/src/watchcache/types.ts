// The watch cache's public types: options, the events a watcher yields, and the injected logger, metrics and clock.
import type { StoredObject } from '@keelson/api';
import type { Storage } from '../storage/types';

/** Picks the objects a list or watch wants (a label/field selector, compiled by the caller). */
export type ObjectFilter = (obj: StoredObject) => boolean;

export type CacheWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/**
 * One event a watcher yields. `object` is shared with the cache and every other watcher: it is
 * read-only (copy with `structuredClone` before changing it). A BOOKMARK's object carries only
 * `metadata.resourceVersion` (and, after initial events, the `k8s.io/initial-events-end`
 * annotation); the caller adds `kind` and `apiVersion` before writing it out.
 */
export interface CacheWatchEvent {
  type: CacheWatchEventType;
  object: StoredObject;
  /**
   * The revision of the change; for the synthetic ADDED events of an initial state, the revision
   * that state is consistent at.
   */
  revision: number;
}

/** A live watch on the cache: iterate it with `for await`; `stop()` ends it. */
export interface CacheWatcher extends AsyncIterable<CacheWatchEvent> {
  stop(): void;
}

export interface CacheWatchOptions {
  /**
   * Deliver the changes after this revision (`resourceVersion` N, NotOlderThan). 0 or absent:
   * start from the cache's current state (Kubernetes' "Any" semantics for RV=0 or unset).
   */
  fromRevision?: number;
  /** Only keys under this prefix (e.g. one namespace); must lie under the cache's prefix. */
  prefix?: string;
  filter?: ObjectFilter;
  /**
   * true: an ADDED event for every current object, then a BOOKMARK marking the end of the
   * initial events, then live changes. With `fromRevision`, the state is at least that fresh;
   * without it, it is the cache's current state (pass the store's current revision as
   * `fromRevision` for a consistent read). false with no `fromRevision`: only changes from now.
   */
  sendInitialEvents?: boolean;
  /** Periodic BOOKMARK events, as `allowWatchBookmarks`. */
  allowBookmarks?: boolean;
  signal?: AbortSignal;
}

export interface CacheListOptions {
  /** Only keys under this prefix; must lie under the cache's prefix. */
  prefix?: string;
  filter?: ObjectFilter;
  /** Wait until the cache has seen at least this revision (`resourceVersion` N, NotOlderThan). */
  minRevision?: number;
  signal?: AbortSignal;
}

export interface CacheListResult {
  /** Ordered by key, as a storage list is. Read-only: shared with the cache. */
  items: StoredObject[];
  /** The revision the items are consistent at. */
  revision: number;
}

export type WatchCacheLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface WatchCacheLogEntry {
  level: WatchCacheLogLevel;
  message: string;
  /** The cache's key prefix, e.g. `/registry/pods/`. */
  prefix: string;
  error?: unknown;
  /** The cache's revision when this was logged. */
  revision?: number;
}

/** Receives the cache's log lines; adapt it to the component's winston logger. */
export type WatchCacheLogger = (entry: WatchCacheLogEntry) => void;

/** Optional hooks for the component's metrics; each mirrors a Kubernetes watch-cache metric. */
export interface WatchCacheMetrics {
  /** apiserver_registered_watchers: the watchers now open on the cache of `prefix`. */
  watchers?(prefix: string, count: number): void;
  /** apiserver_terminated_watchers_total: a watcher was closed for falling behind. */
  terminatedWatcher?(prefix: string): void;
  /** apiserver_watch_cache_initializations_total: the cache (re)listed its state. */
  initialized?(prefix: string): void;
  /** apiserver_watch_cache_events_received_total: one change arrived from storage. */
  eventReceived?(prefix: string): void;
}

/** A cancellable one-shot timer. */
export interface Timer {
  cancel(): void;
}

/** Time as the cache sees it, injected so tests advance it instead of sleeping. */
export interface TimerClock {
  /** Milliseconds since some fixed point. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now, unless cancelled first. */
  setTimer(ms: number, fn: () => void): Timer;
}

export interface WatchCacheOptions {
  storage: Storage;
  /** The resource's key prefix, ending in `/`, e.g. `/registry/pods/`. */
  prefix: string;
  /** How many recent changes are kept for watches resuming from a revision. Default 1000. */
  capacity?: number;
  /**
   * How many events may wait for one watcher before it is closed as too slow (the initial
   * state and the replay of buffered changes do not count). Default 1000.
   */
  watcherBufferSize?: number;
  /** How often watchers that allow bookmarks get one. Default 60 s, as Kubernetes. */
  bookmarkIntervalMs?: number;
  /** How long a request waits for the cache to reach a revision before a 504. Default 3 s, as Kubernetes. */
  freshnessTimeoutMs?: number;
  /**
   * While a request waits for a revision the cache has not reached, how often the cache asks its
   * storage watch for progress (the first time at once). Default 100 ms, as Kubernetes.
   */
  progressRequestIntervalMs?: number;
  /** How long a request waits for a (re)initializing cache before a 429. Default 3 s. */
  readyTimeoutMs?: number;
  /** Page size of the initial list. Default 500. */
  listPageSize?: number;
  /** Backoff between attempts to relist or rewatch after a failure: first and largest wait. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /**
   * The storage key of a listed object (storage lists return objects, not keys). Default:
   * `/registry/<resource>/<namespace>/<name>`, or without the namespace when it has none.
   */
  keyOf?: (obj: StoredObject) => string;
  clock?: TimerClock;
  /** Default: errors and warnings to stderr. */
  logger?: WatchCacheLogger;
  metrics?: WatchCacheMetrics;
}

/** `WatchCacheOptions` with every default applied. */
export interface WatchCacheConfig {
  storage: Storage;
  prefix: string;
  capacity: number;
  watcherBufferSize: number;
  bookmarkIntervalMs: number;
  freshnessTimeoutMs: number;
  progressRequestIntervalMs: number;
  readyTimeoutMs: number;
  listPageSize: number;
  retryInitialMs: number;
  retryMaxMs: number;
  keyOf: (obj: StoredObject) => string;
  clock: TimerClock;
  logger: WatchCacheLogger;
  metrics: WatchCacheMetrics;
}

/**
 * Where a cache is in its life: `initializing` while it lists (first, or again after storage
 * compacted changes it had not applied), `ready` while it serves and follows storage.
 */
export type WatchCacheState = 'new' | 'initializing' | 'ready' | 'stopped';

/** Annotation on the BOOKMARK that ends the initial events of a `sendInitialEvents` watch. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';
