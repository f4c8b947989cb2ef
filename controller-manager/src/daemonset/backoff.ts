// Per-node back-off before a failed daemon pod is deleted and replaced (client-go flowcontrol.Backoff as the DaemonSet controller uses it).
import type { Clock } from '@keelson/client';

/** Kubernetes: 1 s, doubling, at most 15 minutes. */
export const failedPodsBackoffBaseMs = 1000;
export const failedPodsBackoffMaxMs = 15 * 60_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * A doubling back-off per key. `next` is called each time a failed pod is replaced; while
 * `inBackoff` the controller leaves the failed pod alone and looks again after `get(key)`. An
 * entry idle for twice the maximum starts over from the base.
 */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly baseMs = failedPodsBackoffBaseMs,
    readonly maxMs = failedPodsBackoffMaxMs,
  ) {}

  /** The current back-off of `key` (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Within the back-off since the last `next` (IsInBackOffSinceUpdate). */
  inBackoff(key: string, now = this.clock.now()): boolean {
    const e = this.entries.get(key);
    if (e === undefined || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** Records one more failure: base the first time (or after a long quiet), else doubled up to the maximum. */
  next(key: string, now = this.clock.now()): void {
    this.gc(now);
    const e = this.entries.get(key);
    if (e === undefined || this.expired(e, now)) {
      this.entries.set(key, { backoffMs: this.baseMs, lastUpdate: now });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }

  /** Drops entries idle long enough to have expired (Backoff.GC). */
  private gc(now: number): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }
}
