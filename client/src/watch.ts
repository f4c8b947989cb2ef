// Watch streams: line-delimited JSON events, resumed from the last resourceVersion with backoff; 410 → WatchExpiredError.
import { StatusError, type Status } from '@keelson/api';
import { sleep, systemClock, type Clock } from './clock';
import { ClientError, ClientUsageError, TransportError, WatchDecodeError, WatchExpiredError, errorFromStatus, isExpired, isStatus } from './errors';
import type { HttpResponse } from './transport';
import type { ObjectLike } from './types';

/** One change. BOOKMARK objects carry only `metadata.resourceVersion` (and kind/apiVersion). */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** A running watch: iterate it once; `stop()` (or breaking out of the loop) closes the connection. */
export interface WatchStream<T> extends AsyncIterable<WatchEvent<T>> {
  /** The resourceVersion of the last event seen, or the one the watch started from. */
  readonly resourceVersion: string | undefined;
  stop(): void;
}

export interface BackoffOptions {
  /** First delay after a dropped connection. Default 800 ms (client-go's reflector). */
  initialMs: number;
  /** Delays never exceed this. Default 30 s. */
  maxMs: number;
  /** Each consecutive failure multiplies the delay by this. Default 2. */
  factor: number;
  /** Up to this fraction is added at random, so clients of a restarted server spread out. Default 0.2. */
  jitter: number;
}

export const defaultBackoff: Readonly<BackoffOptions> = Object.freeze({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.2 });

/** The delay before reconnect attempt `failures` (1-based): initial·factorⁿ⁻¹, capped, plus jitter. */
export function backoffDelay(b: BackoffOptions, failures: number, random: () => number): number {
  const base = Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, failures - 1));
  return Math.round(base * (1 + b.jitter * random()));
}

/** Why the watch is about to reconnect: the stream ended (server timeout, proxy) or failed. */
export interface RetryInfo {
  reason: 'ended' | 'failed';
  error: unknown;
  /** Consecutive reconnects without an event in between (1 for the first). */
  attempt: number;
  delayMs: number;
  /** Where it will resume from. */
  resourceVersion: string | undefined;
}

/**
 * Opens one watch connection. `initial` is true until the watch has seen an event: only then
 * may the first request's parameters (sendInitialEvents, resourceVersionMatch) be sent again.
 * Rejects with a StatusError for an HTTP error answer, TransportError for no answer.
 */
export type WatchOpener = (resourceVersion: string | undefined, initial: boolean, signal: AbortSignal) => Promise<HttpResponse>;

export interface WatchLoopOptions {
  /** Start after this resourceVersion; unset means the current state as ADDED events, then changes. */
  resourceVersion?: string;
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  /** [0, 1); default Math.random. */
  random?: () => number;
  /** Consecutive reconnects without an event before giving up with the last error. Default unlimited. */
  maxRetries?: number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Names the watch in errors, e.g. the URL path. */
  description?: string;
}

/** Failures worth reconnecting after: no answer, or a server-side hiccup (429, 5xx, timeouts). */
export function isRetryableWatchError(e: unknown): boolean {
  if (e instanceof TransportError) return true;
  if (e instanceof StatusError) {
    return e.code === 429 || e.code >= 500 || e.reason === 'Timeout' || e.reason === 'ServerTimeout' || e.reason === 'TooManyRequests';
  }
  return false;
}

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Parses one line of a watch stream. */
export function decodeWatchLine(line: string): { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: ObjectLike } | { type: 'ERROR'; object: Status } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e: unknown) {
    throw new WatchDecodeError(line, { cause: e });
  }
  if (typeof v !== 'object' || v === null) throw new WatchDecodeError(line);
  const { type, object } = v as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !eventTypes.has(type) || typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new WatchDecodeError(line);
  }
  if (type === 'ERROR') return { type, object: isStatus(object) ? object : { kind: 'Status', code: 500, message: JSON.stringify(object) } };
  return { type: type as 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: object as ObjectLike };
}

/** Splits a byte stream into non-empty lines (a final line without a newline included). */
export async function* splitLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line !== '') yield line;
      nl = buffer.indexOf('\n');
    }
  }
  const rest = (buffer + decoder.decode()).trim();
  if (rest !== '') yield rest;
}

/**
 * A watch that survives dropped connections: it reconnects with exponential backoff (reset by
 * every event) and resumes after the last resourceVersion it saw, so no change is lost or
 * repeated. BOOKMARK events move that resourceVersion forward. When the server can no longer
 * resume (410 Gone/Expired, as an HTTP status or an ERROR event) iteration throws
 * WatchExpiredError: list again and start a new watch. Errors that retrying cannot fix
 * (400, 401, 403, 404, a malformed line) are thrown as they are.
 */
export class Watch<T extends ObjectLike = ObjectLike> implements WatchStream<T> {
  private rv: string | undefined;
  private progressed = false;
  private iterated = false;
  private readonly abort = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly description: string;
  private readonly unlink: () => void;

  constructor(
    private readonly open: WatchOpener,
    private readonly options: WatchLoopOptions = {},
  ) {
    this.rv = options.resourceVersion === '' ? undefined : options.resourceVersion;
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.description = options.description ?? 'watch';
    const outer = options.signal;
    if (outer?.aborted) this.abort.abort();
    const onAbort = (): void => this.abort.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => outer?.removeEventListener('abort', onAbort);
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  /** Closes the connection; a pending or later iteration step ends the loop normally. */
  stop(): void {
    this.abort.abort();
    this.unlink();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.iterated) throw new ClientUsageError('a Watch can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const signal = this.abort.signal;
    const maxRetries = this.options.maxRetries ?? Number.POSITIVE_INFINITY;
    let failures = 0;
    let last: { reason: 'ended' | 'failed'; error: unknown } | undefined;
    try {
      while (!signal.aborted) {
        if (last !== undefined) {
          failures++;
          if (failures > maxRetries) {
            throw last.reason === 'failed' ? last.error : new TransportError('GET', this.description, `the watch ended ${failures} times in a row without an event`);
          }
          const delayMs = backoffDelay(this.backoff, failures, this.random);
          this.options.onRetry?.({ ...last, attempt: failures, delayMs, resourceVersion: this.rv });
          await sleep(this.clock, delayMs, signal);
          if (signal.aborted) return;
        }
        let res: HttpResponse;
        try {
          res = await this.open(this.rv, !this.progressed, signal);
        } catch (e: unknown) {
          if (signal.aborted) return;
          if (isExpired(e)) throw new WatchExpiredError(this.rv, e as StatusError);
          if (!isRetryableWatchError(e)) throw e;
          last = { reason: 'failed', error: e };
          continue;
        }
        try {
          const outcome = yield* this.consume(res, signal);
          if (signal.aborted) return;
          if (outcome.any) failures = 0;
          last =
            outcome.failure !== undefined
              ? { reason: 'failed', error: outcome.failure }
              : { reason: 'ended', error: new TransportError('GET', this.description, 'the watch stream ended') };
        } finally {
          res.cancel();
        }
      }
    } finally {
      this.stop();
    }
  }

  /**
   * Yields the events of one connection. Returns whether any arrived, and the failure when one
   * worth reconnecting after ended it; throws what reconnecting cannot fix.
   */
  private async *consume(res: HttpResponse, signal: AbortSignal): AsyncGenerator<WatchEvent<T>, { any: boolean; failure?: unknown }, undefined> {
    let any = false;
    try {
      for await (const line of splitLines(res.body)) {
        const ev = decodeWatchLine(line);
        if (ev.type === 'ERROR') {
          const err = errorFromStatus(ev.object, ev.object.code ?? 500);
          if (isExpired(err)) throw new WatchExpiredError(this.rv, err);
          if (isRetryableWatchError(err)) return { any, failure: err };
          throw err;
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (rv !== undefined && rv !== '') {
          this.rv = rv;
          this.progressed = true;
        }
        any = true;
        yield ev as WatchEvent<T>;
        if (signal.aborted) return { any };
      }
      return { any };
    } catch (e: unknown) {
      if (signal.aborted) return { any };
      if (e instanceof StatusError || e instanceof WatchDecodeError) throw e;
      if (e instanceof ClientError) return { any, failure: e };
      return { any, failure: new TransportError('GET', this.description, `the watch stream broke: ${e instanceof Error ? e.message : String(e)}`, { cause: e }) };
    }
  }
}
