// The scheduling queue: active (by priority, then arrival), backoff and unschedulable sub-queues, moved by cluster events.
import type { Pod } from '@keelson/api';
import { systemClock, type Clock, type Timer } from '@keelson/client';
import { KeyedHeap } from './heap';

/** A pending pod as the queue holds it. */
export interface QueuedPodInfo {
  pod: Pod;
  uid: string;
  /** `namespace/name`. */
  key: string;
  /** When the pod last entered a sub-queue: orders equal priorities, and starts its backoff. */
  timestamp: number;
  /** When the queue first saw the pod (the start of its end-to-end scheduling latency). */
  enqueuedAt: number;
  /** When it was first handed to a cycle. */
  initialAttemptTimestamp: number | undefined;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected it in its last attempt; only events that concern one of them move it. Empty after an error. */
  unschedulablePlugins: Set<string>;
  seq: number;
}

/**
 * Something changed in the cluster that may make unschedulable pods schedulable. `plugins`:
 * whose decisions it can change ('all' for a new node); `concerns`: an extra check per pod
 * (e.g. does a new pod match the pod's affinity terms).
 */
export interface ClusterEvent {
  label: string;
  plugins: ReadonlySet<string> | 'all';
  concerns?: (qpi: QueuedPodInfo) => boolean;
}

export type SubQueue = 'active' | 'backoff' | 'unschedulable';

export interface SchedulingQueueOptions {
  clock?: Clock;
  /** Kubernetes' podInitialBackoffSeconds (1 s) and podMaxBackoffSeconds (10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried at least this often (Kubernetes: 5 min)… */
  maxInUnschedulableMs?: number;
  /** …checked this often (Kubernetes: 30 s). */
  unschedulableFlushIntervalMs?: number;
  /** Keys of annotations whose changes are not updates of the pod (the scheduler's own). */
  ignoredAnnotations?: readonly string[];
}

function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/**
 * Kubernetes' PriorityQueue, single-threaded:
 *
 *   add ─► active (heap: priority desc, timestamp asc) ─► pop ─► cycle
 *                 ▲                     ▲                         │ no fit
 *                 │ backoff expired     │ event moves it          ▼
 *              backoff (heap by expiry) ◄── still backing off ── unschedulable (map)
 *                 ▲                                               │ 5 min without an event
 *                 └──── error, or an event during its cycle ◄─────┘ (flush)
 *
 * Backoff doubles from 1 s per attempt up to 10 s.
 */
export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly flushIntervalMs: number;
  private readonly ignoredAnnotations: ReadonlySet<string>;

  private readonly active = new KeyedHeap<QueuedPodInfo>(
    (q) => q.uid,
    (a, b) => {
      const pa = priorityOf(a.pod);
      const pb = priorityOf(b.pod);
      if (pa !== pb) return pa > pb;
      if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
      return a.seq < b.seq;
    },
  );
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (q) => q.uid,
    (a, b) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea !== eb ? ea < eb : a.seq < b.seq;
    },
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly waiters: { resolve: (q: QueuedPodInfo | undefined) => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];
  private seq = 0;
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private backoffTimer: { timer: Timer; due: number } | undefined;
  private flushTimer: Timer | undefined;

  constructor(options: SchedulingQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? 5 * 60_000;
    this.flushIntervalMs = options.unschedulableFlushIntervalMs ?? 30_000;
    this.ignoredAnnotations = new Set(options.ignoredAnnotations ?? []);
  }

  /** Starts the periodic retry of pods left unschedulable too long. */
  start(): void {
    if (this.closed || this.flushTimer !== undefined) return;
    const tick = (): void => {
      this.flushUnschedulableLeftover();
      if (!this.closed) this.flushTimer = this.clock.setTimer(this.flushIntervalMs, tick);
    };
    this.flushTimer = this.clock.setTimer(this.flushIntervalMs, tick);
  }

  /** Stops the timers; pending and future pops resolve undefined. */
  close(): void {
    this.closed = true;
    this.flushTimer?.cancel();
    this.backoffTimer?.timer.cancel();
    this.backoffTimer = undefined;
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(undefined);
    }
  }

  /** A new pending pod (or one seen again): to the active queue, unless it is already queued. */
  add(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.where(uid) !== undefined) {
      this.update(undefined, pod);
      return;
    }
    const now = this.clock.now();
    this.pushActive({
      pod,
      uid,
      key: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
      timestamp: now,
      enqueuedAt: now,
      initialAttemptTimestamp: undefined,
      attempts: 0,
      unschedulablePlugins: new Set(),
      seq: this.seq++,
    });
  }

  /**
   * A pending pod changed. In the active or backoff queue it is updated where it is; an
   * unschedulable pod whose spec, labels or annotations changed is retried (after its
   * backoff); a pod in no queue is added.
   */
  update(oldPod: Pod | undefined, newPod: Pod): void {
    const uid = newPod.metadata?.uid ?? '';
    const inActive = this.active.get(uid);
    if (inActive !== undefined) {
      this.active.push({ ...inActive, pod: newPod });
      return;
    }
    const inBackoff = this.backoff.get(uid);
    if (inBackoff !== undefined) {
      this.backoff.push({ ...inBackoff, pod: newPod });
      return;
    }
    const parked = this.unschedulable.get(uid);
    if (parked !== undefined) {
      const updated = { ...parked, pod: newPod };
      if (oldPod !== undefined && !this.isPodUpdated(oldPod, newPod)) {
        this.unschedulable.set(uid, updated);
        return;
      }
      this.unschedulable.delete(uid);
      this.requeue(updated);
      return;
    }
    this.add(newPod);
  }

  delete(uid: string): void {
    this.active.delete(uid);
    if (this.backoff.delete(uid) !== undefined) this.armBackoffTimer();
    this.unschedulable.delete(uid);
  }

  /** The next pod to schedule, waiting for one; undefined once closed or when `signal` aborts. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const q = this.take();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The number of the cycle the last popped pod went into. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /**
   * After a failed attempt. A pod rejected by plugins waits in the unschedulable queue for an
   * event that concerns them; after an error, or when such an event came during its cycle, it
   * goes through backoff instead.
   */
  addUnschedulable(qpi: QueuedPodInfo, podSchedulingCycle: number): void {
    if (this.closed || this.where(qpi.uid) !== undefined) return;
    const q = { ...qpi, timestamp: this.clock.now() };
    if (q.unschedulablePlugins.size === 0 || this.moveRequestCycle >= podSchedulingCycle) {
      this.pushBackoff(q);
      return;
    }
    this.unschedulable.set(q.uid, q);
  }

  /** Retries, through backoff if still backing off, every unschedulable pod the event concerns. */
  moveAllToActiveOrBackoff(event: ClusterEvent): number {
    this.moveRequestCycle = this.cycle;
    let moved = 0;
    for (const q of [...this.unschedulable.values()]) {
      if (!this.concerns(event, q)) continue;
      this.unschedulable.delete(q.uid);
      this.requeue(q);
      moved++;
    }
    return moved;
  }

  /** Pods in each sub-queue (scheduler_pending_pods). */
  counts(): Record<SubQueue, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  where(uid: string): SubQueue | undefined {
    if (this.active.has(uid)) return 'active';
    if (this.backoff.has(uid)) return 'backoff';
    if (this.unschedulable.has(uid)) return 'unschedulable';
    return undefined;
  }

  /** When a pod's backoff ends: timestamp + 1 s × 2^(attempts − 1), at most 10 s. */
  backoffExpiry(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts && d < this.maxBackoffMs; i++) d *= 2;
    return q.timestamp + Math.min(d, this.maxBackoffMs);
  }

  /** Moves unschedulable pods that waited longer than maxInUnschedulableMs (the periodic retry). */
  flushUnschedulableLeftover(): number {
    const now = this.clock.now();
    let moved = 0;
    for (const q of [...this.unschedulable.values()]) {
      if (now - q.timestamp < this.maxInUnschedulableMs) continue;
      this.unschedulable.delete(q.uid);
      this.requeue(q);
      moved++;
    }
    return moved;
  }

  private concerns(event: ClusterEvent, q: QueuedPodInfo): boolean {
    if (event.plugins !== 'all' && q.unschedulablePlugins.size > 0) {
      let any = false;
      for (const p of q.unschedulablePlugins) {
        if (event.plugins.has(p)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return event.concerns === undefined || event.concerns(q);
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.clock.now() < this.backoffExpiry(q)) this.pushBackoff(q);
    else this.pushActive(q);
  }

  private take(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (q === undefined) return undefined;
    this.cycle++;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.clock.now();
    return q;
  }

  private pushActive(q: QueuedPodInfo): void {
    this.active.push(q);
    while (this.waiters.length > 0 && this.active.size > 0) {
      const w = this.waiters.shift();
      if (w === undefined) break;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(this.take());
    }
  }

  private pushBackoff(q: QueuedPodInfo): void {
    this.backoff.push(q);
    this.armBackoffTimer();
  }

  /** One timer, for the earliest backoff expiry. */
  private armBackoffTimer(): void {
    if (this.closed) return;
    const next = this.backoff.peek();
    if (next === undefined) {
      this.backoffTimer?.timer.cancel();
      this.backoffTimer = undefined;
      return;
    }
    const due = this.backoffExpiry(next);
    if (this.backoffTimer !== undefined && this.backoffTimer.due <= due) return;
    this.backoffTimer?.timer.cancel();
    const timer = this.clock.setTimer(due - this.clock.now(), () => {
      this.backoffTimer = undefined;
      this.flushBackoffCompleted();
    });
    this.backoffTimer = { timer, due };
  }

  private flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let q = this.backoff.peek(); q !== undefined && this.backoffExpiry(q) <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q);
    }
    this.armBackoffTimer();
  }

  /** Did anything but status, resourceVersion, managed fields or the scheduler's own annotations change? */
  private isPodUpdated(a: Pod, b: Pod): boolean {
    return this.signature(a) !== this.signature(b);
  }

  private signature(p: Pod): string {
    const m = p.metadata ?? {};
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.annotations ?? {})) if (!this.ignoredAnnotations.has(k)) annotations[k] = v;
    return JSON.stringify([m.labels ?? {}, annotations, m.deletionTimestamp ?? null, m.ownerReferences ?? [], m.finalizers ?? [], p.spec ?? {}]);
  }
}
