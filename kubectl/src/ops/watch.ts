// Waiting on one object: list it, then watch it from there until a condition holds or time runs out.
import { WatchExpiredError, type Clock, type ObjectLike, type ResourceClient } from '@keelson/client';

/** What the waiter sees: the listed state first (undefined when absent), then each change. */
export interface Observer<T> {
  /** The object as listed (at the start, and again after a watch could not be resumed). True ends the wait. */
  synced(obj: T | undefined): boolean;
  /** One change. True ends the wait; throwing ends it with that error. */
  changed(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): boolean;
}

export interface UntilOptions {
  clock: Clock;
  /** Give up after this long; undefined or ≤ 0 waits for ever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * client-go's `UntilWithSync` for one object: list it by name, tell the observer, then watch
 * from the list's resourceVersion. A watch the server can no longer resume (410) is replaced
 * by a fresh list and watch. Resolves `done`, `timeout` when the time is up first, or `aborted`
 * when the caller's signal fires.
 */
export async function untilWithSync<T extends ObjectLike>(resource: ResourceClient<T>, name: string, observer: Observer<T>, o: UntilOptions): Promise<'done' | 'timeout' | 'aborted'> {
  const abort = new AbortController();
  let timedOut = false;
  const timer =
    o.timeoutMs !== undefined && o.timeoutMs > 0
      ? o.clock.setTimer(o.timeoutMs, () => {
          timedOut = true;
          abort.abort();
        })
      : undefined;
  const onOuterAbort = (): void => abort.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    while (!abort.signal.aborted) {
      let listed;
      try {
        listed = await resource.list({ fieldSelector: { 'metadata.name': name }, signal: abort.signal });
      } catch (e: unknown) {
        if (abort.signal.aborted) break;
        throw e;
      }
      if (observer.synced(listed.items[0])) return 'done';
      const w = resource.watch({ name, resourceVersion: listed.metadata.resourceVersion ?? '', signal: abort.signal, clock: o.clock });
      try {
        for await (const ev of w) {
          if (ev.type === 'BOOKMARK') continue;
          if (observer.changed(ev.type, ev.object)) {
            w.stop();
            return 'done';
          }
        }
      } catch (e: unknown) {
        if (e instanceof WatchExpiredError) continue;
        throw e;
      }
    }
    return timedOut ? 'timeout' : 'aborted';
  } finally {
    timer?.cancel();
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}
