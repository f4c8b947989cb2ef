// Scheduler options, their defaults, and the completed config the scheduler runs with.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { systemClock, type Clock, type EventSink, type RestClient } from '@keelson/client';
import type { Plugins } from './framework/types';
import type { LogLevel, Logger } from './log';

export interface SchedulerOptions {
  /** The kubeconfig to talk to the API server with (`--kubeconfig`); ignored when `client` is given. */
  kubeconfig?: string;
  /** A ready REST client (tests, the all-in-one launcher). */
  client?: RestClient;
  /** Pods whose spec.schedulerName is this are ours. Default `default-scheduler`. */
  schedulerName?: string;
  /** Only the holder of the Lease schedules. Default false. */
  leaderElect?: boolean;
  /** Default `kube-system` / `kube-scheduler`, as Kubernetes. */
  leaseNamespace?: string;
  leaseName?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. Default 10259 (Kubernetes' port). */
  metricsPort?: number;
  /** Default 127.0.0.1. */
  bindAddress?: string;
  /** Share of nodes to find feasible before scoring; 0 (default) is Kubernetes' adaptive share. */
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  unschedulableFlushIntervalMs?: number;
  /** Bindings in flight at once. Default 64. */
  maxInFlightBindings?: number;
  /** Replace the default filter and score plugins. */
  plugins?: Plugins;
  logLevel?: LogLevel;
  /** No log lines at all. */
  quiet?: boolean;
  /** Use this logger instead of creating one. */
  logger?: Logger;
  /** Where the metrics go; a new registry by default. */
  registry?: Registry;
  /** Where events go; the API server by default. */
  eventSink?: EventSink;
  clock?: Clock;
  /** Uniform in [0, 1): tie-breaks and jitter. */
  random?: () => number;
}

export interface SchedulerConfig {
  kubeconfig: string | undefined;
  client: RestClient | undefined;
  schedulerName: string;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  metricsPort: number;
  bindAddress: string;
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  podMaxInUnschedulablePodsDurationMs: number;
  unschedulableFlushIntervalMs: number;
  maxInFlightBindings: number;
  plugins: Plugins | undefined;
  logLevel: LogLevel;
  quiet: boolean;
  logger: Logger | undefined;
  registry: Registry | undefined;
  eventSink: EventSink | undefined;
  clock: Clock;
  random: () => number;
}

/** A bad option: run() rejects `ready` with it. */
export class SchedulerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerConfigError';
  }
}

export function completeConfig(o: SchedulerOptions): SchedulerConfig {
  const c: SchedulerConfig = {
    kubeconfig: o.kubeconfig,
    client: o.client,
    schedulerName: o.schedulerName ?? 'default-scheduler',
    leaderElect: o.leaderElect ?? false,
    leaseNamespace: o.leaseNamespace ?? 'kube-system',
    leaseName: o.leaseName ?? 'kube-scheduler',
    identity: o.identity ?? `${hostname()}_${randomUUID()}`,
    leaseDurationMs: o.leaseDurationMs ?? 15_000,
    renewDeadlineMs: o.renewDeadlineMs ?? 10_000,
    retryPeriodMs: o.retryPeriodMs ?? 2_000,
    metricsPort: o.metricsPort ?? 10259,
    bindAddress: o.bindAddress ?? '127.0.0.1',
    percentageOfNodesToScore: o.percentageOfNodesToScore ?? 0,
    podInitialBackoffMs: o.podInitialBackoffMs ?? 1_000,
    podMaxBackoffMs: o.podMaxBackoffMs ?? 10_000,
    podMaxInUnschedulablePodsDurationMs: o.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000,
    unschedulableFlushIntervalMs: o.unschedulableFlushIntervalMs ?? 30_000,
    maxInFlightBindings: o.maxInFlightBindings ?? 64,
    plugins: o.plugins,
    logLevel: o.logLevel ?? 'info',
    quiet: o.quiet ?? false,
    logger: o.logger,
    registry: o.registry,
    eventSink: o.eventSink,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
  if (c.schedulerName === '') throw new SchedulerConfigError('schedulerName must not be empty');
  if (!Number.isInteger(c.metricsPort) || c.metricsPort < 0 || c.metricsPort > 65535) throw new SchedulerConfigError(`metricsPort must be 0-65535, got ${c.metricsPort}`);
  if (!(c.percentageOfNodesToScore >= 0 && c.percentageOfNodesToScore <= 100)) throw new SchedulerConfigError('percentageOfNodesToScore must be between 0 and 100');
  if (!(c.podInitialBackoffMs > 0 && c.podMaxBackoffMs >= c.podInitialBackoffMs)) throw new SchedulerConfigError('backoff must be positive, and the maximum no less than the initial one');
  if (!(c.maxInFlightBindings >= 1)) throw new SchedulerConfigError('maxInFlightBindings must be at least 1');
  return c;
}
