// One client's watch on the cache: applies its filter to each change and buffers events, boundedly, until read.
import type { StoredObject } from '@keelson/api';
import { WatcherTerminatedError, asError, type WatcherTerminationReason } from './errors';
import { INITIAL_EVENTS_END_ANNOTATION, type CacheWatchEvent, type CacheWatcher, type ObjectFilter } from './types';

/** A change as the cache records it: the new state and the state it replaced. */
export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  /** The new state; for DELETED the last state, with resourceVersion = `revision`. */
  object: StoredObject;
  /** The cached state before the change; absent for ADDED. */
  prevObject: StoredObject | undefined;
  revision: number;
}

/** A BOOKMARK event's object: only the revision (and the initial-events-end mark). */
export function bookmarkEvent(revision: number, initialEventsEnd = false): CacheWatchEvent {
  const object: StoredObject = { metadata: { resourceVersion: String(revision) } };
  if (initialEventsEnd) object.metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return { type: 'BOOKMARK', object, revision };
}

/** `obj` with its resourceVersion replaced; a shallow copy, so the cached object is untouched. */
function atRevision(obj: StoredObject, revision: number): StoredObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/**
 * How `change` looks to a watcher with `filter`, as Kubernetes' cacheWatcher shows it: an object
 * that starts matching arrives as ADDED, one that stops matching as DELETED (its last matching
 * state, at the change's revision); undefined when the watcher does not care.
 */
export function convertChange(change: ChangeEvent, filter: ObjectFilter | undefined): CacheWatchEvent | undefined {
  const matches = (obj: StoredObject): boolean => filter === undefined || filter(obj);
  const cur = change.type !== 'DELETED' && matches(change.object);
  const old = change.prevObject !== undefined && matches(change.prevObject);
  if (cur) return { type: old ? 'MODIFIED' : 'ADDED', object: change.object, revision: change.revision };
  if (!old || change.prevObject === undefined) return undefined;
  const object = change.type === 'DELETED' ? change.object : atRevision(change.prevObject, change.revision);
  return { type: 'DELETED', object, revision: change.revision };
}

export interface WatcherParams {
  prefix: string;
  filter: ObjectFilter | undefined;
  allowBookmarks: boolean;
  /** Live events that may wait unread before the watcher is closed as too slow. */
  bufferSize: number;
  /** The revision the watcher's backlog brings it to; live changes at or below it are skipped. */
  startRevision: number;
  /** Events to deliver before any live one: an initial state or a replay of buffered changes. */
  backlog: CacheWatchEvent[];
  signal: AbortSignal | undefined;
  /** Called once when the watcher stops or is terminated, so the cache forgets it. */
  detach: (watcher: Watcher) => void;
}

interface Waiter {
  resolve(result: IteratorResult<CacheWatchEvent>): void;
  reject(error: Error): void;
}

type WatcherState = 'open' | 'failed' | 'stopped';

/**
 * Events reach a watcher in three stages: its `backlog` (fixed at creation, consumed by index),
 * then its live `queue`, then a terminal error if the cache closed it. The queue holds at most
 * `bufferSize` events; one more and the watcher is closed as too slow, as Kubernetes closes a
 * watcher whose channel stays full, instead of growing without bound.
 */
export class Watcher implements CacheWatcher {
  readonly prefix: string;
  readonly allowBookmarks: boolean;
  private readonly filter: ObjectFilter | undefined;
  private readonly bufferSize: number;
  private readonly startRevision: number;
  private backlog: CacheWatchEvent[];
  private backlogNext = 0;
  private readonly queue: CacheWatchEvent[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: { error: Error } | undefined;
  private state: WatcherState = 'open';
  /** The revision of the newest event handed to this watcher (queued or backlog). */
  private lastRevision: number;
  private readonly signal: AbortSignal | undefined;
  private readonly detachFn: (watcher: Watcher) => void;
  private readonly onAbort = (): void => this.stop();

  constructor(params: WatcherParams) {
    this.prefix = params.prefix;
    this.filter = params.filter;
    this.allowBookmarks = params.allowBookmarks;
    this.bufferSize = params.bufferSize;
    this.startRevision = params.startRevision;
    this.backlog = params.backlog;
    this.lastRevision = params.startRevision;
    this.detachFn = params.detach;
    this.signal = params.signal;
    params.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Hands the watcher one change under its prefix, filtered by `convertChange`. Returns false
   * when the watcher was full and has been closed as too slow.
   */
  offer(change: ChangeEvent): boolean {
    if (this.state !== 'open' || change.revision <= this.startRevision) return true;
    let event: CacheWatchEvent | undefined;
    try {
      event = convertChange(change, this.filter);
    } catch (error: unknown) {
      // A filter that throws is a server bug; end this watch with it rather than hide it.
      this.fail(asError(error));
      return true;
    }
    if (event === undefined) return true;
    if (this.queue.length >= this.bufferSize) {
      this.terminate('TooSlow');
      return false;
    }
    this.push(event);
    return true;
  }

  /** A periodic bookmark; dropped, never fatal, when the watcher is full or does not want one. */
  offerBookmark(revision: number): void {
    if (this.state !== 'open' || !this.allowBookmarks || revision < this.lastRevision) return;
    const last = this.queue[this.queue.length - 1];
    if (last?.type === 'BOOKMARK') {
      // An unread bookmark is superseded by a newer one rather than queued behind it.
      this.queue[this.queue.length - 1] = bookmarkEvent(revision);
      this.lastRevision = revision;
      return;
    }
    if (this.queue.length >= this.bufferSize) return;
    this.push(bookmarkEvent(revision));
  }

  /** Closes the watcher: what it holds is still delivered, then iteration throws WatcherTerminatedError. */
  terminate(reason: WatcherTerminationReason): void {
    this.fail(new WatcherTerminatedError(reason, this.prefix, this.lastRevision));
  }

  /** The consumer is done: drop what is buffered and end iteration. */
  stop(): void {
    if (this.state === 'stopped') return;
    const wasOpen = this.state === 'open';
    this.state = 'stopped';
    this.backlog = [];
    this.backlogNext = 0;
    this.queue.length = 0;
    this.failure = undefined;
    if (wasOpen) this.release();
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<CacheWatchEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private push(event: CacheWatchEvent): void {
    this.lastRevision = event.revision;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ done: false, value: event });
    else this.queue.push(event);
  }

  private fail(error: Error): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.release();
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.reject(error);
    else this.failure = { error };
    for (const other of this.waiters.splice(0)) other.resolve({ done: true, value: undefined });
  }

  private next(): Promise<IteratorResult<CacheWatchEvent>> {
    if (this.backlogNext < this.backlog.length) {
      const event = this.backlog[this.backlogNext++];
      if (this.backlogNext === this.backlog.length) {
        this.backlog = [];
        this.backlogNext = 0;
      }
      if (event !== undefined) return Promise.resolve({ done: false, value: event });
    }
    const event = this.queue.shift();
    if (event !== undefined) return Promise.resolve({ done: false, value: event });
    if (this.failure !== undefined) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.state !== 'open') return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.detachFn(this);
  }
}
