// Controller-manager options → defaults applied once → a complete Config; which controllers `--controllers` turns on.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock, RestClient } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';

/** The controllers this build runs, by their `--controllers` names. */
/** Kubernetes' names, so `--controllers` reads the same as kube-controller-manager's. */
export const allControllers = ['replicaset', 'deployment', 'garbagecollector', 'namespace', 'endpoint', 'endpointslice', 'job', 'ttl-after-finished'] as const;
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
    workers: { replicaset: 5, deployment: 5, garbagecollector: 20, namespace: 10, endpoint: 5, endpointslice: 5, job: 5, 'ttl-after-finished': 5, ...o.workers },
    namespaceRecheckMs: o.namespaceRecheckMs ?? 5000,
    jobBackoffBaseMs: o.jobBackoffBaseMs ?? 10_000,
    clock: o.clock,
  };
}
