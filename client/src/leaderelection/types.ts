// The small interfaces leader election depends on (a Lease client) and its options, defaults and completed config.
import type { Lease } from '@keelson/api';
import type { Clock } from '../clock';
import type { Logger } from '../workqueue';

/** Per-call options every client method accepts; a call whose signal aborts should reject promptly. */
export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * The slice of a coordination.k8s.io/v1 Lease client leader election needs. Implementations throw
 * `@keelson/api`'s typed errors: `AlreadyExistsError` from `create`, `ConflictError` from `update`
 * when `metadata.resourceVersion` is stale (compare-and-swap), `NotFoundError` from `update` of a
 * missing lease. `get` resolves `undefined` for a missing lease (a `NotFoundError` is accepted too).
 */
export interface LeaseClient {
  get(namespace: string, name: string, options?: RequestOptions): Promise<Lease | undefined>;
  create(lease: Lease, options?: RequestOptions): Promise<Lease>;
  update(lease: Lease, options?: RequestOptions): Promise<Lease>;
}

export interface LeaderCallbacks {
  /**
   * Called once the lease is acquired. `signal` aborts when leadership ends (lost, or `run`'s
   * signal aborted); stop all leader-only work then. If it returns a promise, `run` waits for it
   * before releasing the lease, so the next leader never overlaps with this one's work.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called after leadership ends (and after the lease was released, on shutdown). Not called if never leading. */
  onStoppedLeading?(): void;
  /** Called when the observed leader changes, including to this candidate. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions {
  client: LeaseClient;
  /** Where the Lease lives, e.g. `kube-system` / `kube-controller-manager`. */
  namespace: string;
  name: string;
  /** Unique per candidate, e.g. `<hostname>_<uuid>`. */
  identity: string;
  callbacks: LeaderCallbacks;
  /** How long non-leaders wait after observing a renewal before taking over; whole seconds. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it has not renewed for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Clear the lease on shutdown so another candidate takes over at once. Default true. */
  releaseOnCancel?: boolean;
  clock?: Clock;
  /** Uniform in [0, 1): jitters acquire attempts. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

/** Options with every default applied and checked. */
export interface LeaderElectionConfig {
  client: LeaseClient;
  namespace: string;
  name: string;
  identity: string;
  callbacks: LeaderCallbacks;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  releaseOnCancel: boolean;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

/** Invalid leader election options. */
export class LeaderElectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionConfigError';
  }
}
