// Workqueue behaviour: dedupe, one worker per key, delayed and rate-limited adds, shutdown, metrics.
import { Registry } from 'prom-client';
import { FakeClock, flushMicrotasks } from '../clock';
import { WorkQueue } from './queue';
import { ItemExponentialFailureRateLimiter } from './ratelimiter';

const pending = Symbol('pending');

/** The promise's value if it has settled once pending continuations ran, else `pending`. */
async function peek<V>(p: Promise<V>): Promise<V | typeof pending> {
  return Promise.race([p, flushMicrotasks().then((): typeof pending => pending)]);
}

function newQueue(clock = new FakeClock(), registry?: Registry): WorkQueue {
  return new WorkQueue({ name: 'test', clock, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000), ...(registry ? { registry } : {}) });
}

describe('WorkQueue', () => {
  it('queues a key added twice while queued only once, in FIFO order with others', async () => {
    const q = newQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(await peek(q.get())).toBe(pending);
  });

  it('resolves a waiting get when a key arrives', async () => {
    const q = newQueue();
    const got = q.get();
    expect(await peek(got)).toBe(pending);
    q.add('a');
    expect(await got).toBe('a');
  });

  it('never hands one key to two workers; a re-add while processing is queued again after done', async () => {
    const q = newQueue();
    q.add('a');
    const first = await q.get();
    const second = q.get();
    q.add('a');
    expect(q.len()).toBe(0);
    expect(await peek(second)).toBe(pending);
    q.done(first!);
    expect(await second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
    expect(q.processingCount()).toBe(0);
  });

  it('dedupes adds made while a key is processing into one more round', async () => {
    const q = newQueue();
    q.add('a');
    await q.get();
    q.add('a');
    q.add('a');
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(await peek(q.get())).toBe(pending);
  });

  it('holds addAfter keys until they are due, in due order, keeping the earlier time for one key', async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    q.addAfter('slow', 30);
    q.addAfter('fast', 10);
    q.addAfter('mid', 20);
    q.addAfter('mid', 50); // later: ignored
    q.addAfter('slow', 15); // earlier: wins
    expect(q.len()).toBe(0);
    clock.advance(9);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(await q.get()).toBe('fast');
    clock.advance(10);
    expect(await q.get()).toBe('slow');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('mid');
    expect(q.waitingCount()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('adds at once for a zero or negative delay', async () => {
    const q = newQueue();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });

  it('backs off rate-limited retries exponentially per key until forgotten', async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = clock.now();
      q.addRateLimited('a');
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('a')).toBe(5);
    expect(q.numRequeues('b')).toBe(0);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    q.addRateLimited('a');
    clock.advance(5);
    expect(q.len()).toBe(1);
  });

  it('on shutDown ignores adds, drops waiting keys, hands out what is queued, then resolves undefined', async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    q.add('queued');
    q.addAfter('later', 100);
    q.shutDown();
    q.add('ignored');
    expect(q.shuttingDown()).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(await q.get()).toBe('queued');
    expect(await q.get()).toBeUndefined();
    clock.advance(1000);
    expect(q.len()).toBe(0);
  });

  it('wakes idle workers with undefined on shutDown', async () => {
    const q = newQueue();
    const a = q.get();
    const b = q.get();
    q.shutDown();
    expect(await a).toBeUndefined();
    expect(await b).toBeUndefined();
  });

  it('shutDownWithDrain waits for in-flight work to be done', async () => {
    const q = newQueue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    const b = await q.get();
    const drained = q.shutDownWithDrain();
    q.done(a!);
    expect(await peek(drained)).toBe(pending);
    q.done(b!);
    expect(await peek(drained)).toBeUndefined();
  });

  it('shutDownWithDrain resolves at once when nothing is processing', async () => {
    const q = newQueue();
    expect(await peek(q.shutDownWithDrain())).toBeUndefined();
  });
});

describe('WorkQueue metrics', () => {
  /** One sample of a metric family: `sample` names a histogram's `_bucket`/`_sum`/`_count` series. */
  async function value(registry: Registry, family: string, labels: Record<string, string | number>, sample = family): Promise<number | undefined> {
    const m = registry.getSingleMetric(family);
    if (!m) throw new Error(`no metric ${family}`);
    const data = await m.get();
    const hit = data.values.find(
      (v) => ((v as { metricName?: string }).metricName ?? family) === sample && Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
    );
    return hit?.value;
  }

  it('reports depth, adds, retries, durations and in-flight work under the Kubernetes names', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const q = newQueue(clock, registry);
    const other = new WorkQueue({ name: 'other', clock, registry });

    q.add('a');
    q.add('a');
    q.add('b');
    other.add('x');
    expect(await value(registry, 'workqueue_depth', { name: 'test' })).toBe(2);
    expect(await value(registry, 'workqueue_adds_total', { name: 'test' })).toBe(2);
    expect(await value(registry, 'workqueue_adds_total', { name: 'other' })).toBe(1);

    clock.advance(2000);
    const a = (await q.get())!;
    expect(await value(registry, 'workqueue_depth', { name: 'test' })).toBe(1);
    expect(await value(registry, 'workqueue_queue_duration_seconds', { name: 'test', le: 1 }, 'workqueue_queue_duration_seconds_bucket')).toBe(0);
    expect(await value(registry, 'workqueue_queue_duration_seconds', { name: 'test', le: 10 }, 'workqueue_queue_duration_seconds_bucket')).toBe(1);

    clock.advance(500);
    const b = (await q.get())!;
    clock.advance(1500);
    // a has run 2 s, b 1.5 s.
    expect(await value(registry, 'workqueue_unfinished_work_seconds', { name: 'test' })).toBeCloseTo(3.5);
    expect(await value(registry, 'workqueue_longest_running_processor_seconds', { name: 'test' })).toBeCloseTo(2);

    q.done(a);
    q.done(b);
    expect(await value(registry, 'workqueue_work_duration_seconds', { name: 'test' }, 'workqueue_work_duration_seconds_count')).toBe(2);
    expect(await value(registry, 'workqueue_work_duration_seconds', { name: 'test' }, 'workqueue_work_duration_seconds_sum')).toBeCloseTo(3.5);
    expect(await value(registry, 'workqueue_unfinished_work_seconds', { name: 'test' })).toBe(0);

    q.addRateLimited('a');
    q.addAfter('c', 10);
    expect(await value(registry, 'workqueue_retries_total', { name: 'test' })).toBe(2);

    const text = await registry.metrics();
    expect(text).toContain('workqueue_depth{name="other"} 1');
    q.shutDown();
    other.shutDown();
  });

  it('lets many queues share one registry without registering the metrics twice', () => {
    const registry = new Registry();
    expect(() => {
      new WorkQueue({ name: 'one', registry }).shutDown();
      new WorkQueue({ name: 'two', registry }).shutDown();
    }).not.toThrow();
    expect(registry.getMetricsAsArray().filter((m) => m.name === 'workqueue_depth')).toHaveLength(1);
  });
});
