// run(options, signal): the per-node proxy as a component — informers, the nftables syncer, node-local DNS, /healthz and /metrics.
import type { EndpointSlice, Service } from '@keelson/api';
import { RestClient, SharedIndexInformer, clientVersion, defaultIndexers } from '@keelson/client';
import { completeConfig, type ProxyOptions } from './config';
import { DnsServer } from './dns/server';
import { readUpstreams } from './dns/upstream';
import { serviceNameLabel } from './endpoints';
import { Host } from './host';
import { startHttpServer, type HttpServer } from './http';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { Nftables } from './nft/nftables';
import { Proxier } from './proxier';

export interface RunningProxy {
  /** Resolves once caches are synced, the first ruleset is in the kernel and DNS answers. */
  ready: Promise<void>;
  /** Resolves when the proxy has stopped (after the signal aborts), or after `cleanup`. */
  done: Promise<void>;
  /** `http://host:port` of /healthz, once ready. */
  healthzUrl(): string;
  /** `http://host:port` of /metrics, once ready. */
  metricsUrl(): string;
  /** The syncer, once ready (tests and benchmarks). */
  proxier(): Proxier | undefined;
}

const sliceByService = 'byService';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The kube-dns Service every node's proxy serves: a fixed ClusterIP, DNS ports, no selector. */
export function kubeDnsService(dnsIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'KubeDNS', 'kubernetes.io/cluster-service': 'true' } },
    spec: {
      clusterIP: dnsIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

/**
 * Removes everything a proxy on this node owns: its nftables table and the DNS address
 * (`keelson proxy --cleanup`). Returns what was there.
 */
export async function cleanup(o: { table?: string; dnsIP?: string } = {}): Promise<{ table: boolean; address: boolean }> {
  const c = completeConfig({ nodeName: 'cleanup', ...o });
  const table = await new Nftables(c.table).cleanup();
  const address = await new Host().removeAddress(c.dnsIP);
  return { table, address };
}

/** Starts the proxy; it runs until `signal` aborts. With `cleanup`, it removes its state and returns. */
export function run(options: ProxyOptions, signal: AbortSignal): RunningProxy {
  let healthzUrl = '';
  let metricsUrl = '';
  let proxier: Proxier | undefined;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  ready.catch(() => undefined);

  const done = (async (): Promise<void> => {
    let log: Logger | undefined;
    let client: RestClient | undefined;
    let ownClient = false;
    const servers: HttpServer[] = [];
    let dns: DnsServer | undefined;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    if (signal.aborted) stop.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const informerRuns: Promise<void>[] = [];
    let syncer: Proxier | undefined;
    try {
      const config = completeConfig(options);
      log = config.logger ?? createLogger(config.logLevel, config.quiet);
      const logger = log;
      if (config.cleanup) {
        const removed = await cleanup({ table: config.table, dnsIP: config.dnsIP });
        logger.info('cleaned up', removed);
        settle?.resolve();
        return;
      }
      client = config.client;
      if (client === undefined) {
        client = RestClient.fromKubeconfig({ ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}), userAgent: `keelson-proxy/${clientVersion}`, clock: config.clock });
        ownClient = true;
      }
      const metrics = createMetrics(config.registry);
      const informerOptions = { clock: config.clock, logger };
      const services = new SharedIndexInformer<Service>(client.resource('v1', 'Service'), { ...informerOptions, name: 'services' });
      const slices = new SharedIndexInformer<EndpointSlice>(client.resource('discovery.k8s.io/v1', 'EndpointSlice'), {
        ...informerOptions,
        name: 'endpointslices',
        indexers: { ...defaultIndexers, [sliceByService]: (s: EndpointSlice) => { const svc = s.metadata?.labels?.[serviceNameLabel]; return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : []; } },
      });
      const host = new Host();
      try {
        await host.enableBridgeNetfilter();
      } catch (e: unknown) {
        logger.warn('could not enable bridge netfilter; pod-to-Service traffic on one bridge may bypass the rules', { error: errorText(e) });
      }
      const p = (syncer = new Proxier({
        services: services.lister,
        slices: slices.lister,
        nft: new Nftables(config.table),
        host,
        metrics,
        logger,
        clock: config.clock,
        nodeName: config.nodeName,
        clusterCIDR: config.clusterCIDR,
        excludeIPs: new Set(config.dns ? [config.dnsIP] : []),
        minSyncPeriodMs: config.minSyncPeriodMs,
        syncPeriodMs: config.syncPeriodMs,
      }));
      // Handlers only note the change and ask for a sync; the sync re-reads the caches.
      const changed = (counter: { inc(): void }) => (): void => {
        counter.inc();
        p.requestSync();
      };
      const onService = changed(metrics.serviceChanges);
      const onSlice = changed(metrics.endpointChanges);
      services.addEventHandler({ onAdd: onService, onUpdate: (a, b) => a !== b && onService(), onDelete: onService });
      slices.addEventHandler({ onAdd: onSlice, onUpdate: (a, b) => a !== b && onSlice(), onDelete: onSlice });

      const health = { healthy: () => p.health().healthy && !stop.signal.aborted, body: () => p.health().body };
      const hz = await startHttpServer(config.healthzPort, config.healthzBindAddress, { health, registry: metrics.registry });
      servers.push(hz);
      healthzUrl = hz.url;
      const mx = await startHttpServer(config.metricsPort, config.metricsBindAddress, { health, registry: metrics.registry });
      servers.push(mx);
      metricsUrl = mx.url;

      for (const inf of [services, slices] as SharedIndexInformer<Service | EndpointSlice>[]) {
        informerRuns.push(
          inf.run(stop.signal).catch((e: unknown) => {
            logger.error('informer stopped', { informer: inf.name, error: errorText(e) });
          }),
        );
      }
      const synced = await Promise.all([services.waitForSync(stop.signal), slices.waitForSync(stop.signal)]);
      if (!synced.every(Boolean)) throw new Error('the proxy was stopped before its caches synced');
      const first = p.nextSync();
      p.start();
      await first;
      if (!p.health().healthy) throw new Error('the first proxy rules sync failed (see the log)');

      if (config.dns) {
        await host.addAddress(config.dnsIP);
        const exclude = new Set([config.dnsIP]);
        dns = new DnsServer({
          address: config.dnsIP,
          port: config.dnsPort,
          clusterDomain: config.clusterDomain,
          ttl: 5,
          serviceCIDR: config.serviceCIDR,
          data: {
            service: (ns, name) => services.lister.get(ns, name),
            services: () => services.lister.list(),
            slices: (ns, name) => slices.lister.byIndex(sliceByService, `${ns}/${name}`),
            allSlices: () => slices.lister.list(),
          },
          upstreams: () => readUpstreams(config.resolvConf, exclude),
          upstreamTimeoutMs: 2000,
          logger,
          onAnswer: (rcode, transport) => metrics.dnsResponses.inc({ rcode, transport }),
        });
        await dns.start();
        if (config.ensureDnsService && !services.lister.get('kube-system', 'kube-dns')) {
          try {
            await client.resource('v1', 'Service').namespace('kube-system').create(kubeDnsService(config.dnsIP));
          } catch (e: unknown) {
            if ((e as { reason?: string }).reason !== 'AlreadyExists') logger.error('could not create the kube-dns Service', { error: errorText(e) });
          }
        }
      }
      proxier = p;
      logger.info('proxy ready', { node: config.nodeName, healthz: healthzUrl, metrics: metricsUrl, dns: config.dns ? `${config.dnsIP}:${config.dnsPort}` : 'off' });
      settle?.resolve();
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      // The rules stay in the kernel (traffic keeps flowing across a restart); `cleanup` removes them.
    } catch (e: unknown) {
      settle?.reject(e);
      if (!stop.signal.aborted) throw e;
    } finally {
      stop.abort();
      await syncer?.stop();
      signal.removeEventListener('abort', onAbort);
      await dns?.close().catch(() => undefined);
      await Promise.all(informerRuns);
      for (const s of servers) await s.close();
      if (ownClient) client?.close();
    }
  })();

  return { ready, done, healthzUrl: () => healthzUrl, metricsUrl: () => metricsUrl, proxier: () => proxier };
}
