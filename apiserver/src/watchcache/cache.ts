// WatchCache: one resource's objects and recent changes, fed by a single storage watch and fanned out to many watchers.
import { ExpiredError, type StoredObject } from '@keelson/api';
import type { StorageEvent, StorageWatch } from '../storage/types';
import { systemTimerClock } from './clock';
import { CacheNotReadyError, CacheStoppedError, TooLargeResourceVersionError, asError } from './errors';
import { RevisionRing } from './ring';
import type {
  CacheListOptions,
  CacheListResult,
  CacheWatchEvent,
  CacheWatchOptions,
  CacheWatcher,
  Timer,
  WatchCacheConfig,
  WatchCacheLogEntry,
  WatchCacheLogger,
  WatchCacheOptions,
  WatchCacheState,
} from './types';
import { Watcher, bookmarkEvent, convertChange, type ChangeEvent } from './watcher';

/** Applies the defaults to `options` once. */
export function completeWatchCacheConfig(options: WatchCacheOptions): WatchCacheConfig {
  if (!options.prefix.endsWith('/')) throw new RangeError(`a watch cache prefix must end in "/", got "${options.prefix}"`);
  const config: WatchCacheConfig = {
    storage: options.storage,
    prefix: options.prefix,
    capacity: options.capacity ?? 1000,
    watcherBufferSize: options.watcherBufferSize ?? 1000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    freshnessTimeoutMs: options.freshnessTimeoutMs ?? 3_000,
    progressRequestIntervalMs: options.progressRequestIntervalMs ?? 100,
    readyTimeoutMs: options.readyTimeoutMs ?? 3_000,
    listPageSize: options.listPageSize ?? 500,
    retryInitialMs: options.retryInitialMs ?? 250,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    keyOf: options.keyOf ?? registryKeyOf(options.prefix),
    clock: options.clock ?? systemTimerClock,
    logger: options.logger ?? stderrLogger,
    metrics: options.metrics ?? {},
  };
  for (const name of ['capacity', 'watcherBufferSize', 'bookmarkIntervalMs', 'listPageSize', 'progressRequestIntervalMs'] as const) {
    if (!Number.isSafeInteger(config[name]) || config[name] < 1) throw new RangeError(`watch cache ${name} must be a positive integer, got ${config[name]}`);
  }
  return config;
}

const stderrLogger: WatchCacheLogger = (entry: WatchCacheLogEntry) => {
  if (entry.level !== 'error' && entry.level !== 'warn') return;
  const cause = entry.error === undefined ? '' : `: ${asError(entry.error).message}`;
  process.stderr.write(`watchcache ${entry.level} ${entry.prefix}: ${entry.message}${cause}\n`);
};

/** Applying a change from storage threw: a bug, after which only a relist restores a known state. */
class ApplyError extends Error {
  constructor(revision: number, cause: unknown) {
    super(`applying the change at revision ${revision} failed`, { cause });
    this.name = 'ApplyError';
  }
}

/** A request waiting for the cache to reach some condition (ready, or a revision). */
interface Waiter {
  ready(): boolean;
  resolve(): void;
  reject(error: Error): void;
}

/*
 *   storage.list (paged, one revision) ──► objects by key ─────────────► list(), initial events
 *   storage.watch(from revision) ──► apply ──► ring of the last N changes ──► replay for watch(from)
 *        ▲            │                  └──► dispatch ──► Watcher (filter, bounded queue) ──► for await
 *        │            └── PROGRESS ──► revision (waiters, bookmarks)
 *   requestProgress() every 100 ms while a request waits for a revision the cache has not reached
 *
 * A failed storage watch is resumed from the cache's revision (the Storage contract makes that
 * gap-free), so watchers never notice. Only when storage no longer has those changes
 * (ExpiredError) does the cache relist, closing its watchers as Kubernetes' cacher does.
 *
 * Revisions are global, so the one a client brings (from a list of another resource, or the
 * store's current one) may be newer than any change under this prefix. Applied changes alone
 * would never reach it; storage's PROGRESS answer does, as etcd's progress notifications let
 * Kubernetes' cacher (its progress requester) answer such requests.
 */
export class WatchCache {
  readonly prefix: string;
  /** Settles when the first list has been loaded; rejects if the cache is stopped first. */
  readonly ready: Promise<void>;
  private readonly config: WatchCacheConfig;
  private state: WatchCacheState = 'new';
  private readonly objects = new Map<string, StoredObject>();
  private readonly ring: RevisionRing<ChangeEvent>;
  /**
   * The revision the objects are consistent at: the list's, then each applied change's, or a
   * newer one storage reported with PROGRESS (no change under the prefix in between).
   */
  private revision = 0;
  /**
   * Watching from a revision below this needs changes the cache no longer has: the list's
   * revision until the ring first overflows, then the newest revision it pushed out.
   */
  private replayFloor = 0;
  private readonly watchersByPrefix = new Map<string, Set<Watcher>>();
  private watcherCount = 0;
  private bookmarkWatchers = 0;
  private bookmarkTimer: Timer | undefined;
  private readonly waiters = new Set<Waiter>();
  /** Waiters that wait for a revision: while there are any, the cache asks storage for progress. */
  private revisionWaiters = 0;
  private progressTimer: Timer | undefined;
  private storageWatch: StorageWatch | undefined;
  private retryTimer: { timer: Timer; wake: () => void } | undefined;
  private loop: Promise<void> | undefined;
  private settleReady: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(options: WatchCacheOptions) {
    this.config = completeWatchCacheConfig(options);
    this.prefix = this.config.prefix;
    this.ring = new RevisionRing<ChangeEvent>(this.config.capacity);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // Whoever awaits `ready` sees a rejection; this handler only keeps an unobserved one (a cache
    // stopped before anyone asked) from being reported as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Lists, then watches storage, in the background; `ready` settles when the list is in. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'initializing';
    this.loop = this.run().catch((error: unknown) => {
      this.log('error', 'watch cache loop crashed', error);
    });
  }

  /** Stops the storage watch, closes every watcher, fails waiting requests and cancels all timers. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const loop = this.loop;
    this.state = 'stopped';
    this.storageWatch?.stop();
    this.storageWatch = undefined;
    if (this.retryTimer !== undefined) {
      this.retryTimer.timer.cancel();
      this.retryTimer.wake();
      this.retryTimer = undefined;
    }
    this.terminateWatchers('CacheStopped');
    this.cancelBookmarkTimer();
    this.cancelProgressRequests();
    for (const waiter of [...this.waiters]) waiter.reject(new CacheStoppedError(this.prefix));
    this.settleReady?.reject(new CacheStoppedError(this.prefix));
    this.settleReady = undefined;
    this.objects.clear();
    this.ring.clear();
    if (loop !== undefined) await loop;
  }

  getState(): WatchCacheState {
    return this.state;
  }

  /** The revision the cache is consistent at now. */
  currentRevision(): number {
    return this.revision;
  }

  /**
   * The object at `key` as the cache holds it now (undefined when absent) with the revision the
   * cache is consistent at; undefined while the cache is not serving (listing, relisting, stopped).
   */
  peek(key: string): { object: StoredObject | undefined; revision: number } | undefined {
    if (!this.isReady()) return undefined;
    return { object: this.objects.get(key), revision: this.revision };
  }

  /** Watchers now open on this cache. */
  watcherCountNow(): number {
    return this.watcherCount;
  }

  /**
   * Resolves once the cache has applied every change up to `revision` (while it waits, the cache
   * asks storage for progress, so a revision made by writes elsewhere is reached too); rejects
   * with TooLargeResourceVersionError (504) when that takes longer than the freshness timeout,
   * or CacheNotReadyError (429) when the cache is still (re)listing by then.
   */
  waitUntilFresh(revision: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor(
      () => this.isReady() && this.revision >= revision,
      this.config.freshnessTimeoutMs,
      () => (this.isReady() ? new TooLargeResourceVersionError(revision, this.revision) : new CacheNotReadyError(this.prefix)),
      signal,
      revision,
    );
  }

  /** The objects under `opts.prefix` (default: the whole resource) that pass the filter, ordered by key. */
  async list(opts: CacheListOptions = {}): Promise<CacheListResult> {
    const prefix = this.subPrefix(opts.prefix);
    await this.whenFresh(opts.minRevision, opts.signal);
    return { items: this.listNow(prefix, opts.filter), revision: this.revision };
  }

  /**
   * A watcher on the cache, as Kubernetes' cacher serves a watch:
   * - `sendInitialEvents`: ADDED for each current object, a BOOKMARK marking their end, then live;
   * - `fromRevision` N > 0: the buffered changes after N, then live; ExpiredError (410) when
   *   changes after N have left the buffer, a wait (then 504) when the cache has not reached N;
   * - otherwise the current state as ADDED events, then live (`sendInitialEvents: false`: live only).
   */
  async watch(opts: CacheWatchOptions = {}): Promise<CacheWatcher> {
    const prefix = this.subPrefix(opts.prefix);
    const from = opts.fromRevision ?? 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
    await this.whenFresh(from, opts.signal);
    // From here to registration nothing awaits, so no change can fall between the snapshot
    // (or replay) and the live stream.
    this.throwIfAborted(opts.signal);
    let backlog: CacheWatchEvent[];
    if (opts.sendInitialEvents === true) {
      backlog = this.snapshotEvents(prefix, opts);
      backlog.push(bookmarkEvent(this.revision, true));
    } else if (from > 0) {
      if (from < this.replayFloor) throw new ExpiredError(from, this.replayFloor);
      backlog = this.replayEvents(prefix, from, opts);
    } else if (opts.sendInitialEvents === false) {
      backlog = [];
    } else {
      backlog = this.snapshotEvents(prefix, opts);
    }
    const watcher = new Watcher({
      prefix,
      filter: opts.filter,
      allowBookmarks: opts.allowBookmarks === true,
      bufferSize: this.config.watcherBufferSize,
      startRevision: this.revision,
      backlog,
      signal: opts.signal,
      detach: (w) => this.forget(w),
    });
    this.register(watcher);
    return watcher;
  }

  // ---- the storage side

  private async run(): Promise<void> {
    let relist = true;
    let failures = 0;
    while (this.isRunning()) {
      try {
        if (relist) {
          await this.relist();
          if (!this.isRunning()) return;
          relist = false;
          failures = 0;
        }
        if (await this.follow()) failures = 0;
        if (!this.isRunning()) return;
        throw new Error('storage watch ended');
      } catch (error: unknown) {
        if (!this.isRunning()) return;
        failures++;
        if ((error instanceof ExpiredError || error instanceof ApplyError) && !relist) {
          relist = true;
          const why = error instanceof ApplyError ? 'applying a change failed, so the cached state is suspect' : 'storage no longer has the changes after the cache revision';
          this.log(error instanceof ApplyError ? 'error' : 'warn', `${why}; relisting`, error);
          this.invalidate();
        } else {
          this.log('error', relist ? 'listing storage failed; retrying' : 'storage watch failed; resuming it from the cache revision', error);
        }
        await this.sleep(Math.min(this.config.retryMaxMs, this.config.retryInitialMs * 2 ** (failures - 1)));
      }
    }
  }

  /** Listed and following storage: its state can be served. */
  private isReady(): boolean {
    return this.state === 'ready';
  }

  private isRunning(): boolean {
    return this.state !== 'stopped';
  }

  /** Reads every object under the prefix at one revision and makes that the cache's state. */
  private async relist(): Promise<void> {
    const { storage, prefix, listPageSize } = this.config;
    const items: StoredObject[] = [];
    let page = await storage.list(prefix, { limit: listPageSize });
    items.push(...page.items);
    while (page.continue !== undefined && this.isRunning()) {
      page = await storage.list(prefix, { limit: listPageSize, continue: page.continue });
      items.push(...page.items);
    }
    if (!this.isRunning()) return;
    this.objects.clear();
    for (const item of items) {
      const key = this.config.keyOf(item);
      if (!key.startsWith(prefix)) throw new Error(`listed object keyed "${key}", outside "${prefix}": the cache's keyOf disagrees with storage`);
      this.objects.set(key, item);
    }
    this.ring.clear();
    this.revision = page.revision;
    this.replayFloor = page.revision;
    this.state = 'ready';
    this.settleReady?.resolve();
    this.settleReady = undefined;
    this.safely(() => this.config.metrics.initialized?.(prefix));
    this.log('info', `initialized with ${items.length} objects`);
    this.checkWaiters();
  }

  /**
   * Runs one storage watch from the cache's revision until it ends or fails (then throws).
   * Returns whether storage delivered anything (a change or progress) on it.
   */
  private async follow(): Promise<boolean> {
    const watch = this.config.storage.watch(this.prefix, { fromRevision: this.revision });
    this.storageWatch = watch;
    let delivered = false;
    try {
      for await (const event of watch) {
        if (!this.isRunning()) break;
        delivered = true;
        if (event.type === 'PROGRESS') {
          this.progress(event.revision);
          continue;
        }
        try {
          this.apply(event);
        } catch (error: unknown) {
          throw new ApplyError(event.revision, error);
        }
      }
    } finally {
      watch.stop();
      if (this.storageWatch === watch) this.storageWatch = undefined;
    }
    return delivered;
  }

  /** Records one change and hands it to the watchers under its key. */
  private apply(event: StorageEvent): void {
    if (event.revision <= this.revision) {
      this.log('warn', `ignoring a change at revision ${event.revision}, not newer than the cache's`);
      return;
    }
    this.safely(() => this.config.metrics.eventReceived?.(this.prefix));
    const prev = this.objects.get(event.key);
    let change: ChangeEvent | undefined;
    if (event.type === 'DELETED') {
      this.objects.delete(event.key);
      if (prev !== undefined) change = { type: 'DELETED', key: event.key, object: event.object, prevObject: prev, revision: event.revision };
    } else {
      this.objects.set(event.key, event.object);
      change = { type: prev === undefined ? 'ADDED' : 'MODIFIED', key: event.key, object: event.object, prevObject: prev, revision: event.revision };
    }
    this.revision = event.revision;
    if (change !== undefined) {
      const evicted = this.ring.push(change);
      if (evicted !== undefined) this.replayFloor = evicted.revision;
      this.dispatch(change);
    }
    this.checkWaiters();
  }

  /**
   * Storage has delivered every change under the prefix up to `revision`: the objects are
   * consistent at it. Nothing is dispatched; waiters proceed, and bookmarks carry it.
   */
  private progress(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    this.checkWaiters();
  }

  /** Relisting: the state will jump, so no watcher can continue its stream. */
  private invalidate(): void {
    this.state = 'initializing';
    this.terminateWatchers('CacheReinitialized');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.config.clock.setTimer(ms, () => {
        this.retryTimer = undefined;
        resolve();
      });
      this.retryTimer = { timer, wake: resolve };
    });
  }

  // ---- the watcher side

  private snapshotEvents(prefix: string, opts: CacheWatchOptions): CacheWatchEvent[] {
    return this.listNow(prefix, opts.filter).map((object) => ({ type: 'ADDED', object, revision: this.revision }));
  }

  private listNow(prefix: string, filter: CacheWatchOptions['filter']): StoredObject[] {
    const entries: [string, StoredObject][] = [];
    for (const entry of this.objects) {
      if (entry[0].startsWith(prefix) && (filter === undefined || filter(entry[1]))) entries.push(entry);
    }
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.map(([, obj]) => obj);
  }

  /** The buffered changes after `from` under `prefix`, as this watcher's filter shows them. */
  private replayEvents(prefix: string, from: number, opts: CacheWatchOptions): CacheWatchEvent[] {
    const events: CacheWatchEvent[] = [];
    for (const change of this.ring.after(from)) {
      if (!change.key.startsWith(prefix)) continue;
      const event = convertChange(change, opts.filter);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  private register(watcher: Watcher): void {
    let group = this.watchersByPrefix.get(watcher.prefix);
    if (group === undefined) {
      group = new Set();
      this.watchersByPrefix.set(watcher.prefix, group);
    }
    group.add(watcher);
    this.watcherCount++;
    if (watcher.allowBookmarks) {
      this.bookmarkWatchers++;
      this.scheduleBookmarks();
    }
    this.safely(() => this.config.metrics.watchers?.(this.prefix, this.watcherCount));
  }

  /** Called by a watcher once, when it stops or is terminated. */
  private forget(watcher: Watcher): void {
    const group = this.watchersByPrefix.get(watcher.prefix);
    if (group === undefined || !group.delete(watcher)) return;
    if (group.size === 0) this.watchersByPrefix.delete(watcher.prefix);
    this.watcherCount--;
    if (watcher.allowBookmarks) {
      this.bookmarkWatchers--;
      if (this.bookmarkWatchers === 0) this.cancelBookmarkTimer();
    }
    this.safely(() => this.config.metrics.watchers?.(this.prefix, this.watcherCount));
  }

  private dispatch(change: ChangeEvent): void {
    for (const [prefix, group] of this.watchersByPrefix) {
      if (!change.key.startsWith(prefix)) continue;
      for (const watcher of group) {
        if (!watcher.offer(change)) {
          this.safely(() => this.config.metrics.terminatedWatcher?.(this.prefix));
          this.log('warn', `closed a watcher on ${watcher.prefix} that fell ${this.config.watcherBufferSize} events behind`);
        }
      }
    }
  }

  private terminateWatchers(reason: 'CacheReinitialized' | 'CacheStopped'): void {
    for (const group of [...this.watchersByPrefix.values()]) {
      for (const watcher of [...group]) watcher.terminate(reason);
    }
  }

  /** One timer per cache, running only while some watcher allows bookmarks. */
  private scheduleBookmarks(): void {
    if (this.bookmarkTimer !== undefined || this.bookmarkWatchers === 0 || !this.isRunning()) return;
    this.bookmarkTimer = this.config.clock.setTimer(this.config.bookmarkIntervalMs, () => {
      this.bookmarkTimer = undefined;
      if (this.isReady()) {
        for (const group of this.watchersByPrefix.values()) {
          for (const watcher of group) watcher.offerBookmark(this.revision);
        }
      }
      this.scheduleBookmarks();
    });
  }

  private cancelBookmarkTimer(): void {
    this.bookmarkTimer?.cancel();
    this.bookmarkTimer = undefined;
  }

  // ---- waiting for readiness and freshness

  /** Waits until the cache is usable and, when `minRevision` > 0, has reached it. */
  private whenFresh(minRevision: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (minRevision !== undefined && minRevision > 0) return this.waitUntilFresh(minRevision, signal);
    return this.waitFor(() => this.isReady(), this.config.readyTimeoutMs, () => new CacheNotReadyError(this.prefix), signal);
  }

  /**
   * Resolves when `ready()` holds (checked after every change, progress and relist), rejects
   * with `onTimeout()` after `timeoutMs`. A `revision` marks a wait for freshness, during which
   * the cache asks storage for progress.
   */
  private waitFor(
    ready: () => boolean,
    timeoutMs: number,
    onTimeout: () => Error,
    signal: AbortSignal | undefined,
    revision?: number,
  ): Promise<void> {
    if (this.state === 'stopped') return Promise.reject(new CacheStoppedError(this.prefix));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        if (!this.waiters.delete(waiter)) return;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (revision !== undefined && --this.revisionWaiters === 0) this.cancelProgressRequests();
      };
      const waiter: Waiter = {
        ready,
        resolve: () => {
          done();
          resolve();
        },
        reject: (error: Error) => {
          done();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(abortReason(signal));
      const timer = this.config.clock.setTimer(timeoutMs, () => waiter.reject(onTimeout()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      if (revision !== undefined) {
        this.revisionWaiters++;
        this.requestProgressWhileWaiting();
      }
    });
  }

  /**
   * Asks the storage watch for progress now, then every `progressRequestIntervalMs` while some
   * request waits for a revision: one timer and one request per interval however many wait,
   * as Kubernetes' conditional progress requester. Storage answers with PROGRESS (see progress()).
   */
  private requestProgressWhileWaiting(): void {
    if (this.progressTimer !== undefined || this.revisionWaiters === 0 || !this.isRunning()) return;
    // While (re)listing there is no watch to ask; the list itself brings the cache up to date.
    if (this.isReady() && this.storageWatch !== undefined) {
      try {
        this.storageWatch.requestProgress();
      } catch (error: unknown) {
        this.log('warn', 'requesting progress from the storage watch failed', error);
      }
    }
    this.progressTimer = this.config.clock.setTimer(this.config.progressRequestIntervalMs, () => {
      this.progressTimer = undefined;
      this.requestProgressWhileWaiting();
    });
  }

  private cancelProgressRequests(): void {
    this.progressTimer?.cancel();
    this.progressTimer = undefined;
  }

  private checkWaiters(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) if (waiter.ready()) waiter.resolve();
  }

  // ---- helpers

  private subPrefix(prefix: string | undefined): string {
    if (prefix === undefined) return this.prefix;
    if (!prefix.startsWith(this.prefix)) throw new RangeError(`prefix "${prefix}" is not under the watch cache's "${this.prefix}"`);
    return prefix;
  }

  private throwIfAborted(signal: AbortSignal | undefined): void {
    if (this.state === 'stopped') throw new CacheStoppedError(this.prefix);
    if (signal?.aborted) throw abortReason(signal);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error: unknown) {
      this.log('warn', 'a metrics hook threw', error);
    }
  }

  private log(level: WatchCacheLogEntry['level'], message: string, error?: unknown): void {
    const entry: WatchCacheLogEntry = { level, message, prefix: this.prefix, revision: this.revision };
    if (error !== undefined) entry.error = error;
    try {
      this.config.logger(entry);
    } catch {
      // A broken logger has nowhere to report to; the cache must keep serving regardless.
    }
  }
}

/** Why the caller aborted: its signal's reason (an AbortError unless it gave one). */
function abortReason(signal: AbortSignal | undefined): Error {
  return asError(signal?.reason ?? new Error('aborted'));
}

/**
 * Keys as `storageKey` in @keelson/api builds them, under the resource's root (the first two
 * segments of `prefix`, so a cache of `/registry/pods/default/` still keys `/registry/pods/…`).
 */
function registryKeyOf(prefix: string): (obj: StoredObject) => string {
  const root = /^\/[^/]+\/[^/]+\//.exec(prefix)?.[0] ?? prefix;
  return (obj) => {
    const { namespace, name } = obj.metadata;
    return namespace ? `${root}${namespace}/${name ?? ''}` : `${root}${name ?? ''}`;
  };
}
