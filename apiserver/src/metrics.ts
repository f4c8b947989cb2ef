// Prometheus metrics of the API server, with the Kubernetes metric names.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiServerMetrics {
  registry: Registry;
  requests: Counter<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'code'>;
  requestDuration: Histogram<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope'>;
  watchers: Gauge<'group' | 'version' | 'kind'>;
  watchEvents: Counter<'group' | 'version' | 'kind'>;
  storageDuration: Histogram<'operation' | 'type'>;
}

export function createMetrics(): ApiServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, subresource and HTTP response code.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'code'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope'],
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers: [registry],
    }),
    watchers: new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resource.',
      labelNames: ['group', 'version', 'kind'],
      registers: [registry],
    }),
    watchEvents: new Counter({
      name: 'apiserver_watch_events_total',
      help: 'Number of events sent in watch clients.',
      labelNames: ['group', 'version', 'kind'],
      registers: [registry],
    }),
    storageDuration: new Histogram({
      name: 'etcd_request_duration_seconds',
      help: 'Storage request latency in seconds for each operation and object type.',
      labelNames: ['operation', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
