// Controller expectations: creates and deletes a controller has asked for and not yet seen in its cache.
import type { Clock } from '@keelson/client';

/** After this long an unmet expectation is ignored, so a lost watch event cannot wedge a controller (Kubernetes: 5 minutes). */
export const expectationsTimeoutMs = 5 * 60_000;

/** What one controller key still waits to observe. */
export interface Expectation {
  add: number;
  del: number;
  /** When the expectation was set (clock milliseconds). */
  timestamp: number;
}

/**
 * Kubernetes' UIDTrackingControllerExpectations: per controller key, how many creations and
 * deletions are in flight. A controller sets them before it writes, the event handlers lower
 * them as the cache catches up, and the sync only acts again once they are met (or expired).
 * Deletions are tracked by pod key so a pod seen deleted twice (graceful deletion, then the
 * final delete) is counted once.
 */
export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();
  private readonly deleting = new Map<string, Set<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = expectationsTimeoutMs,
  ) {}

  /** True when the controller may sync `key`: nothing expected, everything observed, or the expectation expired. */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (e === undefined) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.timeoutMs;
  }

  /** The expectation of `key`, for tests and logs. */
  get(key: string): Readonly<Expectation> | undefined {
    const e = this.store.get(key);
    return e === undefined ? undefined : { ...e };
  }

  /** Pending pod keys whose deletion `key` waits to observe. */
  deletingKeys(key: string): string[] {
    return [...(this.deleting.get(key) ?? [])];
  }

  expectCreations(key: string, count: number): void {
    this.store.set(key, { add: count, del: 0, timestamp: this.clock.now() });
    this.deleting.delete(key);
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.store.set(key, { add: 0, del: podKeys.length, timestamp: this.clock.now() });
    this.deleting.set(key, new Set(podKeys));
  }

  /** A pod of `key` appeared in the cache (or a create that will never appear was given up). */
  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e !== undefined) e.add--;
  }

  /** Pod `podKey` of `key` was seen deleted (or its deletion failed); counted once per pod. */
  deletionObserved(key: string, podKey: string): void {
    const pending = this.deleting.get(key);
    if (pending === undefined || !pending.delete(podKey)) return;
    const e = this.store.get(key);
    if (e !== undefined) e.del--;
  }

  /** Forgets `key` (its controller was deleted). */
  delete(key: string): void {
    this.store.delete(key);
    this.deleting.delete(key);
  }
}
