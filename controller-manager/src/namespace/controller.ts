// Namespace controller wiring: namespaces being deleted are enqueued by name; the run loop empties and finalizes them.
import type { Namespace, ResourceInfo } from '@keelson/api';
import { WorkQueue, keyOf, systemClock, type Clock, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { namespacedResources } from './deleter';
import { syncNamespace, type NamespaceSyncDeps } from './sync';

export interface NamespaceControllerOptions {
  client: RestClient;
  namespaces: SharedIndexInformer<Namespace>;
  logger: Logger;
  /** Default: every namespaced resource of the registry that can be listed and deleted. */
  resources?: readonly ResourceInfo[];
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-namespace-syncs). Default 10. */
  workers?: number;
  /** Longest wait before looking again at content still terminating. Default 5 s. */
  recheckMs?: number;
}

/** Deletes everything in a namespace being deleted, then lets the API server remove the namespace. */
export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly queue: WorkQueue<string>;
  private readonly deps: NamespaceSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: NamespaceControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.workers = o.workers ?? 10;
    this.deps = {
      client: o.client,
      namespaces: o.namespaces.lister,
      resources: o.resources ?? namespacedResources(),
      clock,
      logger: o.logger,
      recheckMs: o.recheckMs ?? 5000,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.namespaces.addEventHandler({
      onAdd: (ns) => this.enqueue(ns),
      onUpdate: (_old, cur) => this.enqueue(cur),
    });
  }

  /** Reconciles one namespace (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncNamespace(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.namespaces], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  enqueue(ns: Namespace): void {
    if (ns.metadata?.deletionTimestamp !== undefined) this.queue.add(keyOf(ns));
  }
}
