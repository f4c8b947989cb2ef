// Job controller wiring: Job and pod handlers enqueue Job keys and count expectations; the run loop syncs them.
import type { Job, Pod } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, systemClock, type Clock, type DeletedFinalStateUnknown, type EventRecorder, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { controllerOf } from '../common/controllerref';
import { ControllerExpectations } from '../common/expectations';
import { RealPodControl, type PodControl } from '../common/podcontrol';
import { defaultBackoffMs, maxBackoffMs } from './pods';
import { syncJob, type JobSyncDeps } from './sync';

export interface JobControllerOptions {
  client: RestClient;
  jobs: SharedIndexInformer<Job>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Concurrent syncs (--concurrent-job-syncs). Default 5. */
  workers?: number;
  /** First pause after a failed pod (doubling per further failure). Default 10 s. */
  backoffBaseMs?: number;
  /** Longest pause. Default 10 minutes. */
  backoffMaxMs?: number;
  podControl?: PodControl;
}

/** Runs Jobs' pods to completion: parallelism, completions (NonIndexed and Indexed), retries with back-off, deadlines, suspension. */
export class JobController implements Controller {
  readonly name = 'job';
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly deps: JobSyncDeps;
  private readonly workers: number;

  constructor(private readonly o: JobControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.queue = new WorkQueue<string>({ name: this.name, clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.expectations = new ControllerExpectations(clock);
    this.workers = o.workers ?? 5;
    this.deps = {
      client: o.client,
      jobs: o.jobs.lister,
      pods: o.pods.lister,
      podControl: o.podControl ?? new RealPodControl(o.client, o.recorder),
      expectations: this.expectations,
      recorder: o.recorder,
      clock,
      logger: o.logger,
      backoffBaseMs: o.backoffBaseMs ?? defaultBackoffMs,
      backoffMaxMs: o.backoffMaxMs ?? maxBackoffMs,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    o.jobs.addEventHandler({
      onAdd: (j) => this.queue.add(keyOf(j)),
      onUpdate: (_old, cur) => this.queue.add(keyOf(cur)),
      onDelete: (obj) => {
        const key = keyOf(deletedObject(obj));
        this.expectations.delete(key);
        this.queue.add(key);
      },
    });
    o.pods.addEventHandler({
      onAdd: (p) => {
        if (p.metadata?.deletionTimestamp !== undefined) return this.onPodDelete(p);
        const job = this.jobOf(p);
        if (job === undefined) return;
        this.expectations.creationObserved(keyOf(job));
        this.queue.add(keyOf(job));
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        if (cur.metadata?.deletionTimestamp !== undefined) return this.onPodDelete(cur);
        for (const p of [old, cur]) {
          const job = this.jobOf(p);
          if (job !== undefined) this.queue.add(keyOf(job));
        }
      },
      onDelete: (obj) => this.onPodDelete(obj),
    });
  }

  /** Reconciles one Job key (exposed for tests). */
  sync(key: string): Promise<void> {
    return syncJob(this.deps, key);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: this.name, queue: this.queue, workers: this.workers, informers: [this.o.jobs, this.o.pods], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  onPodDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const job = this.jobOf(pod);
    if (job === undefined) return;
    this.expectations.deletionObserved(keyOf(job), keyOf(pod));
    this.queue.add(keyOf(job));
  }

  private jobOf(pod: Pod): Job | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const job = this.o.jobs.lister.get(pod.metadata?.namespace, ref.name);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }
}
