// Restart and image-pull back-off per container, as the kubelet's: immediate first retry, then base doubling to max, reset after a long healthy run.
export interface BackoffEntry {
  /** The delay the next retry waits after `since`. */
  delayMs: number;
  /** When the current wait started (the container's finish time). */
  since: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
    /** A container that ran at least this long starts over from no back-off. */
    readonly resetAfterMs = 10 * 60_000,
  ) {}

  /** Milliseconds still to wait before retrying `key` (0 = go), given the failure happened at `since`. */
  remaining(key: string, since: number, now: number): number {
    const e = this.entries.get(key);
    if (e === undefined || e.since !== since) {
      // A failure not yet accounted for: wait what the entry asks from this failure on.
      if (e === undefined) return 0;
      return Math.max(0, since + e.delayMs - now);
    }
    return Math.max(0, e.since + e.delayMs - now);
  }

  /** Records a retry of `key` after the failure at `since`: the next wait doubles (or starts at base). */
  next(key: string, since: number): void {
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, { delayMs: this.baseMs, since });
    else this.entries.set(key, { delayMs: Math.min(this.maxMs, e.delayMs * 2), since });
  }

  /** Forgets `key` (a long healthy run, or the pod is gone). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with the prefix. */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  delayOf(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }
}
