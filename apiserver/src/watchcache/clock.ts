// Timer clocks for the watch cache: the real one, and a manual one tests advance by hand.
import type { Timer, TimerClock } from './types';

/** Node's timers. */
export const systemTimerClock: TimerClock = {
  now: () => Date.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when `advance` is called; timers fire in due order, synchronously. */
export class ManualTimerClock implements TimerClock {
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
    for (;;) {
      let next: Pending | undefined;
      for (const t of this.timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = target;
  }

  /** Timers set and neither fired nor cancelled. */
  pendingTimers(): number {
    return this.timers.size;
  }
}
