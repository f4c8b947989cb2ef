// Prometheus metrics of workqueues with the Kubernetes names (workqueue_*), one set per registry, labelled by queue name.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a queue reports at scrape time for the two "in progress" gauges. */
export interface InFlightSource {
  readonly name: string;
  /** Seconds of work started and not yet done, summed over items. */
  unfinishedWorkSeconds(): number;
  /** Seconds the oldest item in processing has been processed. */
  longestRunningProcessorSeconds(): number;
}

/** The workqueue metric families of one registry. */
export interface WorkqueueMetrics {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  retries: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  unfinishedWork: Gauge<'name'>;
  longestRunning: Gauge<'name'>;
  /** Queues whose in-flight gauges are computed on each scrape. */
  sources: Set<InFlightSource>;
}

// client-go: prometheus.ExponentialBuckets(10e-9, 10, 10), 10 ns … 10 s.
const durationBuckets = Array.from({ length: 10 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

const byRegistry = new WeakMap<Registry, WorkqueueMetrics>();

/** The workqueue metrics registered on `registry`, registering them the first time it is asked. */
export function workqueueMetrics(registry: Registry): WorkqueueMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const sources = new Set<InFlightSource>();
  const registers = [registry];
  const metrics: WorkqueueMetrics = {
    sources,
    depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers }),
    adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers }),
    retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers }),
    queueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames: ['name'],
      buckets: durationBuckets,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: durationBuckets,
      registers,
    }),
    unfinishedWork: new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      labelNames: ['name'],
      registers,
      collect() {
        for (const s of sources) this.set({ name: s.name }, s.unfinishedWorkSeconds());
      },
    }),
    longestRunning: new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const s of sources) this.set({ name: s.name }, s.longestRunningProcessorSeconds());
      },
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
