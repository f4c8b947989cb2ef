// SharedInformerFactory: one informer per resource, shared by every controller of a process.
import { setMaxListeners } from 'node:events';
import type { ResourceInfo } from '@keelson/api';
import type { Clock } from './clock';
import { defaultIndexers } from './cache';
import { resourceInfoFor, type RestClient } from './rest';
import type { FieldSelectorInput, LabelSelectorInput } from './selectors';
import type { KindOf, ObjectLike } from './types';
import { SharedIndexInformer, type InformerLogger, type InformerOptions } from './informer';
import type { BackoffOptions } from './watch';

export interface SharedInformerFactoryOptions {
  /** Default resync period of every informer's handlers. 0 (default) = no resync. */
  resyncPeriodMs?: number;
  /** Watch only this namespace (namespaced kinds); default all. */
  namespace?: string;
  /** Narrow every informer's list and watch (client-go's tweakListOptions). */
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  pageSize?: number;
  backoff?: Partial<BackoffOptions>;
  watchTimeoutSeconds?: number;
  freezeObjects?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: InformerLogger;
}

/**
 * Hands out one SharedIndexInformer per resource, indexed by namespace, owner UID and node
 * name. Ask for every informer first, add handlers, then `start(signal)` and
 * `waitForCacheSync()`. Informers asked for after `start` need another `start`.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<ResourceInfo, SharedIndexInformer<ObjectLike>>();
  private readonly runs = new Map<ResourceInfo, Promise<void>>();
  private readonly abort = ((): AbortController => {
    const a = new AbortController();
    // Every informer listens on this one signal; a controller-manager runs dozens of them.
    setMaxListeners(0, a.signal);
    return a;
  })();

  constructor(
    private readonly client: RestClient,
    private readonly options: SharedInformerFactoryOptions = {},
  ) {}

  /** The shared informer of a resource. */
  forResource<T extends ObjectLike = ObjectLike>(info: ResourceInfo): SharedIndexInformer<T> {
    let informer = this.informers.get(info);
    if (informer === undefined) {
      informer = this.create(info);
      this.informers.set(info, informer);
    }
    return informer as unknown as SharedIndexInformer<T>;
  }

  /** The shared informer of `apiVersion` + `kind`, typed by the known kind. */
  forKind<A extends string, K extends string>(apiVersion: A, kind: K): SharedIndexInformer<KindOf<A, K>> {
    return this.forResource<KindOf<A, K>>(resourceInfoFor(apiVersion, kind));
  }

  /** Starts every informer not yet running; they stop when `signal` aborts or on shutdown(). */
  start(signal?: AbortSignal): void {
    if (signal !== undefined) {
      if (signal.aborted) this.abort.abort();
      else signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    }
    for (const [info, informer] of this.informers) {
      if (this.runs.has(info)) continue;
      const run = informer.run(this.abort.signal).catch((e: unknown) => {
        (this.options.logger ?? console).error('informer stopped with an error', { informer: informer.name, error: e instanceof Error ? e.message : String(e) });
      });
      this.runs.set(info, run);
    }
  }

  /** Resolves true once every started informer has synced; false if stopped (or `signal` aborts) first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.entries()].filter(([info]) => this.runs.has(info)).map(([, informer]) => informer.waitForSync(signal)));
    return results.every((ok) => ok);
  }

  /** Stops every informer and waits for them to finish. */
  async shutdown(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.runs.values());
  }

  private create(info: ResourceInfo): SharedIndexInformer<ObjectLike> {
    const o = this.options;
    const resource = this.client.resource<ObjectLike>(info);
    const lw = o.namespace !== undefined && info.namespaced ? resource.namespace(o.namespace) : resource;
    const informerOptions: InformerOptions<ObjectLike> = { name: info.group ? `${info.resource}.${info.group}` : info.resource, indexers: defaultIndexers, clock: o.clock ?? this.client.clock };
    if (o.resyncPeriodMs !== undefined) informerOptions.resyncPeriodMs = o.resyncPeriodMs;
    if (o.labelSelector !== undefined) informerOptions.labelSelector = o.labelSelector;
    if (o.fieldSelector !== undefined) informerOptions.fieldSelector = o.fieldSelector;
    if (o.pageSize !== undefined) informerOptions.pageSize = o.pageSize;
    if (o.backoff !== undefined) informerOptions.backoff = o.backoff;
    if (o.watchTimeoutSeconds !== undefined) informerOptions.watchTimeoutSeconds = o.watchTimeoutSeconds;
    if (o.freezeObjects !== undefined) informerOptions.freezeObjects = o.freezeObjects;
    if (o.random !== undefined) informerOptions.random = o.random;
    if (o.logger !== undefined) informerOptions.logger = o.logger;
    return new SharedIndexInformer<ObjectLike>(lw, informerOptions);
  }
}
