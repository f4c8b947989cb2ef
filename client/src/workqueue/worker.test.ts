// The worker loop: forget on success, retry with backoff on failure, give up after maxRetries, stop on shutdown.
import { FakeClock } from '../clock';
import type { Logger } from './log';
import { WorkQueue } from './queue';
import { ItemExponentialFailureRateLimiter } from './ratelimiter';
import { runWorker, runWorkers } from './worker';

function recordingLogger(): Logger & { lines: { level: string; message: string; meta?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) => lines.push({ level, message, ...(meta ? { meta } : {}) });
  return { lines, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}

describe('runWorker', () => {
  it('retries a failing key with growing backoff and forgets it once it succeeds', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ name: 'w', clock, rateLimiter: new ItemExponentialFailureRateLimiter<string>(10, 1000) });
    const logger = recordingLogger();
    const attempts: number[] = [];
    const worker = runWorker(
      q,
      async (key) => {
        attempts.push(clock.now());
        if (attempts.length < 3) throw new Error(`boom ${key}`);
      },
      { logger },
    );
    const t0 = clock.now();
    q.add('a');
    await clock.advanceAsync(100);
    expect(attempts.map((t) => t - t0)).toEqual([0, 10, 30]);
    expect(q.numRequeues('a')).toBe(0);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(logger.lines[0]?.meta).toMatchObject({ queue: 'w', key: 'a', error: 'boom a' });
    q.shutDown();
    await worker;
  });

  it('drops a key after maxRetries failures and logs it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ name: 'w', clock, rateLimiter: new ItemExponentialFailureRateLimiter<string>(10, 1000) });
    const logger = recordingLogger();
    let attempts = 0;
    const worker = runWorker(
      q,
      async () => {
        attempts++;
        throw new Error('always');
      },
      { logger, maxRetries: 2 },
    );
    q.add('a');
    await clock.advanceAsync(10_000);
    expect(attempts).toBe(3);
    expect(q.numRequeues('a')).toBe(0);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', meta: { key: 'a', retries: 2 } });
    q.shutDown();
    await worker;
  });

  it('runs workers in parallel on different keys, never on the same key', async () => {
    const q = new WorkQueue({ name: 'w', clock: new FakeClock() });
    const active = new Set<string>();
    let maxParallel = 0;
    const releases: (() => void)[] = [];
    const workers = runWorkers(q, 3, async (key) => {
      expect(active.has(key)).toBe(false);
      active.add(key);
      maxParallel = Math.max(maxParallel, active.size);
      await new Promise<void>((r) => releases.push(r));
      active.delete(key);
    });
    q.add('a');
    q.add('b');
    await new Promise((r) => setImmediate(r));
    q.add('a'); // while a is processing
    await new Promise((r) => setImmediate(r));
    expect(maxParallel).toBe(2);
    expect(releases).toHaveLength(2);
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
    // a's second round starts only after its first finished
    expect(releases).toHaveLength(2);
    const drained = q.shutDownWithDrain();
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await drained;
    await workers;
  });
});
