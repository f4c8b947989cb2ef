// kubelet options → defaults applied once → a complete Config.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Clock, RestClient } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A bad option: the command line reports it and exits 2. */
export class KubeletConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeletConfigError';
  }
}

export interface KubeletOptions {
  kubeconfig?: string;
  /** A ready client instead of a kubeconfig (tests, the all-in-one server). */
  client?: RestClient;
  /** Default: the machine's hostname, lower-cased. */
  nodeName?: string;
  /** Pods' volumes, logs and the shim's state live under it. Default /var/lib/keelson/kubelet. */
  rootDir?: string;
  /** The node's address (InternalIP). Default: the first non-internal IPv4 address. */
  nodeIP?: string;
  /** The shim's socket; the kubelet starts a shim there when none answers. Default <rootDir>/shim/shim.sock. */
  runtimeEndpoint?: string;
  /** Image archives (OCI layout or docker save tars) imported at start, like k3s's agent/images. Default /var/lib/keelson/agent/images. */
  imagesImportDir?: string;
  /** Extra flags for a shim the kubelet starts itself (e.g. `--cgroup-root`, `--bridge`, `--cluster-cidr`). */
  shimArgs?: string[];
  /** Used until the control plane assigns one (single-node clusters without a node IPAM controller). */
  podCIDR?: string;
  /** Cluster DNS server addresses written into pods' resolv.conf (ClusterFirst). */
  clusterDNS?: string[];
  /** Default `cluster.local`. */
  clusterDomain?: string;
  /** Default 110. */
  maxPods?: number;
  /** Extra labels for the Node (`--node-labels`). */
  nodeLabels?: Record<string, string>;
  /** Taints at registration (`--register-with-taints`). */
  registerWithTaints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** How often the Node's Lease is renewed. Default 10 s. */
  leaseRenewMs?: number;
  /** How often Node status is written when nothing changed. Default 60 s (as the kubelet's nodeStatusReportFrequency is 5 min, we are chattier). */
  nodeStatusReportMs?: number;
  /** How often container states are relisted from the shim (the PLEG). Default 1 s. */
  relistMs?: number;
  /** How often every pod is synced without an event (volumes from ConfigMaps/Secrets refresh then). Default 10 s. */
  resyncMs?: number;
  /** First restart back-off of a crashing container. Default 10 s, doubling to maxBackoffMs. */
  backoffBaseMs?: number;
  /** Default 5 min. */
  maxBackoffMs?: number;
  /** The kubelet's API (logs, exec, port-forward, stats). Default 10250; 0 picks a free port. */
  port?: number;
  bindAddress?: string;
  /** Workers syncing pods. Default 8. */
  workers?: number;
  logLevel?: LogLevel;
  logger?: WinstonLogger;
  clock?: Clock;
}

export interface KubeletConfig {
  kubeconfig: string | undefined;
  client: RestClient | undefined;
  nodeName: string;
  rootDir: string;
  nodeIP: string;
  runtimeEndpoint: string;
  shimArgs: string[];
  imagesImportDir: string;
  podCIDR: string;
  clusterDNS: string[];
  clusterDomain: string;
  maxPods: number;
  nodeLabels: Record<string, string>;
  registerWithTaints: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  leaseRenewMs: number;
  nodeStatusReportMs: number;
  relistMs: number;
  resyncMs: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
  port: number;
  bindAddress: string;
  workers: number;
  logLevel: LogLevel;
  logger: WinstonLogger | undefined;
  clock: Clock | undefined;
}

/** The node's first non-internal IPv4 address, else loopback. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function completeConfig(o: KubeletOptions): KubeletConfig {
  const nodeName = (o.nodeName ?? os.hostname()).toLowerCase();
  if (!dns1123.test(nodeName) || nodeName.length > 253) throw new KubeletConfigError(`--node-name "${nodeName}": must be a lowercase RFC 1123 subdomain`);
  const rootDir = path.resolve(o.rootDir ?? '/var/lib/keelson/kubelet');
  const positive = (name: string, v: number | undefined, d: number): number => {
    const value = v ?? d;
    if (!Number.isFinite(value) || value <= 0) throw new KubeletConfigError(`${name} must be a positive number (got ${String(v)})`);
    return value;
  };
  return {
    kubeconfig: o.kubeconfig,
    client: o.client,
    nodeName,
    rootDir,
    nodeIP: o.nodeIP ?? defaultNodeIP(),
    runtimeEndpoint: o.runtimeEndpoint ?? path.join(rootDir, 'shim', 'shim.sock'),
    shimArgs: o.shimArgs ?? [],
    imagesImportDir: o.imagesImportDir ?? '/var/lib/keelson/agent/images',
    podCIDR: o.podCIDR ?? '',
    clusterDNS: o.clusterDNS ?? [],
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    maxPods: positive('--max-pods', o.maxPods, 110),
    nodeLabels: o.nodeLabels ?? {},
    registerWithTaints: o.registerWithTaints ?? [],
    leaseRenewMs: positive('leaseRenewMs', o.leaseRenewMs, 10_000),
    nodeStatusReportMs: positive('nodeStatusReportMs', o.nodeStatusReportMs, 60_000),
    relistMs: positive('relistMs', o.relistMs, 1000),
    resyncMs: positive('resyncMs', o.resyncMs, 10_000),
    backoffBaseMs: positive('backoffBaseMs', o.backoffBaseMs, 10_000),
    maxBackoffMs: positive('maxBackoffMs', o.maxBackoffMs, 300_000),
    port: o.port ?? 10250,
    bindAddress: o.bindAddress ?? '0.0.0.0',
    workers: positive('workers', o.workers, 8),
    logLevel: o.logLevel ?? 'info',
    logger: o.logger,
    clock: o.clock,
  };
}
