// Errors of the watch cache: the API errors a request can get from it, and why a watcher was closed.
import { StatusError } from '@keelson/api';

/**
 * The cache did not reach a requested resourceVersion in time: 504 with the
 * `ResourceVersionTooLarge` cause and a one-second retry hint, as Kubernetes answers.
 */
export class TooLargeResourceVersionError extends StatusError {
  readonly requested: number;
  readonly current: number;
  constructor(requested: number, current: number) {
    super(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
    this.requested = requested;
    this.current = current;
  }
}

/** The cache is (re)listing its state: 429 with a retry hint, as Kubernetes answers then. */
export class CacheNotReadyError extends StatusError {
  readonly prefix: string;
  constructor(prefix: string) {
    super(429, 'TooManyRequests', 'storage is (re)initializing', { retryAfterSeconds: 1 });
    this.prefix = prefix;
  }
}

/** The cache has been stopped (the server is shutting down): 503. */
export class CacheStoppedError extends StatusError {
  readonly prefix: string;
  constructor(prefix: string) {
    super(503, 'ServiceUnavailable', `the watch cache for ${prefix} is stopped`);
    this.prefix = prefix;
  }
}

/**
 * Why the cache closed a watcher: it fell too far behind (`TooSlow`), the cache had to relist
 * and cannot continue its stream (`CacheReinitialized`), or the cache stopped (`CacheStopped`).
 */
export type WatcherTerminationReason = 'TooSlow' | 'CacheReinitialized' | 'CacheStopped';

/**
 * Ends a watcher's iteration after the events it had already received. Kubernetes closes such
 * a watch without an ERROR event; the client then watches again from the last resourceVersion
 * it saw (and relists if that is too old), so the HTTP layer should just end the stream.
 */
export class WatcherTerminatedError extends Error {
  readonly reason: WatcherTerminationReason;
  readonly prefix: string;
  /** The revision of the last event this watcher was given. */
  readonly lastRevision: number;
  constructor(reason: WatcherTerminationReason, prefix: string, lastRevision: number) {
    super(`watch on ${prefix} closed by the watch cache (${reason}) after revision ${lastRevision}`);
    this.name = new.target.name;
    this.reason = reason;
    this.prefix = prefix;
    this.lastRevision = lastRevision;
  }
}

/** `thrown` if it is an Error, else an Error carrying it as `cause` (so rejections are always Errors). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error('a non-Error value was thrown', { cause: thrown });
}
