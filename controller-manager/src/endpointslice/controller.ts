// EndpointSlice controller wiring: Service, pod and slice handlers enqueue the keys of the Services concerned.
import type { EndpointSlice, Pod, Service } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, makeKey, systemClock, type Clock, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { watchPodsForServices } from '../endpoints/controller';
import { managedBy, managedByLabel, maxEndpointsPerSlice, serviceNameLabel, syncEndpointSlices, type EndpointSliceSyncDeps } from './sync';

export interface EndpointSliceControllerOptions {
  client: RestClient;
  services: SharedIndexInformer<Service>;
  pods: SharedIndexInformer<Pod>;
  slices: SharedIndexInformer<EndpointSlice>;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (--concurrent-service-endpoint-syncs). Default 5. */
  workers?: number;
  /** Default 100. */
  maxEndpointsPerSlice?: number;
}

/** Keeps each selector Service's EndpointSlices equal to its selected pods, terminating ones included. */
export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly queue: WorkQueue<string>;
  private readonly deps: EndpointSliceSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: EndpointSliceControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: 'endpoint_slice', clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.workers = o.workers ?? 5;
    this.deps = { client: o.client, services: o.services.lister, pods: o.pods.lister, slices: o.slices.lister, logger: o.logger, maxEndpointsPerSlice: o.maxEndpointsPerSlice ?? maxEndpointsPerSlice };
    o.services.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_old, cur) => this.enqueue(cur),
    });
    watchPodsForServices(o, (s) => this.enqueue(s));
    const forSlice = (s: EndpointSlice): void => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      if (svc !== undefined && s.metadata?.labels?.[managedByLabel] === managedBy) this.queue.add(makeKey(s.metadata?.namespace, svc));
    };
    o.slices.addEventHandler({
      onUpdate: (_old, cur) => forSlice(cur),
      onDelete: (obj) => forSlice(deletedObject(obj)),
    });
  }

  /** Reconciles one Service key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncEndpointSlices(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.services, this.o.pods, this.o.slices], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  enqueue(svc: Service): void {
    this.queue.add(keyOf(svc));
  }
}
