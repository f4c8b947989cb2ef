// WatchCacheSet: one shared, lazily started WatchCache per resource prefix.
import { WatchCache } from './cache';
import { CacheStoppedError } from './errors';
import type { WatchCacheOptions } from './types';

export interface WatchCacheSetOptions extends Omit<WatchCacheOptions, 'prefix' | 'capacity'> {
  /** Ring capacity for prefixes not in `capacities`. Default 1000. */
  defaultCapacity?: number;
  /** Per-prefix ring capacities, as Kubernetes' `--watch-cache-sizes`. */
  capacities?: Readonly<Record<string, number>>;
}

/** The API server's caches: the first request for a resource starts its cache, later ones share it. */
export class WatchCacheSet {
  private readonly options: WatchCacheSetOptions;
  private readonly caches = new Map<string, WatchCache>();
  private stopped = false;

  constructor(options: WatchCacheSetOptions) {
    this.options = options;
  }

  /** The started cache for `prefix` (e.g. `/registry/pods/`), created on first use. */
  get(prefix: string): WatchCache {
    if (this.stopped) throw new CacheStoppedError(prefix);
    let cache = this.caches.get(prefix);
    if (cache === undefined) {
      const { defaultCapacity, capacities, ...shared } = this.options;
      const options: WatchCacheOptions = { ...shared, prefix };
      const capacity = capacities?.[prefix] ?? defaultCapacity;
      if (capacity !== undefined) options.capacity = capacity;
      cache = new WatchCache(options);
      this.caches.set(prefix, cache);
      cache.start();
    }
    return cache;
  }

  /** Prefixes that have a cache. */
  prefixes(): string[] {
    return [...this.caches.keys()];
  }

  /** Stops every cache; later `get` calls throw CacheStoppedError. */
  async stop(): Promise<void> {
    this.stopped = true;
    const caches = [...this.caches.values()];
    this.caches.clear();
    await Promise.all(caches.map((cache) => cache.stop()));
  }
}
