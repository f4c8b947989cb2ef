// WatchCache recovery and shutdown: resuming a failed storage watch, relisting after compaction, clean stop.
import { ExpiredError } from '@keelson/api';
import { openMemoryStorage, type SqliteStorage } from '../storage/sqlite';
import { StorageError } from '../storage/types';
import { WatchCache } from './cache';
import { ManualTimerClock, systemTimerClock } from './clock';
import { CacheNotReadyError, CacheStoppedError, WatcherTerminatedError } from './errors';
import { ControlledStorage, Reader, flush, pod, podKey, recordingLogger, summary } from './testing';

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

function newCache(log = recordingLogger()): WatchCache {
  return new WatchCache({ storage, prefix: '/registry/pods/', clock, logger: log.logger, retryInitialMs: 100 });
}

it('resumes a failed storage watch from its revision: watchers see every change, none twice', async () => {
  const log = recordingLogger();
  const cache = newCache(log);
  cache.start();
  await cache.ready;
  const reader = new Reader(await cache.watch({ sendInitialEvents: false }));
  const before = await storage.create(podKey('a', 'before'), pod('a', 'before'));
  expect(summary(await reader.next())).toBe(`ADDED before@${before.metadata.resourceVersion}`);

  storage.breakWatches(new StorageError('/registry/pods/', 'connection reset'));
  await flush();
  expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('storage watch failed') }));
  const during = await storage.create(podKey('a', 'during'), pod('a', 'during'));
  expect(await reader.poll()).toBeUndefined();

  clock.advance(100);
  await flush();
  expect(storage.watchCalls).toBe(2);
  expect(storage.listCalls).toBe(1);
  expect(summary(await reader.next())).toBe(`ADDED during@${during.metadata.resourceVersion}`);
  const after = await storage.create(podKey('a', 'after'), pod('a', 'after'));
  expect(summary(await reader.next())).toBe(`ADDED after@${after.metadata.resourceVersion}`);
  expect((await cache.list()).items.map((o) => o.metadata.name)).toEqual(['after', 'before', 'during']);
  await cache.stop();
  expect(clock.pendingTimers()).toBe(0);
});

it('relists when storage has compacted the changes it missed, closing watchers that cannot continue', async () => {
  const log = recordingLogger();
  const cache = newCache(log);
  cache.start();
  await cache.ready;
  await storage.create(podKey('a', 'p'), pod('a', 'p'));
  const reader = new Reader(await cache.watch({ sendInitialEvents: false }));
  expect((await reader.next()).type).toBe('ADDED');

  storage.breakWatches(new StorageError('/registry/pods/', 'connection reset'));
  await flush();
  await storage.delete(podKey('a', 'p'));
  await storage.create(podKey('a', 'q'), pod('a', 'q'));
  await store.compact(await storage.currentRevision());

  clock.advance(100); // the resumed watch finds its changes compacted → relist
  await flush();
  expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('relisting'), error: expect.any(ExpiredError) }));
  const error: unknown = await reader.next().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WatcherTerminatedError);
  expect((error as WatcherTerminatedError).reason).toBe('CacheReinitialized');

  clock.advance(200);
  await flush();
  expect(storage.listCalls).toBe(2);
  const listed = await cache.list();
  expect(listed.items.map((o) => o.metadata.name)).toEqual(['q']);
  expect(listed.revision).toBe(await storage.currentRevision());
  // A client resuming from before the relist must relist too.
  await expect(cache.watch({ fromRevision: 2 })).rejects.toBeInstanceOf(ExpiredError);
  const fresh = new Reader(await cache.watch({ fromRevision: listed.revision }));
  const r = await storage.create(podKey('a', 'r'), pod('a', 'r'));
  expect(summary(await fresh.next())).toBe(`ADDED r@${r.metadata.resourceVersion}`);
  await cache.stop();
  expect(clock.pendingTimers()).toBe(0);
});

it('retries the initial list with backoff until it succeeds', async () => {
  const log = recordingLogger();
  storage.failNextLists(new StorageError('/registry/pods/', 'down'), new StorageError('/registry/pods/', 'still down'));
  const cache = newCache(log);
  cache.start();
  await flush();
  const early = cache.list();
  clock.advance(100);
  await flush();
  clock.advance(200);
  await flush();
  await cache.ready;
  await expect(early).resolves.toEqual({ items: [], revision: 0 });
  expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(2);
  await cache.stop();
});

it('answers 429 while it cannot list for longer than the ready timeout', async () => {
  storage.failNextLists(...Array.from({ length: 10 }, () => new StorageError('/registry/pods/', 'down')));
  const cache = newCache();
  cache.start();
  const waiting = cache.watch({}).catch((e: unknown) => e);
  await flush();
  clock.advance(3_000);
  const error = await waiting;
  expect(error).toBeInstanceOf(CacheNotReadyError);
  expect((error as CacheNotReadyError).toStatus().code).toBe(429);
  await cache.stop();
  expect(clock.pendingTimers()).toBe(0);
});

it('stop closes watchers, fails waiting requests, ends the storage watch and leaves no timer', async () => {
  const cache = new WatchCache({ storage, prefix: '/registry/pods/', clock, bookmarkIntervalMs: 1_000, logger: recordingLogger().logger });
  cache.start();
  await cache.ready;
  const reader = new Reader(await cache.watch({ allowBookmarks: true }));
  const waiting = cache.waitUntilFresh(10_000).catch((e: unknown) => e);
  // The bookmark tick, the request's freshness timeout, and the progress requests while it waits.
  expect(clock.pendingTimers()).toBe(3);

  await cache.stop();
  expect(clock.pendingTimers()).toBe(0);
  expect(storage.openWatches()).toBe(0);
  expect(await waiting).toBeInstanceOf(CacheStoppedError);
  const error: unknown = await reader.next().catch((e: unknown) => e);
  expect((error as WatcherTerminatedError).reason).toBe('CacheStopped');
  await expect(cache.watch({})).rejects.toBeInstanceOf(CacheStoppedError);
  expect(cache.getState()).toBe('stopped');
});

it('stop before the first list rejects ready and leaves no retry timer', async () => {
  storage.failNextLists(new StorageError('/registry/pods/', 'down'));
  const cache = newCache();
  cache.start();
  await flush();
  expect(clock.pendingTimers()).toBe(1);
  await cache.stop();
  await expect(cache.ready).rejects.toBeInstanceOf(CacheStoppedError);
  expect(clock.pendingTimers()).toBe(0);
});

it('stop during the first list ends the loop without opening a storage watch', async () => {
  const release = storage.holdLists();
  const cache = newCache();
  cache.start();
  await flush();
  expect(cache.getState()).toBe('initializing');
  const stopped = cache.stop();
  release();
  await stopped;
  await expect(cache.ready).rejects.toBeInstanceOf(CacheStoppedError);
  expect(storage.watchCalls).toBe(0);
  expect(clock.pendingTimers()).toBe(0);
});

it('leaves no real timer behind with the system clock', async () => {
  const cache = new WatchCache({ storage, prefix: '/registry/pods/', clock: systemTimerClock, bookmarkIntervalMs: 60_000, logger: recordingLogger().logger });
  cache.start();
  await cache.ready;
  const watcher = await cache.watch({ allowBookmarks: true });
  const pendingFresh = cache.waitUntilFresh(1_000_000).catch((e: unknown) => e);
  await cache.stop();
  expect(await pendingFresh).toBeInstanceOf(CacheStoppedError);
  watcher.stop();
  // jest reports open handles (run with --detectOpenHandles) if a setTimeout were left running.
});
