// Proxy options, their defaults, and the completed config the proxy runs with.
import type { Registry } from 'prom-client';
import { systemClock, type Clock, type RestClient } from '@keelson/client';
import type { LogLevel, Logger } from './log';
import { defaultTable } from './nft/model';

export class ProxyConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ProxyConfigError';
  }
}

export interface ProxyOptions {
  /** This node's name (`--hostname-override`); Local traffic policies compare endpoints' nodeName with it. */
  nodeName: string;
  /** Kubeconfig file (`--kubeconfig`); ignored when `client` is given. */
  kubeconfig?: string;
  client?: RestClient;
  /** The cluster's pod CIDR (`--cluster-cidr`): ClusterIP traffic from outside it is masqueraded. */
  clusterCIDR?: string;
  /** Default 10.96.0.0/12 (reverse lookups inside it are answered locally). */
  serviceCIDR?: string;
  /** The kube-dns ClusterIP this proxy serves DNS on, on every node. Default 10.96.0.10. */
  dnsIP?: string;
  /** Serve cluster DNS (default true). */
  dns?: boolean;
  /** Default 53. */
  dnsPort?: number;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Upstream resolvers for other names. Default /etc/resolv.conf. */
  resolvConf?: string;
  /** Create `kube-system/kube-dns` (ClusterIP dnsIP, no selector) when it is missing. Default true. */
  ensureDnsService?: boolean;
  /** /healthz port (`--healthz-bind-address`), 0 for a free one. Default 10256. */
  healthzPort?: number;
  /** /metrics port (`--metrics-bind-address`), 0 for a free one. Default 10249. */
  metricsPort?: number;
  /** Default 0.0.0.0 for healthz, as kube-proxy; metrics bind to 127.0.0.1. */
  healthzBindAddress?: string;
  metricsBindAddress?: string;
  /** Shortest time between two syncs (`--nftables-min-sync-period`). Default 1 s. */
  minSyncPeriodMs?: number;
  /** Longest time between two syncs (`--nftables-sync-period`). Default 30 s. */
  syncPeriodMs?: number;
  /** nftables table name (family ip). Default keelson-proxy. */
  table?: string;
  /** Remove everything the proxy owns and exit (`--cleanup`). */
  cleanup?: boolean;
  logLevel?: LogLevel;
  quiet?: boolean;
  logger?: Logger;
  registry?: Registry;
  clock?: Clock;
}

export interface ProxyConfig {
  nodeName: string;
  kubeconfig: string | undefined;
  client: RestClient | undefined;
  clusterCIDR: string | undefined;
  serviceCIDR: string;
  dnsIP: string;
  dns: boolean;
  dnsPort: number;
  clusterDomain: string;
  resolvConf: string;
  ensureDnsService: boolean;
  healthzPort: number;
  metricsPort: number;
  healthzBindAddress: string;
  metricsBindAddress: string;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  table: string;
  cleanup: boolean;
  logLevel: LogLevel;
  quiet: boolean;
  logger: Logger | undefined;
  registry: Registry | undefined;
  clock: Clock;
}

const cidr = /^(\d{1,3})(\.\d{1,3}){3}\/\d{1,2}$/;
const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

export function completeConfig(o: ProxyOptions): ProxyConfig {
  if (!o.nodeName) throw new ProxyConfigError('nodeName', 'is required');
  const c: ProxyConfig = {
    nodeName: o.nodeName,
    kubeconfig: o.kubeconfig,
    client: o.client,
    clusterCIDR: o.clusterCIDR,
    serviceCIDR: o.serviceCIDR ?? '10.96.0.0/12',
    dnsIP: o.dnsIP ?? '10.96.0.10',
    dns: o.dns ?? true,
    dnsPort: o.dnsPort ?? 53,
    clusterDomain: (o.clusterDomain ?? 'cluster.local').replace(/\.$/, ''),
    resolvConf: o.resolvConf ?? '/etc/resolv.conf',
    ensureDnsService: o.ensureDnsService ?? true,
    healthzPort: o.healthzPort ?? 10256,
    metricsPort: o.metricsPort ?? 10249,
    healthzBindAddress: o.healthzBindAddress ?? '0.0.0.0',
    metricsBindAddress: o.metricsBindAddress ?? '127.0.0.1',
    minSyncPeriodMs: o.minSyncPeriodMs ?? 1000,
    syncPeriodMs: o.syncPeriodMs ?? 30_000,
    table: o.table ?? defaultTable,
    cleanup: o.cleanup ?? false,
    logLevel: o.logLevel ?? 'info',
    quiet: o.quiet ?? false,
    logger: o.logger,
    registry: o.registry,
    clock: o.clock ?? systemClock,
  };
  if (c.clusterCIDR !== undefined && !cidr.test(c.clusterCIDR)) throw new ProxyConfigError('clusterCIDR', `not an IPv4 CIDR: ${c.clusterCIDR}`);
  if (!cidr.test(c.serviceCIDR)) throw new ProxyConfigError('serviceCIDR', `not an IPv4 CIDR: ${c.serviceCIDR}`);
  if (!ipv4.test(c.dnsIP)) throw new ProxyConfigError('dnsIP', `not an IPv4 address: ${c.dnsIP}`);
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(c.table)) throw new ProxyConfigError('table', `not a valid nftables table name: ${c.table}`);
  if (c.minSyncPeriodMs < 0 || c.syncPeriodMs <= 0) throw new ProxyConfigError('syncPeriodMs', 'sync periods must be positive');
  return c;
}
