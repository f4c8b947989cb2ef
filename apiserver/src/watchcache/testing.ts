// Test helpers for the watch cache: a storage wrapper that counts and breaks watches, object builders, and readers.
import type { StoredObject } from '@keelson/api';
import { asError } from './errors';
import type { Storage, StorageWatch, StorageWatchEvent, WatchOptions } from '../storage/types';
import type { CacheWatchEvent, CacheWatcher, WatchCacheLogEntry } from './types';

/** A storage watch whose iteration can be made to throw, as a dropped connection would. */
class BreakableWatch implements StorageWatch {
  private failure: { error: Error } | undefined;
  private rejectPending: ((error: Error) => void) | undefined;
  private ended = false;

  constructor(
    private readonly inner: StorageWatch,
    private readonly onEnd: (watch: BreakableWatch) => void,
    private readonly onProgressRequest: () => void,
  ) {}

  break(error: Error): void {
    if (this.ended) return;
    this.failure = { error };
    this.rejectPending?.(error);
    this.end();
  }

  stop(): void {
    this.end();
  }

  requestProgress(): void {
    if (this.ended) return;
    this.onProgressRequest();
    this.inner.requestProgress();
  }

  [Symbol.asyncIterator](): AsyncIterator<StorageWatchEvent> {
    const it = this.inner[Symbol.asyncIterator]();
    return {
      next: () => {
        if (this.failure !== undefined) return Promise.reject(this.failure.error);
        return new Promise<IteratorResult<StorageWatchEvent>>((resolve, reject) => {
          this.rejectPending = reject;
          it.next().then(
            (result) => (this.failure !== undefined ? reject(this.failure.error) : resolve(result)),
            (error: unknown) => reject(asError(error)),
          );
        });
      },
      return: () => {
        this.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.inner.stop();
    this.onEnd(this);
  }
}

/** Delegates to a real store, counting watches and letting a test break them or fail lists. */
export class ControlledStorage implements Storage {
  readonly backend;
  watchCalls = 0;
  listCalls = 0;
  /** The `fromRevision` of each watch started, in order. */
  readonly watchedFrom: number[] = [];
  /** Calls of `requestProgress()` on its watches. */
  progressRequests = 0;
  private readonly open = new Set<BreakableWatch>();
  private listFailures: Error[] = [];
  private listGate: Promise<void> | undefined;

  constructor(private readonly inner: Storage) {
    this.backend = inner.backend;
  }

  /** Watches that have been started and not yet ended. */
  openWatches(): number {
    return this.open.size;
  }

  /** Makes every open watch's iteration throw `error`. */
  breakWatches(error: Error): void {
    for (const watch of [...this.open]) watch.break(error);
  }

  /** Makes the next list calls throw these errors, one each. */
  failNextLists(...errors: Error[]): void {
    this.listFailures.push(...errors);
  }

  get: Storage['get'] = (key) => this.inner.get(key);
  create: Storage['create'] = (key, obj) => this.inner.create(key, obj);
  update: Storage['update'] = (key, obj, opts) => this.inner.update(key, obj, opts);
  delete: Storage['delete'] = (key, opts) => this.inner.delete(key, opts);
  currentRevision: Storage['currentRevision'] = () => this.inner.currentRevision();
  compact: Storage['compact'] = (revision) => this.inner.compact(revision);
  close: Storage['close'] = () => this.inner.close();

  /** Holds every list call until the returned function is called. */
  holdLists(): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.listGate = gate;
    return () => {
      if (this.listGate === gate) this.listGate = undefined;
      release();
    };
  }

  list: Storage['list'] = async (prefix, opts) => {
    this.listCalls++;
    if (this.listGate !== undefined) await this.listGate;
    const failure = this.listFailures.shift();
    if (failure !== undefined) throw failure;
    return this.inner.list(prefix, opts);
  };

  watch(prefix: string, opts: WatchOptions): StorageWatch {
    this.watchCalls++;
    this.watchedFrom.push(opts.fromRevision);
    const watch = new BreakableWatch(
      this.inner.watch(prefix, opts),
      (w) => this.open.delete(w),
      () => this.progressRequests++,
    );
    this.open.add(watch);
    return watch;
  }
}

export function podKey(namespace: string, name: string): string {
  return `/registry/pods/${namespace}/${name}`;
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}): StoredObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

/** Lets every queued promise callback and I/O callback run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Reads a watcher one event at a time through a single iterator. */
export class Reader {
  private readonly it: AsyncIterator<CacheWatchEvent>;
  /** A read started by `poll` that has not been consumed yet. */
  private pending: Promise<IteratorResult<CacheWatchEvent>> | undefined;

  constructor(watcher: CacheWatcher) {
    this.it = watcher[Symbol.asyncIterator]();
  }

  /** The next event; throws what iteration throws, or 'watcher ended'. */
  async next(): Promise<CacheWatchEvent> {
    const result = await this.read();
    if (result.done === true) throw new Error('watcher ended');
    return result.value;
  }

  async take(n: number): Promise<CacheWatchEvent[]> {
    const out: CacheWatchEvent[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** Whether iteration has ended cleanly; throws what iteration throws. */
  async ended(): Promise<boolean> {
    return (await this.read()).done === true;
  }

  /** The next event if one is there after a few flushes, else undefined (the read stays pending). */
  async poll(): Promise<CacheWatchEvent | undefined> {
    this.pending ??= this.it.next();
    let settled = false;
    const mark = (): void => {
      settled = true;
    };
    void this.pending.then(mark, mark);
    await flush();
    return settled ? this.next() : undefined;
  }

  private read(): Promise<IteratorResult<CacheWatchEvent>> {
    const pending = this.pending ?? this.it.next();
    this.pending = undefined;
    return pending;
  }
}

/** A logger that records what it is given. */
export function recordingLogger(): { entries: WatchCacheLogEntry[]; logger: (entry: WatchCacheLogEntry) => void } {
  const entries: WatchCacheLogEntry[] = [];
  return { entries, logger: (entry) => entries.push(entry) };
}

/** `type name@rv` for compact assertions. */
export function summary(event: CacheWatchEvent): string {
  const name = event.object.metadata.name ?? '';
  return `${event.type} ${name}@${event.object.metadata.resourceVersion ?? ''}`;
}
