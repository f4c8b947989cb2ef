// The informer: list + watch into an indexed cache, event handlers, resync, relist on 410.
import { sleep, systemClock, type Clock, type Timer } from './clock';
import { Indexer, Lister, deepFreeze, type Indexers } from './cache';
import { ClientError, ClientUsageError, isExpired } from './errors';
import type { ListOptions, WatchOptions } from './rest';
import type { FieldSelectorInput, LabelSelectorInput } from './selectors';
import { keyOf, type ObjectLike, type ObjectList } from './types';
import { backoffDelay, defaultBackoff, type BackoffOptions, type WatchEvent, type WatchStream } from './watch';

/** What an informer needs from a resource: a ResourceClient is one. */
export interface ListerWatcher<T> {
  list(options: ListOptions): Promise<ObjectList<T>>;
  watch(options: WatchOptions): WatchStream<T>;
}

/**
 * Handed to onDelete when an object vanished while the informer was not watching (found
 * missing on a relist): `obj` is the last state the cache had, which may be stale.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

/** The object of a delete notification, tombstone or not. */
export function deletedObject<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

/**
 * Callbacks for cache changes. They run synchronously after the cache has changed, so a lister
 * read inside one sees the new state. Keep them short (enqueue a key); never change the objects.
 */
export interface EventHandler<T> {
  /** `isInInitialList`: the object came with the first list (or the replay for a late handler). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on every resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  /** No more notifications (and no more resyncs) for this handler. */
  remove(): void;
  /** Whether this handler has been told about the whole initial list. */
  hasSynced(): boolean;
}

/** The subset of winston.Logger the informer writes through. */
export interface InformerLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

const stderrLogger: InformerLogger = {
  warn: (message, meta) => console.error(JSON.stringify({ level: 'warn', message, ...meta })),
  error: (message, meta) => console.error(JSON.stringify({ level: 'error', message, ...meta })),
};

export interface InformerOptions<T> {
  /** Names the informer in logs (e.g. `pods`). */
  name?: string;
  /** Every handler gets update(obj, obj) for every cached object this often. 0 (default) = never. */
  resyncPeriodMs?: number;
  indexers?: Indexers<T>;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** List page size. Default 500. */
  pageSize?: number;
  /** Backoff between failed list/watch cycles. Default 800 ms doubling to 30 s. */
  backoff?: Partial<BackoffOptions>;
  /** Backoff of the watch's own reconnects. Default as `backoff`. */
  watchBackoff?: Partial<BackoffOptions>;
  /** Server-side lifetime of each watch connection (it is resumed after). */
  watchTimeoutSeconds?: number;
  /** Deep-freeze cached objects so a handler that mutates one throws (tests, debugging). */
  freezeObjects?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: InformerLogger;
}

type Notification<T> =
  | { kind: 'add'; obj: T; initial: boolean }
  | { kind: 'update'; old: T; obj: T }
  | { kind: 'delete'; obj: T | DeletedFinalStateUnknown<T> };

interface Registration<T> {
  handler: EventHandler<T>;
  resyncPeriodMs: number;
  timer: Timer | undefined;
  removed: boolean;
}

/**
 * One list+watch per resource, shared by any number of handlers (via SharedInformerFactory).
 *
 *   list (paged) ──► replace cache ──► add/update/delete(tombstone) ──► handlers
 *   watch from list RV ──► apply event ──► cache ──► add/update/delete ──► handlers
 *        │  dropped: resumes itself from the last RV
 *        └─ 410 expired: back to list
 *   resync timer ──► update(obj, obj) for every cached object
 */
export class SharedIndexInformer<T extends ObjectLike> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly name: string;
  private readonly registrations: Registration<T>[] = [];
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: InformerLogger;
  private readonly backoff: BackoffOptions;
  private synced = false;
  /** The cache holds a list: a handler registered from now on gets a replay instead of the batch. */
  private populated = false;
  private started = false;
  private stopped = false;
  private lastRV: string | undefined;
  private readonly syncWaiters = new Set<(synced: boolean) => void>();
  private lists = 0;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(options.indexers ?? {});
    this.lister = new Lister<T>(this.indexer);
    this.name = options.name ?? 'informer';
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? stderrLogger;
    this.backoff = { ...defaultBackoff, ...options.backoff };
  }

  /**
   * Registers a handler. On an informer that has already listed, the handler first gets onAdd
   * for every cached object (isInInitialList true), synchronously, before this returns.
   */
  addEventHandler(handler: EventHandler<T>, options: { resyncPeriodMs?: number } = {}): HandlerRegistration {
    const reg: Registration<T> = { handler, resyncPeriodMs: options.resyncPeriodMs ?? this.options.resyncPeriodMs ?? 0, timer: undefined, removed: false };
    this.registrations.push(reg);
    if (this.populated) {
      for (const obj of this.indexer.list()) this.deliver(reg, { kind: 'add', obj, initial: true });
    }
    if (this.started && !this.stopped) this.armResync(reg);
    return {
      remove: () => {
        reg.removed = true;
        reg.timer?.cancel();
        const i = this.registrations.indexOf(reg);
        if (i >= 0) this.registrations.splice(i, 1);
      },
      hasSynced: () => this.synced,
    };
  }

  /** Adds indices; existing objects are indexed at once. */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** True once the first list is in the cache and every handler has been told about it. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced; false if the informer stops or `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        this.syncWaiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = (): void => done(false);
      this.syncWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the cache is consistent at (last list, event or bookmark). */
  lastSyncResourceVersion(): string | undefined {
    return this.lastRV;
  }

  /** How many times the informer has listed (1 after the first sync; more after 410s and failures). */
  listCount(): number {
    return this.lists;
  }

  isRunning(): boolean {
    return this.started && !this.stopped;
  }

  /**
   * Lists and watches until `signal` aborts; resolves then. Failures are logged and retried
   * with backoff; a 410 relists at once. An informer runs once.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new ClientUsageError(`informer ${this.name} was already started`);
    this.started = true;
    for (const reg of this.registrations) this.armResync(reg);
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          await this.listAndWatch(signal, () => {
            failures = 0;
          });
        } catch (e: unknown) {
          if (signal.aborted) break;
          failures++;
          const expired = isExpired(e);
          const delayMs = expired && failures === 1 ? 0 : backoffDelay(this.backoff, failures, this.random);
          if (expired) this.logger.warn('watch expired; relisting', { informer: this.name, resourceVersion: this.lastRV, error: errorText(e) });
          else this.logger.error('list/watch failed; retrying', { informer: this.name, attempt: failures, delayMs, error: errorText(e) });
          await sleep(this.clock, delayMs, signal);
        }
      }
    } finally {
      this.stopped = true;
      for (const reg of this.registrations) reg.timer?.cancel();
      for (const waiter of [...this.syncWaiters]) waiter(false);
    }
  }

  private async listAndWatch(signal: AbortSignal, progressed: () => void): Promise<void> {
    const list = await this.listAll(signal);
    if (signal.aborted) return;
    this.replace(list.items, list.metadata.resourceVersion);
    const watchOptions: WatchOptions = { resourceVersion: this.lastRV ?? '', allowWatchBookmarks: true, signal, clock: this.clock, random: this.random };
    if (this.options.labelSelector !== undefined) watchOptions.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector !== undefined) watchOptions.fieldSelector = this.options.fieldSelector;
    if (this.options.watchTimeoutSeconds !== undefined) watchOptions.timeoutSeconds = this.options.watchTimeoutSeconds;
    watchOptions.backoff = this.options.watchBackoff ?? this.options.backoff ?? {};
    watchOptions.onRetry = (r) => {
      if (r.reason === 'failed') this.logger.warn('watch dropped; resuming', { informer: this.name, resourceVersion: r.resourceVersion, attempt: r.attempt, delayMs: r.delayMs, error: errorText(r.error) });
    };
    const watch = this.lw.watch(watchOptions);
    try {
      for await (const ev of watch) {
        this.apply(ev);
        progressed();
      }
    } finally {
      watch.stop();
    }
    if (!signal.aborted) throw new ClientError(`the watch of ${this.name} ended`);
  }

  /** Every page of the list, at one resourceVersion; when a continue token expires, one unpaged list. */
  private async listAll(signal: AbortSignal): Promise<ObjectList<T>> {
    this.lists++;
    const base: ListOptions = { signal };
    if (this.options.labelSelector !== undefined) base.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector !== undefined) base.fieldSelector = this.options.fieldSelector;
    const limit = this.options.pageSize ?? 500;
    const first = await this.lw.list({ ...base, limit });
    const items = [...first.items];
    let cont = first.metadata.continue;
    try {
      while (cont !== undefined && cont !== '') {
        const page = await this.lw.list({ ...base, limit, continue: cont });
        items.push(...page.items);
        cont = page.metadata.continue;
      }
    } catch (e: unknown) {
      if (!isExpired(e)) throw e;
      return this.lw.list(base);
    }
    return { ...first, items };
  }

  /** Makes the cache equal to a fresh list, notifying adds, changes and (tombstoned) deletions. */
  private replace(items: readonly T[], resourceVersion: string | undefined): void {
    const initial = !this.synced;
    const fresh = new Map<string, T>();
    const notes: Notification<T>[] = [];
    for (const item of items) {
      const key = keyOf(item);
      const old = this.indexer.getByKey(key);
      if (old === undefined) {
        const obj = this.own(item);
        fresh.set(key, obj);
        notes.push({ kind: 'add', obj, initial });
      } else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        const obj = this.own(item);
        fresh.set(key, obj);
        notes.push({ kind: 'update', old, obj });
      } else {
        fresh.set(key, old);
      }
    }
    for (const key of this.indexer.keys()) {
      if (fresh.has(key)) continue;
      const old = this.indexer.getByKey(key);
      if (old !== undefined) notes.push({ kind: 'delete', obj: new DeletedFinalStateUnknown(key, old) });
    }
    this.indexer.replace(fresh.values());
    this.populated = true;
    if (resourceVersion !== undefined && resourceVersion !== '') this.lastRV = resourceVersion;
    this.dispatch(notes);
    if (!this.synced) {
      this.synced = true;
      for (const waiter of [...this.syncWaiters]) waiter(true);
    }
  }

  private apply(ev: WatchEvent<T>): void {
    const rv = ev.object.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.lastRV = rv;
    switch (ev.type) {
      case 'BOOKMARK':
        return;
      case 'ADDED':
      case 'MODIFIED': {
        const obj = this.own(ev.object);
        const old = this.indexer.upsert(obj);
        this.dispatch([old === undefined ? { kind: 'add', obj, initial: false } : { kind: 'update', old, obj }]);
        return;
      }
      case 'DELETED': {
        const old = this.indexer.delete(keyOf(ev.object));
        if (old !== undefined) this.dispatch([{ kind: 'delete', obj: this.own(ev.object) }]);
        return;
      }
    }
  }

  private own(obj: T): T {
    return this.options.freezeObjects ? deepFreeze(obj) : obj;
  }

  /** Delivers to the handlers registered now; one registered meanwhile got its own replay. */
  private dispatch(notes: readonly Notification<T>[]): void {
    if (notes.length === 0) return;
    const regs = [...this.registrations];
    for (const note of notes) for (const reg of regs) this.deliver(reg, note);
  }

  private deliver(reg: Registration<T>, note: Notification<T>): void {
    if (reg.removed) return;
    const h = reg.handler;
    try {
      if (note.kind === 'add') h.onAdd?.(note.obj, note.initial);
      else if (note.kind === 'update') h.onUpdate?.(note.old, note.obj);
      else h.onDelete?.(note.obj);
    } catch (e: unknown) {
      this.logger.error('informer event handler failed', { informer: this.name, event: note.kind, error: errorText(e) });
    }
  }

  private armResync(reg: Registration<T>): void {
    if (reg.resyncPeriodMs <= 0 || reg.removed) return;
    reg.timer?.cancel();
    reg.timer = this.clock.setTimer(reg.resyncPeriodMs, () => {
      reg.timer = undefined;
      if (this.stopped || reg.removed) return;
      if (this.synced) for (const obj of this.indexer.list()) this.deliver(reg, { kind: 'update', old: obj, obj });
      this.armResync(reg);
    });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
