// Fan-out: many watchers share one storage watch, and a watcher that falls behind is closed instead of growing.
import { openMemoryStorage, type SqliteStorage } from '../storage/sqlite';
import { WatchCache } from './cache';
import { ManualTimerClock } from './clock';
import { WatcherTerminatedError } from './errors';
import { ControlledStorage, Reader, pod, podKey, recordingLogger, summary } from './testing';

let store: SqliteStorage;
let storage: ControlledStorage;
let clock: ManualTimerClock;

beforeEach(() => {
  store = openMemoryStorage();
  storage = new ControlledStorage(store);
  clock = new ManualTimerClock();
});

afterEach(async () => {
  await store.close();
});

it('delivers one change to 1,000 watchers over a single storage watch', async () => {
  const counts: number[] = [];
  const cache = new WatchCache({
    storage,
    prefix: '/registry/pods/',
    clock,
    logger: recordingLogger().logger,
    metrics: { watchers: (_prefix, count) => counts.push(count) },
  });
  cache.start();
  await cache.ready;
  const created = await storage.create(podKey('a', 'p'), pod('a', 'p'));
  await cache.waitUntilFresh(Number(created.metadata.resourceVersion));

  const readers = await Promise.all(Array.from({ length: 1_000 }, async () => new Reader(await cache.watch({ sendInitialEvents: false }))));
  expect(counts[counts.length - 1]).toBe(1_000);

  const updated = await storage.update(podKey('a', 'p'), pod('a', 'p', { v: '2' }));
  const events = await Promise.all(readers.map((r) => r.next()));
  expect(new Set(events.map(summary))).toEqual(new Set([`MODIFIED p@${updated.metadata.resourceVersion}`]));
  expect(storage.watchCalls).toBe(1);
  expect(storage.openWatches()).toBe(1);

  await cache.stop();
  expect(counts[counts.length - 1]).toBe(0);
  expect(storage.openWatches()).toBe(0);
});

it('closes a watcher that falls too far behind, after what it had buffered, and spares the others', async () => {
  const log = recordingLogger();
  const terminated: string[] = [];
  const cache = new WatchCache({
    storage,
    prefix: '/registry/pods/',
    clock,
    watcherBufferSize: 3,
    logger: log.logger,
    metrics: { terminatedWatcher: (prefix) => terminated.push(prefix) },
  });
  cache.start();
  await cache.ready;
  const slow = new Reader(await cache.watch({ sendInitialEvents: false }));
  const fast = new Reader(await cache.watch({ sendInitialEvents: false }));

  const revisions: number[] = [];
  for (let i = 0; i < 5; i++) {
    const stored = await storage.create(podKey('a', `p${i}`), pod('a', `p${i}`));
    revisions.push(Number(stored.metadata.resourceVersion));
    await fast.next();
  }
  expect(cache.watcherCountNow()).toBe(1);
  expect(terminated).toEqual(['/registry/pods/']);
  expect(log.entries.some((e) => e.level === 'warn' && e.message.includes('fell 3 events behind'))).toBe(true);

  expect((await slow.take(3)).map((e) => e.object.metadata.name)).toEqual(['p0', 'p1', 'p2']);
  const error: unknown = await slow.next().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WatcherTerminatedError);
  expect((error as WatcherTerminatedError).reason).toBe('TooSlow');
  expect((error as WatcherTerminatedError).lastRevision).toBe(revisions[2]);

  const stored = await storage.create(podKey('a', 'late'), pod('a', 'late'));
  expect(summary(await fast.next())).toBe(`ADDED late@${stored.metadata.resourceVersion}`);
  await cache.stop();
});

it('does not count the initial state against the buffer, only the live changes behind it', async () => {
  for (let i = 0; i < 10; i++) await storage.create(podKey('a', `p${i}`), pod('a', `p${i}`));
  const cache = new WatchCache({ storage, prefix: '/registry/pods/', clock, watcherBufferSize: 2, logger: recordingLogger().logger });
  cache.start();
  await cache.ready;
  const reader = new Reader(await cache.watch({ sendInitialEvents: true }));
  await storage.create(podKey('a', 'live'), pod('a', 'live'));
  const events = await reader.take(12);
  expect(events.slice(0, 10).every((e) => e.type === 'ADDED')).toBe(true);
  expect(events[10]?.type).toBe('BOOKMARK');
  expect(events[11]?.object.metadata.name).toBe('live');
  await cache.stop();
});
