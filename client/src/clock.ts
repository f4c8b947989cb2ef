// Injected time for the client: the real clock, a manual one for tests, and an abortable sleep.

/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** Time as the client sees it: watch backoff, request timeouts, resync periods all go through this. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds unless cancelled. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** Node's timers. Timers are unref'd so a pending backoff never keeps a process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * Resolves after `ms` on `clock`, or as soon as `signal` aborts (it never rejects: the caller
 * checks `signal.aborted` afterwards). A zero or negative delay resolves on the next microtask.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire synchronously, in due order, from
 * `advance`; `advanceAsync` also lets promise continuations run between timers, which is what a
 * test of async code (watch backoff, informer resync) needs.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<Pending>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const pending: Pending = { due: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(pending);
    return { cancel: () => this.timers.delete(pending) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones set meanwhile). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = target;
  }

  /**
   * As `advance`, but drains pending promise continuations before and after each timer, so
   * async code woken by a timer gets to schedule its next one before time moves on.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushMicrotasks();
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.fn();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  /** Timers set and neither fired nor cancelled. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Milliseconds until the next pending timer, or undefined when none is pending. */
  nextTimerIn(): number | undefined {
    let due: number | undefined;
    for (const t of this.timers) if (due === undefined || t.due < due) due = t.due;
    return due === undefined ? undefined : due - this.time;
  }

  private nextDue(target: number): Pending | undefined {
    let next: Pending | undefined;
    for (const t of this.timers) {
      if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
    }
    return next;
  }
}

/**
 * Lets every already-queued promise continuation (and the ones they queue) run. Uses
 * setImmediate, which runs after the microtask queue drains, a few times over so chains of
 * awaits settle; it does not advance any Clock.
 */
export async function flushMicrotasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
