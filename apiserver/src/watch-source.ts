// Serves API watches from the watch cache: one shared cache (one storage watch) per resource.
import { storageKey, storagePrefix, type ResourceInfo, type StoredObject } from '@keelson/api';
import type { SourceWatchOptions, WatchSource, WatchStream } from './http/watch';
import type { Logger } from './log';
import type { ApiServerMetrics } from './metrics';
import type { Storage } from './storage/types';
import { WatchCacheSet, type CacheWatchOptions } from './watchcache';

export interface CacheWatchSourceOptions {
  capacity: number;
  log: Logger;
  metrics: ApiServerMetrics;
}

export class CacheWatchSource implements WatchSource {
  private readonly caches: WatchCacheSet;
  private stopped = false;

  constructor(
    storage: Storage,
    private readonly opts: CacheWatchSourceOptions,
  ) {
    this.caches = new WatchCacheSet({
      storage,
      defaultCapacity: opts.capacity,
      logger: (e) => opts.log.log(e.level, e.message, { prefix: e.prefix, revision: e.revision, error: e.error instanceof Error ? e.error.message : e.error }),
    });
  }

  /**
   * Starts the cache of every resource now, as Kubernetes does, so a watch from a list's
   * resourceVersion finds the cache already holding that revision instead of starting after it.
   */
  async startAll(infos: readonly ResourceInfo[]): Promise<void> {
    await Promise.all(infos.map((info) => this.caches.get(storagePrefix(info)).ready));
  }

  watch(info: ResourceInfo, o: SourceWatchOptions): Promise<WatchStream> {
    const cache = this.caches.get(storagePrefix(info));
    const opts: CacheWatchOptions = { filter: o.filter, allowBookmarks: o.allowBookmarks, signal: o.signal };
    if (o.sendInitialEvents !== undefined) opts.sendInitialEvents = o.sendInitialEvents;
    if (o.namespace !== undefined && info.namespaced) opts.prefix = storagePrefix(info, o.namespace);
    if (o.fromRevision !== undefined) opts.fromRevision = o.fromRevision;
    return cache.watch(opts);
  }

  peek(info: ResourceInfo, namespace: string | undefined, name: string): { object: StoredObject | undefined; revision: number } | undefined {
    if (this.stopped) return undefined;
    return this.caches.get(storagePrefix(info)).peek(storageKey(info, namespace, name));
  }

  onWatcherCount(info: ResourceInfo, delta: number): void {
    this.opts.metrics.watchers.inc({ group: info.group, version: info.version, kind: info.kind }, delta);
  }

  onEventSent(info: ResourceInfo): void {
    this.opts.metrics.watchEvents.inc({ group: info.group, version: info.version, kind: info.kind });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.caches.stop();
  }
}
