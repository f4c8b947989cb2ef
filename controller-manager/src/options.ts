// Controller-manager options → defaults applied once → a complete Config; which controllers `--controllers` turns on.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock, RestClient } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';
import { CidrError, CidrSet } from './nodeipam/cidr';

/** The controllers this build runs, by their `--controllers` names. */
/** Kubernetes' names, so `--controllers` reads the same as kube-controller-manager's. */
export const allControllers = ['replicaset', 'deployment', 'garbagecollector', 'namespace', 'endpoint', 'endpointslice', 'job', 'ttl-after-finished', 'statefulset', 'cronjob', 'daemonset', 'persistentvolume-binder', 'local-path-provisioner', 'node-lifecycle', 'nodeipam'] as const;
export type ControllerName = (typeof allControllers)[number];

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A bad option: the command line reports it and exits 2. */
export class ControllerManagerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControllerManagerConfigError';
  }
}

export interface LeaderElectionOptions {
  /** Default `kube-system`. */
  namespace?: string;
  /** Default `kube-controller-manager`. */
  name?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerManagerOptions {
  /** The kubeconfig to reach the API server with (ignored when `client` is given). */
  kubeconfig?: string;
  /** A ready client instead of a kubeconfig (tests, the all-in-one server). */
  client?: RestClient;
  /** `*` for all, a name to add one, `-name` to drop one (kube-controller-manager --controllers). Default `['*']`. */
  controllers?: readonly string[];
  /** Run controllers only while holding the Lease. Default false. */
  leaderElect?: boolean;
  leaderElection?: LeaderElectionOptions;
  /** Port of /healthz and /metrics; 0 picks a free one. Default 10257. */
  port?: number;
  bindAddress?: string;
  logLevel?: LogLevel;
  /** A logger to use instead of a new one (its level is kept). */
  logger?: WinstonLogger;
  /** How often informers replay their caches to the controllers (level-triggered healing). Default 10 minutes. */
  resyncPeriodMs?: number;
  /** Workers per controller (the --concurrent-*-syncs flags). */
  workers?: Partial<Record<ControllerName, number>>;
  /** Longest wait before the namespace controller looks again at terminating content. Default 5 s. */
  namespaceRecheckMs?: number;
  /** First pause of the Job controller after a failed pod (doubling per failure, ≤ 10 min). Default 10 s. */
  jobBackoffBaseMs?: number;
  /** node-lifecycle: a node whose Lease and Ready heartbeat stood still this long is Unknown (--node-monitor-grace-period). Default 40 s. */
  nodeMonitorGracePeriodMs?: number;
  /** node-lifecycle: how often every node's health is checked (--node-monitor-period). Default 5 s. */
  nodeMonitorPeriodMs?: number;
  /** node-lifecycle: the not-ready toleration pods without one get (the API server's --default-not-ready-toleration-seconds); null for none. Default 300. */
  defaultNotReadyTolerationSeconds?: number | null;
  /** node-lifecycle: the same for unreachable nodes (--default-unreachable-toleration-seconds). Default 300. */
  defaultUnreachableTolerationSeconds?: number | null;
  /** nodeipam: the CIDR node pod CIDRs are carved from (--cluster-cidr). Default 10.42.0.0/16. */
  clusterCidr?: string;
  /** nodeipam: the prefix length of each node's pod CIDR (--node-cidr-mask-size). Default 24. */
  nodeCidrMaskSize?: number;
  /** Where the local-path provisioner puts volume directories on nodes. Default /var/lib/keelson/storage. */
  localPathDir?: string;
  /** The node this process runs on, for the local-path provisioner (removes directories only there). Default the host name. */
  localPathNodeName?: string;
  clock?: Clock;
}

export interface ControllerManagerConfig {
  kubeconfig: string | undefined;
  client: RestClient | undefined;
  controllers: ControllerName[];
  leaderElect: boolean;
  leaderElection: Required<LeaderElectionOptions>;
  port: number;
  bindAddress: string;
  logLevel: LogLevel;
  logger: WinstonLogger | undefined;
  resyncPeriodMs: number;
  workers: Record<ControllerName, number>;
  namespaceRecheckMs: number;
  jobBackoffBaseMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  defaultNotReadyTolerationSeconds: number | null;
  defaultUnreachableTolerationSeconds: number | null;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  localPathDir: string;
  localPathNodeName: string | undefined;
  clock: Clock | undefined;
}

/** Resolves `--controllers` entries as kube-controller-manager does: `*`, `name`, `-name`; unknown names are errors. */
export function enabledControllers(spec: readonly string[]): ControllerName[] {
  const known = new Set<string>(allControllers);
  const on = new Set<ControllerName>();
  const off = new Set<ControllerName>();
  let star = false;
  for (const raw of spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    if (raw === '*') {
      star = true;
      continue;
    }
    const negated = raw.startsWith('-');
    const name = negated ? raw.slice(1) : raw;
    if (!known.has(name)) throw new ControllerManagerConfigError(`unknown controller "${name}" in --controllers (known: ${allControllers.join(', ')})`);
    (negated ? off : on).add(name as ControllerName);
  }
  return allControllers.filter((c) => !off.has(c) && (star || on.has(c)));
}

/** Checks --cluster-cidr and --node-cidr-mask-size as the node IPAM controller will use them. */
function nodeCidrConfig(clusterCidr: string, nodeCidrMaskSize: number): { clusterCidr: string; nodeCidrMaskSize: number } {
  try {
    new CidrSet(clusterCidr, nodeCidrMaskSize);
  } catch (e: unknown) {
    if (e instanceof CidrError) throw new ControllerManagerConfigError(`--cluster-cidr ${clusterCidr} / --node-cidr-mask-size ${nodeCidrMaskSize}: ${e.message}`);
    throw e;
  }
  return { clusterCidr, nodeCidrMaskSize };
}

export function completeConfig(o: ControllerManagerOptions): ControllerManagerConfig {
  const port = o.port ?? 10257;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ControllerManagerConfigError(`port must be 0-65535, not ${port}`);
  const le = o.leaderElection ?? {};
  return {
    kubeconfig: o.kubeconfig,
    client: o.client,
    controllers: enabledControllers(o.controllers ?? ['*']),
    leaderElect: o.leaderElect ?? false,
    leaderElection: {
      namespace: le.namespace ?? 'kube-system',
      name: le.name ?? 'kube-controller-manager',
      identity: le.identity ?? `${hostname()}_${randomUUID()}`,
      leaseDurationMs: le.leaseDurationMs ?? 15_000,
      renewDeadlineMs: le.renewDeadlineMs ?? 10_000,
      retryPeriodMs: le.retryPeriodMs ?? 2_000,
    },
    port,
    bindAddress: o.bindAddress ?? '127.0.0.1',
    logLevel: o.logLevel ?? 'info',
    logger: o.logger,
    resyncPeriodMs: o.resyncPeriodMs ?? 10 * 60_000,
    workers: { replicaset: 5, deployment: 5, garbagecollector: 20, namespace: 10, endpoint: 5, endpointslice: 5, job: 5, 'ttl-after-finished': 5, statefulset: 5, cronjob: 5, daemonset: 2, 'persistentvolume-binder': 1, 'local-path-provisioner': 2, 'node-lifecycle': 5, nodeipam: 1, ...o.workers },
    namespaceRecheckMs: o.namespaceRecheckMs ?? 5000,
    jobBackoffBaseMs: o.jobBackoffBaseMs ?? 10_000,
    nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs ?? 40_000,
    nodeMonitorPeriodMs: o.nodeMonitorPeriodMs ?? 5_000,
    defaultNotReadyTolerationSeconds: o.defaultNotReadyTolerationSeconds === undefined ? 300 : o.defaultNotReadyTolerationSeconds,
    defaultUnreachableTolerationSeconds: o.defaultUnreachableTolerationSeconds === undefined ? 300 : o.defaultUnreachableTolerationSeconds,
    ...nodeCidrConfig(o.clusterCidr ?? '10.42.0.0/16', o.nodeCidrMaskSize ?? 24),
    localPathDir: o.localPathDir ?? '/var/lib/keelson/storage',
    localPathNodeName: o.localPathNodeName,
    clock: o.clock,
  };
}
