// The proxy's Prometheus metrics, with kube-proxy's names where one exists.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ProxyMetrics {
  registry: Registry;
  syncDuration: Histogram;
  lastSync: Gauge;
  syncFailures: Counter;
  objects: Gauge<'kind'>;
  serviceChanges: Counter;
  endpointChanges: Counter;
  dnsResponses: Counter<'rcode' | 'transport'>;
}

export function createMetrics(registry = new Registry()): ProxyMetrics {
  return {
    registry,
    syncDuration: new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
      registers: [registry],
    }),
    lastSync: new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers: [registry] }),
    syncFailures: new Counter({ name: 'kubeproxy_sync_proxy_rules_nftables_sync_failures_total', help: 'Failed nftables syncs', registers: [registry] }),
    objects: new Gauge({ name: 'kubeproxy_sync_proxy_rules_nftables_objects', help: 'Objects in the proxy nftables table after the last sync, by kind (chains, rules, elements, sets)', labelNames: ['kind'], registers: [registry] }),
    serviceChanges: new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative service changes', registers: [registry] }),
    endpointChanges: new Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative endpoints changes', registers: [registry] }),
    dnsResponses: new Counter({ name: 'keelson_proxy_dns_responses_total', help: 'DNS responses by rcode (forwarded for upstream answers) and transport', labelNames: ['rcode', 'transport'], registers: [registry] }),
  };
}
