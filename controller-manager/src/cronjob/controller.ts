// CronJob controller wiring: CronJob and Job handlers enqueue CronJob keys; syncs requeue themselves at the next schedule time.
import type { CronJob, Job } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, makeKey, systemClock, type Clock, type DeletedFinalStateUnknown, type EventRecorder, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { controllerOf } from '../common/controllerref';
import { syncCronJob, type CronJobSyncDeps } from './sync';

export interface CronJobControllerOptions {
  client: RestClient;
  cronJobs: SharedIndexInformer<CronJob>;
  jobs: SharedIndexInformer<Job>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (--concurrent-cron-job-syncs). Default 5. */
  workers?: number;
}

/** Starts a Job at each scheduled time of a CronJob (the v2 controller: one delayed queue add per next schedule time, no polling). */
export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly queue: WorkQueue<string>;
  private readonly deps: CronJobSyncDeps;

  constructor(private readonly o: CronJobControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: 'cronjob', clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.deps = {
      client: o.client,
      cronJobs: o.cronJobs.lister,
      jobs: o.jobs.lister,
      recorder: o.recorder,
      clock,
      logger: o.logger,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.cronJobs.addEventHandler({
      onAdd: (cj) => this.queue.add(keyOf(cj)),
      onUpdate: (_old, cur) => this.queue.add(keyOf(cur)),
      onDelete: (obj) => this.queue.add(keyOf(deletedObject(obj))),
    });
    o.jobs.addEventHandler({
      onAdd: (j) => this.enqueueOwner(j),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        this.enqueueOwner(old);
        this.enqueueOwner(cur);
      },
      onDelete: (obj: Job | DeletedFinalStateUnknown<Job>) => this.enqueueOwner(deletedObject(obj)),
    });
  }

  /** Reconciles one CronJob key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncCronJob(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.o.workers ?? 5, informers: [this.o.cronJobs, this.o.jobs], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  private enqueueOwner(job: Job): void {
    const ref = controllerOf(job);
    if (ref?.kind !== 'CronJob') return;
    const cj = this.o.cronJobs.lister.get(job.metadata?.namespace, ref.name);
    if (cj?.metadata?.uid !== ref.uid) return;
    this.queue.add(makeKey(job.metadata?.namespace, ref.name));
  }
}
