// Leader election on a coordination.k8s.io/v1 Lease with client-go semantics: acquire, renew, lose, release.
import { isStatusError, type Lease } from '@keelson/api';
import { sleep, systemClock, type Timer } from '../clock';
import { consoleLogger, errorText, type Logger } from '../workqueue';
import { microTime, newLease, recordFromLease, recordKey, withRecord, type LeaderElectionRecord } from './record';
import { LeaderElectionConfigError, type LeaderElectionConfig, type LeaderElectionOptions } from './types';

/** client-go's JitterFactor: acquire attempts wait retryPeriod × [1, 2.2). */
const jitterFactor = 1.2;

export function completeLeaderElectionConfig(o: LeaderElectionOptions): LeaderElectionConfig {
  const config: LeaderElectionConfig = {
    client: o.client,
    namespace: o.namespace,
    name: o.name,
    identity: o.identity,
    callbacks: o.callbacks,
    leaseDurationMs: o.leaseDurationMs ?? 15_000,
    renewDeadlineMs: o.renewDeadlineMs ?? 10_000,
    retryPeriodMs: o.retryPeriodMs ?? 2_000,
    releaseOnCancel: o.releaseOnCancel ?? true,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    logger: o.logger ?? consoleLogger,
  };
  if (config.namespace === '' || config.name === '') throw new LeaderElectionConfigError('lease namespace and name must be set');
  if (config.identity === '') throw new LeaderElectionConfigError('identity must be set');
  if (!(config.retryPeriodMs > 0)) throw new LeaderElectionConfigError('retryPeriod must be greater than zero');
  if (!(config.leaseDurationMs >= 1000) || config.leaseDurationMs % 1000 !== 0) {
    throw new LeaderElectionConfigError('leaseDuration must be a whole number of seconds (a Lease stores leaseDurationSeconds)');
  }
  if (!(config.leaseDurationMs > config.renewDeadlineMs)) throw new LeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
  if (!(config.renewDeadlineMs > jitterFactor * config.retryPeriodMs)) {
    throw new LeaderElectionConfigError(`renewDeadline must be greater than retryPeriod*${jitterFactor}`);
  }
  return config;
}

/**
 * One candidate for leadership of one Lease.
 *
 * Safety comes from two rules, as in client-go: every write is compare-and-swap on the Lease's
 * resourceVersion, so of two candidates racing for the same lease one gets a conflict; and a
 * candidate treats a lease as held until `leaseDurationSeconds` after it *observed* the last change
 * (its own clock, so no clock skew between candidates matters), while the leader stops leading if
 * it has not renewed within `renewDeadline` (< leaseDuration) of its last successful renewal.
 */
export class LeaderElector {
  private readonly config: LeaderElectionConfig;
  private readonly log: Logger;
  private readonly fields: Record<string, string>;

  /** The lease as last read or written: carries the resourceVersion the next update is conditional on. */
  private lease: Lease | undefined;
  private observed: LeaderElectionRecord | undefined;
  private observedKey = '';
  private observedAt = 0;
  private reportedLeader = '';
  private leading: AbortController | undefined;
  private running = false;

  constructor(options: LeaderElectionOptions) {
    this.config = completeLeaderElectionConfig(options);
    this.log = this.config.logger;
    this.fields = { lease: `${this.config.namespace}/${this.config.name}`, identity: this.config.identity };
  }

  /** Whether this candidate is leading right now (between onStartedLeading and losing). */
  isLeader(): boolean {
    return this.leading !== undefined && !this.leading.signal.aborted;
  }

  /** The holder of the lease as last observed, if any. */
  leader(): string | undefined {
    const holder = this.observed?.holderIdentity;
    return holder === '' ? undefined : holder;
  }

  /**
   * Campaigns until leading, leads until leadership is lost or `signal` aborts, then returns.
   * A candidate that lost leadership does not campaign again; call `run` anew (usually the
   * process exits instead, as Kubernetes components do).
   */
  async run(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    try {
      const acquiredAt = await this.acquire(signal);
      if (acquiredAt === undefined) return;
      if (signal.aborted) {
        if (this.config.releaseOnCancel) await this.release();
        return;
      }
      await this.lead(acquiredAt, signal);
    } finally {
      this.running = false;
    }
  }

  /** Tries every retryPeriod (jittered) until it holds the lease; the start time of the winning attempt, or undefined if aborted. */
  private async acquire(signal: AbortSignal): Promise<number | undefined> {
    const { clock, retryPeriodMs, random } = this.config;
    this.log.info('attempting to acquire leader lease', this.fields);
    while (!signal.aborted) {
      const start = clock.now();
      const ok = await this.tryAcquireOrRenew(signal);
      this.reportTransition();
      if (ok) {
        this.log.info('successfully acquired lease', this.fields);
        return start;
      }
      await sleep(clock, retryPeriodMs * (1 + random() * jitterFactor), signal);
    }
    return undefined;
  }

  private async lead(acquiredAt: number, signal: AbortSignal): Promise<void> {
    const { clock, renewDeadlineMs, retryPeriodMs, callbacks } = this.config;
    const leading = new AbortController();
    this.leading = leading;
    let lostBecause: string | undefined;
    const lose = (reason: string): void => {
      if (leading.signal.aborted) return;
      lostBecause = reason;
      leading.abort();
    };
    let deadline: Timer | undefined;
    const armDeadline = (lastRenewStart: number): void => {
      deadline?.cancel();
      deadline = clock.setTimer(lastRenewStart + renewDeadlineMs - clock.now(), () => lose('failed to renew lease within the renew deadline'));
    };
    armDeadline(acquiredAt);

    const work = this.startWork(leading.signal);
    const stop = AbortSignal.any([signal, leading.signal]);
    while (!stop.aborted) {
      await sleep(clock, retryPeriodMs, stop);
      if (stop.aborted) break;
      const start = clock.now();
      const ok = await this.tryAcquireOrRenew(stop);
      this.reportTransition();
      if (stop.aborted) break;
      if (ok) {
        armDeadline(start);
      } else if (!this.holdsObservedLease()) {
        lose(`lease is now held by ${this.leader() ?? 'nobody'}`);
      }
      // Otherwise a transient failure: retry until the deadline timer gives up.
    }
    deadline?.cancel();
    leading.abort();
    await work;
    if (lostBecause !== undefined) {
      this.log.warn('leader lease lost', { ...this.fields, reason: lostBecause });
    } else if (this.config.releaseOnCancel) {
      await this.release();
    }
    this.leading = undefined;
    try {
      callbacks.onStoppedLeading?.();
    } catch (err: unknown) {
      this.log.error('onStoppedLeading failed', { ...this.fields, error: errorText(err) });
    }
  }

  /** Runs onStartedLeading; the promise settles when its work does and never rejects. */
  private async startWork(signal: AbortSignal): Promise<void> {
    try {
      await this.config.callbacks.onStartedLeading(signal);
    } catch (err: unknown) {
      this.log.error('onStartedLeading failed', { ...this.fields, error: errorText(err) });
    }
  }

  /** One attempt to take or keep the lease (client-go tryAcquireOrRenew). Never throws. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, clock, namespace, name, identity } = this.config;
    const now = clock.now();
    const desired: LeaderElectionRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: this.config.leaseDurationMs / 1000,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };

    // 1. Fast path: the leader renews assuming its copy is current.
    if (this.holdsObservedLease() && this.isLeaseValid(now) && this.lease && this.observed) {
      desired.acquireTime = this.observed.acquireTime;
      desired.leaseTransitions = this.observed.leaseTransitions;
      try {
        this.lease = await client.update(withRecord(this.lease, desired), { signal });
        this.setObserved(desired);
        return true;
      } catch (err: unknown) {
        if (signal.aborted) return false;
        this.log.info('failed to update lease optimistically, falling back to slow path', { ...this.fields, error: errorText(err) });
      }
    }

    // 2. Read the lease, or create it.
    let current: Lease | undefined;
    try {
      current = await client.get(namespace, name, { signal });
    } catch (err: unknown) {
      if (!isStatusError(err, 'NotFound')) {
        this.log.error('error retrieving lease', { ...this.fields, error: errorText(err) });
        return false;
      }
    }
    if (current === undefined) {
      try {
        this.lease = await client.create(newLease(namespace, name, desired), { signal });
        this.setObserved(desired);
        return true;
      } catch (err: unknown) {
        if (isStatusError(err, 'AlreadyExists')) this.log.debug('lease was created by another candidate', this.fields);
        else this.log.error('error initially creating lease', { ...this.fields, error: errorText(err) });
        return false;
      }
    }

    // 3. Someone else's unexpired lease: wait.
    this.lease = current;
    const record = recordFromLease(current);
    if (recordKey(record) !== this.observedKey) this.setObserved(record);
    if (record.holderIdentity !== '' && this.isLeaseValid(clock.now()) && !this.holdsObservedLease()) {
      this.log.debug('lease is held by another candidate and has not yet expired', { ...this.fields, holder: record.holderIdentity });
      return false;
    }

    // 4. Ours, free, or expired: write it, conditional on the resourceVersion just read.
    if (this.holdsObservedLease()) {
      desired.acquireTime = record.acquireTime;
      desired.leaseTransitions = record.leaseTransitions;
    } else {
      desired.leaseTransitions = record.leaseTransitions + 1;
    }
    try {
      this.lease = await client.update(withRecord(current, desired), { signal });
      this.setObserved(desired);
      return true;
    } catch (err: unknown) {
      if (isStatusError(err, 'Conflict')) this.log.debug('lost the race to update the lease', this.fields);
      else if (!signal.aborted) this.log.error('failed to update lease', { ...this.fields, error: errorText(err) });
      return false;
    }
  }

  /** Gives the lease up so another candidate can take it at once (holder cleared, 1 s duration). */
  private async release(): Promise<void> {
    if (!this.holdsObservedLease() || !this.lease || !this.observed) return;
    const { client, clock, renewDeadlineMs } = this.config;
    const now = clock.now();
    const released: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: this.observed.leaseTransitions,
    };
    const timeout = new AbortController();
    const timer = clock.setTimer(renewDeadlineMs, () => timeout.abort());
    try {
      try {
        this.lease = await client.update(withRecord(this.lease, released), { signal: timeout.signal });
      } catch (err: unknown) {
        // A renewal cut short by the shutdown may have landed after all, leaving our copy stale:
        // read the lease again and release it if it is still ours.
        if (!isStatusError(err, 'Conflict')) throw err;
        const current = await client.get(this.config.namespace, this.config.name, { signal: timeout.signal });
        if (current === undefined || recordFromLease(current).holderIdentity !== this.config.identity) return;
        this.lease = await client.update(withRecord(current, released), { signal: timeout.signal });
      }
      this.setObserved(released);
      this.log.info('released leader lease', this.fields);
    } catch (err: unknown) {
      // The lease then simply expires after leaseDuration.
      this.log.error('failed to release leader lease', { ...this.fields, error: errorText(err) });
    } finally {
      timer.cancel();
    }
  }

  private setObserved(record: LeaderElectionRecord): void {
    this.observed = record;
    this.observedKey = recordKey(record);
    this.observedAt = this.config.clock.now();
  }

  /** Whether the lease as last observed names this candidate. */
  private holdsObservedLease(): boolean {
    return this.observed?.holderIdentity === this.config.identity;
  }

  /** Whether the observed record has not expired by this candidate's own clock. */
  private isLeaseValid(now: number): boolean {
    return this.observed !== undefined && this.observedAt + this.observed.leaseDurationSeconds * 1000 > now;
  }

  private reportTransition(): void {
    const holder = this.observed?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder === '') return;
    this.log.info('new leader observed', { ...this.fields, leader: holder });
    try {
      this.config.callbacks.onNewLeader?.(holder);
    } catch (err: unknown) {
      this.log.error('onNewLeader failed', { ...this.fields, error: errorText(err) });
    }
  }
}
