// The workqueue every controller, the scheduler and the kubelet use: dedupe, one worker per key, delayed and rate-limited adds.
import type { Registry } from 'prom-client';
import { systemClock, type Clock, type Timer } from '../clock';
import { Heap, type HeapEntry } from './heap';
import { workqueueMetrics, type InFlightSource, type WorkqueueMetrics } from './metrics';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter';

/**
 * What a queue holds. Keys are compared by value, so they are primitives: controllers use
 * `namespace/name` strings, the kubelet pod UIDs.
 */
export type QueueKey = string | number;

export interface WorkQueueOptions<T extends QueueKey> {
  /** Names the queue in metrics (`name` label) and logs, e.g. `deployment`. */
  name: string;
  clock?: Clock;
  /** Paces `addRateLimited`; defaults to client-go's default controller rate limiter. */
  rateLimiter?: RateLimiter<T>;
  /** Where the `workqueue_*` metrics go; none are kept when omitted. */
  registry?: Registry;
}

/** Options with every default applied. */
export interface WorkQueueConfig<T extends QueueKey> {
  name: string;
  clock: Clock;
  rateLimiter: RateLimiter<T>;
  registry: Registry | undefined;
}

export function completeWorkQueueConfig<T extends QueueKey>(o: WorkQueueOptions<T>): WorkQueueConfig<T> {
  const clock = o.clock ?? systemClock;
  return { name: o.name, clock, rateLimiter: o.rateLimiter ?? defaultControllerRateLimiter<T>(clock), registry: o.registry };
}

interface Waiting<T> extends HeapEntry {
  key: T;
  readyAt: number;
  seq: number;
}

/**
 * client-go's rate-limiting delaying workqueue as one class.
 *
 * - A key added while it is queued is queued once (`dirty`).
 * - A key handed out by `get` is "processing" until `done`; adding it meanwhile marks it dirty,
 *   and `done` queues it again, so no two workers ever hold the same key.
 * - `addAfter` holds a key in a heap until it is ready (an earlier time wins); `addRateLimited`
 *   is `addAfter` with the rate limiter's delay; `forget` clears the key's failure history.
 * - After `shutDown`, adds are ignored, waiting keys are dropped, `get` still hands out what is
 *   queued and then resolves `undefined`.
 */
export class WorkQueue<T extends QueueKey = string> implements InFlightSource {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly metrics: WorkqueueMetrics | undefined;

  // FIFO of dirty keys not processing; `head` avoids shifting the array on every get.
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  /** Keys handed out and not yet done, with when processing started. */
  private readonly processing = new Map<T, number>();
  /** When each dirty key was added, for workqueue_queue_duration_seconds. */
  private readonly addedAt = new Map<T, number>();
  private readonly getters: ((key: T | undefined) => void)[] = [];
  private readonly drainers: (() => void)[] = [];
  private shutdown = false;

  private readonly waiting = new Map<T, Waiting<T>>();
  private readonly heap = new Heap<Waiting<T>>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq));
  private waitSeq = 0;
  private timer: { handle: Timer; due: number } | undefined;

  constructor(options: WorkQueueOptions<T>) {
    const config = completeWorkQueueConfig(options);
    this.name = config.name;
    this.clock = config.clock;
    this.rateLimiter = config.rateLimiter;
    if (config.registry) {
      this.metrics = workqueueMetrics(config.registry);
      this.metrics.sources.add(this);
      this.metrics.depth.set({ name: this.name }, 0);
    }
  }

  /** Marks `key` as needing work. */
  add(key: T): void {
    if (this.shutdown || this.dirty.has(key)) return;
    const now = this.clock.now();
    this.metrics?.adds.inc({ name: this.name });
    this.addedAt.set(key, now);
    this.dirty.add(key);
    this.reportDepth();
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /**
   * The next key to work on, once one is available; `undefined` once the queue is shut down and
   * empty. The caller must call `done(key)` when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.take());
    if (this.shutdown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: T): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    } else if (this.processing.size === 0) {
      this.resolveDrainers();
    }
  }

  /** Adds `key` once `delayMs` has passed (an earlier pending time for the same key wins). */
  addAfter(key: T, delayMs: number): void {
    if (this.shutdown) return;
    // client-go counts every delayed add as a retry.
    this.metrics?.retries.inc({ name: this.name });
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing) {
      if (readyAt >= existing.readyAt) return;
      existing.readyAt = readyAt;
      this.heap.fix(existing);
    } else {
      const entry: Waiting<T> = { key, readyAt, seq: this.waitSeq++, index: -1 };
      this.waiting.set(key, entry);
      this.heap.push(entry);
    }
    this.armTimer();
  }

  /** Adds `key` after the rate limiter's delay for it (its backoff grows with each call until `forget`). */
  addRateLimited(key: T): void {
    if (this.shutdown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears `key`'s retry history: call it when the key was processed successfully or given up on. */
  forget(key: T): void {
    this.rateLimiter.forget(key);
  }

  /** How many times `key` has been rate-limited since it was last forgotten. */
  numRequeues(key: T): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys queued and not yet handed out. */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Keys currently handed out to workers. */
  processingCount(): number {
    return this.processing.size;
  }

  /** Keys waiting in `addAfter`/`addRateLimited`. */
  waitingCount(): number {
    return this.waiting.size;
  }

  shuttingDown(): boolean {
    return this.shutdown;
  }

  /** Stops accepting keys, drops waiting ones; workers get what is queued, then `undefined`. */
  shutDown(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
    this.heap.clear();
    this.waiting.clear();
    // Getters only wait while the queue is empty.
    for (const g of this.getters.splice(0)) g(undefined);
    if (this.metrics) {
      this.metrics.sources.delete(this);
      this.metrics.unfinishedWork.set({ name: this.name }, 0);
      this.metrics.longestRunning.set({ name: this.name }, 0);
    }
    if (this.processing.size === 0) this.resolveDrainers();
  }

  /** `shutDown`, then resolves once every key handed out has been marked `done` (in-flight work finished). */
  shutDownWithDrain(): Promise<void> {
    const drained = new Promise<void>((resolve) => this.drainers.push(resolve));
    this.shutDown();
    if (this.processing.size === 0) this.resolveDrainers();
    return drained;
  }

  unfinishedWorkSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const started of this.processing.values()) total += now - started;
    return total / 1000;
  }

  longestRunningProcessorSeconds(): number {
    const now = this.clock.now();
    let oldest = now;
    for (const started of this.processing.values()) oldest = Math.min(oldest, started);
    return (now - oldest) / 1000;
  }

  private take(): T {
    const key = this.queue[this.head] as T;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const now = this.clock.now();
    this.processing.set(key, now);
    this.dirty.delete(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics?.queueDuration.observe({ name: this.name }, (now - added) / 1000);
    this.reportDepth();
    return key;
  }

  /** Hands queued keys straight to waiting getters. */
  private dispatch(): void {
    while (this.getters.length > 0 && this.head < this.queue.length) {
      const getter = this.getters.shift();
      getter?.(this.take());
    }
  }

  private resolveDrainers(): void {
    for (const d of this.drainers.splice(0)) d();
  }

  private reportDepth(): void {
    this.metrics?.depth.set({ name: this.name }, this.dirty.size);
  }

  /** Keeps one timer, set for the earliest waiting key. */
  private armTimer(): void {
    const next = this.heap.peek();
    if (next === undefined) {
      this.timer?.handle.cancel();
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timer.due <= next.readyAt) return;
    this.timer?.handle.cancel();
    const handle = this.clock.setTimer(next.readyAt - this.clock.now(), () => this.onTimer());
    this.timer = { handle, due: next.readyAt };
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (let next = this.heap.peek(); next !== undefined && next.readyAt <= now; next = this.heap.peek()) {
      this.heap.pop();
      this.waiting.delete(next.key);
      this.add(next.key);
    }
    this.armTimer();
  }
}
