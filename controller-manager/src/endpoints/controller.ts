// Endpoints controller wiring: Service, pod and Endpoints handlers enqueue the keys of the Services concerned.
import { selectorFromSet, type Endpoints, type Pod, type Service } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, systemClock, type Clock, type DeletedFinalStateUnknown, type EventHandler, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { syncEndpoints, type EndpointsSyncDeps } from './sync';

export interface ServicePodInformers {
  services: SharedIndexInformer<Service>;
  pods: SharedIndexInformer<Pod>;
}

/** The Services of `pod`'s namespace whose selector matches its labels. */
export function servicesSelecting(services: SharedIndexInformer<Service>, pod: Pod): Service[] {
  return services.lister
    .namespace(pod.metadata?.namespace ?? '')
    .list()
    .filter((s) => s.spec?.selector !== undefined && selectorFromSet(s.spec.selector).matches(pod.metadata?.labels));
}

/** What about a pod matters to endpoints: labels, IP, readiness, node, deletion, phase, hostname. */
function endpointRelevant(pod: Pod): string {
  return JSON.stringify([
    pod.metadata?.labels ?? {},
    pod.status?.podIP,
    pod.status?.phase,
    pod.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    pod.spec?.nodeName,
    pod.metadata?.deletionTimestamp,
    pod.spec?.hostname,
    pod.spec?.subdomain,
  ]);
}

/**
 * Pod handlers shared by the Endpoints and EndpointSlice controllers: a pod change enqueues
 * every Service selecting it before or after (getPodServiceMemberships).
 */
export function watchPodsForServices(i: ServicePodInformers, enqueue: (svc: Service) => void): void {
  i.pods.addEventHandler(podEventHandler(i.services, enqueue));
}

/** The pod handler of watchPodsForServices. */
export function podEventHandler(services: SharedIndexInformer<Service>, enqueue: (svc: Service) => void): EventHandler<Pod> {
  const forPod = (pod: Pod): void => {
    for (const s of servicesSelecting(services, pod)) enqueue(s);
  };
  return {
    onAdd: forPod,
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      if (endpointRelevant(old) === endpointRelevant(cur)) return;
      forPod(cur);
      if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})) forPod(old);
    },
    onDelete: (obj: Pod | DeletedFinalStateUnknown<Pod>) => forPod(deletedObject(obj)),
  };
}

export interface EndpointsControllerOptions extends ServicePodInformers {
  client: RestClient;
  endpoints: SharedIndexInformer<Endpoints>;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (kube-controller-manager --concurrent-endpoint-syncs). Default 5. */
  workers?: number;
}

/** Keeps each selector Service's Endpoints object equal to its selected pods' addresses and ports. */
export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly queue: WorkQueue<string>;
  private readonly deps: EndpointsSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: EndpointsControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.workers = o.workers ?? 5;
    this.deps = { client: o.client, services: o.services.lister, pods: o.pods.lister, endpoints: o.endpoints.lister, clock, logger: o.logger };
    o.services.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (obj) => this.enqueue(deletedObject(obj)),
    });
    watchPodsForServices(o, (s) => this.enqueue(s));
    // Someone deleted or changed our Endpoints: put them right.
    o.endpoints.addEventHandler({
      onUpdate: (_old, cur) => this.queue.add(keyOf(cur)),
      onDelete: (obj) => this.queue.add(keyOf(deletedObject(obj))),
    });
  }

  /** Reconciles one Service key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncEndpoints(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.services, this.o.pods, this.o.endpoints], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  enqueue(svc: Service): void {
    this.queue.add(keyOf(svc));
  }
}
