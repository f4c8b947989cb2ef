// TTL-after-finished controller: deletes finished Jobs ttlSecondsAfterFinished after they finished (their pods go with them).
import { isStatusError, type Job } from '@keelson/api';
import { WorkQueue, keyOf, splitKey, systemClock, type Clock, type Lister, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { parseTime } from '../common/time';

export interface TTLAfterFinishedOptions {
  client: RestClient;
  jobs: SharedIndexInformer<Job>;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Default 5 (--concurrent-ttl-after-finished-syncs). */
  workers?: number;
}

export interface TTLSyncDeps {
  client: RestClient;
  jobs: Lister<Job>;
  clock: Clock;
  logger: Logger;
  enqueueAfter(key: string, delayMs: number): void;
}

/** When the Job finished: completionTime, else the transition time of its Complete or Failed condition. */
export function finishedAt(job: Job): number | undefined {
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (done === undefined) return undefined;
  return parseTime(job.status?.completionTime) ?? parseTime(done.lastTransitionTime);
}

/**
 * Deletes a finished Job whose TTL has run out (processJob): checked on the cache, then again
 * on a fresh read (the TTL may have been changed), then deleted in the foreground with a uid
 * precondition. A TTL not yet run out is looked at again when it will have.
 */
export async function syncTTL(d: TTLSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = d.jobs.get(namespace, name);
  if (cached === undefined || expiresIn(d, cached, key) > 0) return;
  const api = d.client.resource('batch/v1', 'Job').namespace(namespace ?? '');
  let fresh: Job;
  try {
    fresh = await api.get(name);
  } catch (e: unknown) {
    if (isStatusError(e, 'NotFound')) return;
    throw e;
  }
  if (fresh.metadata?.deletionTimestamp !== undefined || expiresIn(d, fresh, key) > 0) return;
  d.logger.info('deleting finished job past its TTL', { kind: 'Job', namespace, name });
  try {
    await api.delete(name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid ?? '' } });
  } catch (e: unknown) {
    if (!isStatusError(e, 'NotFound')) throw e;
  }
}

/** Milliseconds until the Job may be deleted (requeued for then); Infinity when it has no TTL or has not finished; ≤ 0 when due. */
function expiresIn(d: TTLSyncDeps, job: Job, key: string): number {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const at = finishedAt(job);
  if (ttl === undefined || at === undefined || job.metadata?.deletionTimestamp !== undefined) return Infinity;
  const left = at + ttl * 1000 - d.clock.now();
  if (left > 0) d.enqueueAfter(key, left);
  return left;
}

/** Cleans up finished Jobs that asked to be (spec.ttlSecondsAfterFinished). */
export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  readonly queue: WorkQueue<string>;
  private readonly deps: TTLSyncDeps;

  constructor(private readonly o: TTLAfterFinishedOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: 'ttl_jobs_to_delete', clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.deps = { client: o.client, jobs: o.jobs.lister, clock, logger: o.logger, enqueueAfter: (key, ms) => this.queue.addAfter(key, ms) };
    const enqueue = (j: Job): void => {
      if (j.spec?.ttlSecondsAfterFinished !== undefined && finishedAt(j) !== undefined) this.queue.add(keyOf(j));
    };
    o.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
  }

  sync(key: string): Promise<void> {
    return syncTTL(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.o.workers ?? 5, informers: [this.o.jobs], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }
}
