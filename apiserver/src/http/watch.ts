// Streams a watch as Kubernetes does: one JSON event per line, flushed per event, ERROR events for failures.
import type { Request, Response } from 'express';
import {
  BadRequestError,
  ExpiredError,
  apiVersionOf,
  toStatusError,
  type FieldSelector,
  type KubeObject,
  type ResourceInfo,
  type Selector,
  type StoredObject,
} from '@keelson/api';
import { selectableFields } from '../rest/strategy';
import { WatcherTerminatedError } from '../watchcache';

export interface WatchItem {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
  revision: number;
}

export interface WatchStream extends AsyncIterable<WatchItem> {
  stop(): void;
}

export interface SourceWatchOptions {
  namespace?: string | undefined;
  /** Deliver changes after this revision; undefined = current state first, then changes. */
  fromRevision?: number | undefined;
  filter: (obj: StoredObject) => boolean;
  /** undefined: the Kubernetes default for the resourceVersion given (state first when none). */
  sendInitialEvents: boolean | undefined;
  allowBookmarks: boolean;
  signal: AbortSignal;
}

/** Where watches come from: the watch cache (one storage watch per resource, shared). */
export interface WatchSource {
  watch(info: ResourceInfo, opts: SourceWatchOptions): Promise<WatchStream>;
  /** Called per watcher opened/closed, for the apiserver_registered_watchers gauge. */
  onWatcherCount?(info: ResourceInfo, delta: number): void;
  /** Called per event written to a watcher, for apiserver_watch_events_total. */
  onEventSent?(info: ResourceInfo): void;
  /**
   * One object as the source holds it now, with the revision that is consistent at (undefined
   * object: absent); undefined when the source cannot answer from memory.
   */
  peek?(info: ResourceInfo, namespace: string | undefined, name: string): { object: StoredObject | undefined; revision: number } | undefined;
}

export interface WatchRequest {
  info: ResourceInfo;
  namespace: string | undefined;
  labelSelector: Selector | undefined;
  fieldSelector: FieldSelector | undefined;
  resourceVersion: string | undefined;
  resourceVersionMatch: 'Exact' | 'NotOlderThan' | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
}

const defaultTimeoutSeconds = 1800;

/**
 * Objects from the watch cache are shared by every watcher of a resource: each is encoded once
 * (as Kubernetes' cachingObject does) and the bytes reused, so fan-out to many watchers does not
 * re-serialise the same object for each.
 */
const encodedObjects = new WeakMap<object, string>();

function encodeObject(ev: WatchItem, kind: string, apiVersion: string): string {
  if (ev.type === 'BOOKMARK') return JSON.stringify({ ...ev.object, kind, apiVersion });
  let text = encodedObjects.get(ev.object);
  if (text === undefined) {
    text = JSON.stringify({ apiVersion, kind, ...ev.object });
    encodedObjects.set(ev.object, text);
  }
  return text;
}

/** Writes the watch stream until the client goes away, the timeout passes or the source ends. */
export async function serveWatch(req: Request, res: Response, source: WatchSource, w: WatchRequest): Promise<void> {
  if (w.sendInitialEvents !== undefined && w.resourceVersionMatch !== 'NotOlderThan') {
    throw new BadRequestError('sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  if (w.sendInitialEvents && !w.allowBookmarks) {
    throw new BadRequestError('sendInitialEvents requires setting allowWatchBookmarks to true');
  }
  if (w.resourceVersionMatch === 'Exact') throw new BadRequestError('resourceVersionMatch "Exact" is forbidden for watch');
  let fromRevision: number | undefined;
  const rv = w.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== '0') {
    if (!/^\d+$/.test(rv)) throw new BadRequestError(`invalid resource version "${rv}": must be a non-negative integer`);
    fromRevision = Number(rv);
  }
  const { info } = w;
  const filter = (o: StoredObject): boolean =>
    (!w.labelSelector || w.labelSelector.matches(o.metadata.labels)) &&
    (!w.fieldSelector || w.fieldSelector.matches(selectableFields(info, o)));
  const abort = new AbortController();
  const timeout = setTimeout(() => abort.abort(new Error('the watch timed out')), (w.timeoutSeconds ?? defaultTimeoutSeconds) * 1000);
  const onClose = (): void => abort.abort(new Error('the watch client went away'));
  req.on('close', onClose);
  res.on('close', onClose);

  const apiVersion = apiVersionOf(info);
  let stream: WatchStream | undefined;
  source.onWatcherCount?.(info, 1);
  const startStream = (): void => {
    res.status(200);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.flushHeaders();
  };
  try {
    try {
      stream = await source.watch(info, {
        namespace: w.namespace,
        fromRevision,
        filter,
        sendInitialEvents: w.sendInitialEvents,
        allowBookmarks: w.allowBookmarks,
        signal: abort.signal,
      });
    } catch (e: unknown) {
      // A client that left while the watch was starting (e.g. waiting for the cache) needs no answer.
      if (abort.signal.aborted) return;
      // As Kubernetes' watch cache does, a revision too old to replay is a 200 with one ERROR event (410).
      if (!(e instanceof ExpiredError)) throw e;
      startStream();
      res.end(`${JSON.stringify({ type: 'ERROR', object: e.toStatus() })}\n`);
      return;
    }
    startStream();
    const s = stream;
    abort.signal.addEventListener('abort', () => s.stop(), { once: true });
    try {
      for await (const ev of s) {
        if (abort.signal.aborted) break;
        source.onEventSent?.(info);
        if (!res.write(`{"type":${JSON.stringify(ev.type)},"object":${encodeObject(ev, info.kind, apiVersion)}}\n`)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            abort.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
      }
    } catch (e: unknown) {
      // A watcher the cache closed (too slow, cache reinitialised, shutting down) just ends, as in
      // Kubernetes: the client resumes from its last resourceVersion. Other failures travel as an
      // ERROR event carrying a Status.
      if (!(e instanceof WatcherTerminatedError) && !res.writableEnded && !abort.signal.aborted) {
        res.write(`${JSON.stringify({ type: 'ERROR', object: toStatusError(e).toStatus() })}\n`);
      }
    }
    if (!res.writableEnded) res.end();
  } finally {
    clearTimeout(timeout);
    req.off('close', onClose);
    res.off('close', onClose);
    stream?.stop();
    source.onWatcherCount?.(info, -1);
  }
}
