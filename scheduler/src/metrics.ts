// Prometheus metrics of the scheduler, with Kubernetes' names and buckets.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export interface SchedulerMetrics {
  registry: Registry;
  /** scheduler_schedule_attempts_total{result, profile}. */
  scheduleAttempts: Counter<'result' | 'profile'>;
  /** scheduler_scheduling_attempt_duration_seconds{result, profile}: algorithm + binding. */
  attemptDuration: Histogram<'result' | 'profile'>;
  /** scheduler_scheduling_algorithm_duration_seconds: filter and score alone. */
  algorithmDuration: Histogram;
  /** scheduler_pending_pods{queue}: active, backoff, unschedulable, gated. */
  pendingPods: Gauge<'queue'>;
  /** scheduler_pod_scheduling_sli_duration_seconds{attempts}: from entering the queue to bound (the e2e latency). */
  podSchedulingSLI: Histogram<'attempts'>;
  /** scheduler_pod_scheduling_attempts: attempts a pod needed. */
  podSchedulingAttempts: Histogram;
}

function exponential(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(6)));
}

/** Registers the metrics on `registry` (a new one by default); `pending` is read at every scrape. */
export function createMetrics(pending: () => Record<'active' | 'backoff' | 'unschedulable', number>, registry = new Registry(), processMetrics = true): SchedulerMetrics {
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    scheduleAttempts: new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: exponential(0.001, 2, 15),
      registers,
    }),
    algorithmDuration: new Histogram({
      name: 'scheduler_scheduling_algorithm_duration_seconds',
      help: 'Scheduling algorithm latency in seconds',
      buckets: exponential(0.001, 2, 15),
      registers,
    }),
    pendingPods: new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
      labelNames: ['queue'],
      registers,
      collect() {
        const c = pending();
        this.set({ queue: 'active' }, c.active);
        this.set({ queue: 'backoff' }, c.backoff);
        this.set({ queue: 'unschedulable' }, c.unschedulable);
        this.set({ queue: 'gated' }, 0);
      },
    }),
    podSchedulingSLI: new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      labelNames: ['attempts'],
      buckets: exponential(0.01, 2, 20),
      registers,
    }),
    podSchedulingAttempts: new Histogram({
      name: 'scheduler_pod_scheduling_attempts',
      help: 'Number of attempts to successfully schedule a pod.',
      buckets: exponential(1, 2, 5),
      registers,
    }),
  };
}
