// WatchCache progress: reaching a revision made by writes under other prefixes, as Kubernetes' progress requester does.
import type { StoredObject } from '@keelson/api';
import { openMemoryStorage, type SqliteStorage } from '../storage/sqlite';
import { StorageError } from '../storage/types';
import { WatchCache } from './cache';
import { ManualTimerClock } from './clock';
import { TooLargeResourceVersionError } from './errors';
import { ControlledStorage, Reader, flush, pod, podKey, recordingLogger, summary } from './testing';
import type { WatchCacheOptions } from './types';

let store: SqliteStorage;
let storage: ControlledStorage;
let clock: ManualTimerClock;
let cache: WatchCache;

async function startCache(options: Partial<WatchCacheOptions> = {}): Promise<WatchCache> {
  cache = new WatchCache({ storage, prefix: '/registry/pods/', clock, logger: recordingLogger().logger, retryInitialMs: 100, ...options });
  cache.start();
  await cache.ready;
  return cache;
}

/** A write under another resource: it moves the global revision, not this cache's prefix. */
async function writeElsewhere(name: string): Promise<number> {
  const stored = await storage.create(`/registry/configmaps/default/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name } });
  return revisionOf(stored);
}

function revisionOf(obj: StoredObject): number {
  return Number(obj.metadata.resourceVersion);
}

/** Whether `promise` has settled once queued callbacks have run; the clock does not move. */
async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const mark = (): void => {
    settled = true;
  };
  promise.then(mark, mark);
  await flush();
  return settled;
}

beforeEach(() => {
  store = openMemoryStorage();
  storage = new ControlledStorage(store);
  clock = new ManualTimerClock();
});

afterEach(async () => {
  await cache.stop();
  expect(clock.pendingTimers()).toBe(0);
  await store.close();
});

describe('a revision made by writes to other resources', () => {
  it('is reached at once by waitUntilFresh, through a progress request, instead of a 504 after 3 s', async () => {
    await startCache();
    const pod1 = await storage.create(podKey('a', 'p'), pod('a', 'p'));
    const revision = await writeElsewhere('x');
    expect(revision).toBeGreaterThan(revisionOf(pod1));

    expect(await settlesNow(cache.waitUntilFresh(revision))).toBe(true);
    expect(cache.currentRevision()).toBe(revision);
    expect(storage.progressRequests).toBe(1);
  });

  it('serves the informer pattern: list at the store revision, then watch from it', async () => {
    await startCache();
    await storage.create(podKey('a', 'p'), pod('a', 'p'));
    await writeElsewhere('x');
    await writeElsewhere('y');
    // A list served by storage answers at the store's revision, made by the configmap writes.
    const listed = await storage.list('/registry/pods/');

    const pending = cache.watch({ fromRevision: listed.revision });
    expect(await settlesNow(pending)).toBe(true);
    const reader = new Reader(await pending);
    const fromCache = await cache.list({ minRevision: listed.revision });
    expect(fromCache.revision).toBe(listed.revision);
    expect(fromCache.items).toEqual(listed.items);

    const next = await storage.create(podKey('a', 'q'), pod('a', 'q'));
    expect(summary(await reader.next())).toBe(`ADDED q@${revisionOf(next)}`);
    expect(await reader.poll()).toBeUndefined();
  });

  it('still answers 504 for a revision the store has not reached', async () => {
    await startCache();
    const ahead = (await writeElsewhere('x')) + 5;
    const waiting = cache.waitUntilFresh(ahead).catch((e: unknown) => e);
    await flush();
    expect(cache.currentRevision()).toBe(ahead - 5);
    clock.advance(3_000);
    const error = await waiting;
    expect(error).toBeInstanceOf(TooLargeResourceVersionError);
    expect(error).toMatchObject({ requested: ahead, current: ahead - 5 });
  });
});

describe('progress requests', () => {
  it('are sent at once, then once per interval however many requests wait, and stop when none does', async () => {
    await startCache({ progressRequestIntervalMs: 100 });
    const ahead = (await storage.currentRevision()) + 5;
    const first = cache.waitUntilFresh(ahead).catch((e: unknown) => e);
    const second = cache.list({ minRevision: ahead }).catch((e: unknown) => e);
    const third = cache.watch({ fromRevision: ahead });
    expect(storage.progressRequests).toBe(1);

    clock.advance(99);
    expect(storage.progressRequests).toBe(1);
    clock.advance(1);
    expect(storage.progressRequests).toBe(2);
    clock.advance(1_000);
    expect(storage.progressRequests).toBe(12);

    // The store reaches the revision; the next request's answer releases every waiter, and the asking stops.
    for (let i = 0; i < 5; i++) await writeElsewhere(`w${i}`);
    await flush();
    expect(await settlesNow(first)).toBe(false);
    clock.advance(100);
    expect(storage.progressRequests).toBe(13);
    expect(await first).toBeUndefined();
    expect(await second).toMatchObject({ revision: ahead });
    (await third).stop();
    clock.advance(1_000);
    expect(storage.progressRequests).toBe(13);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('are not sent while nobody waits for a revision the cache lacks', async () => {
    await startCache();
    const revision = await storage.currentRevision();
    await cache.waitUntilFresh(revision);
    await cache.list();
    const watcher = await cache.watch({ fromRevision: revision });
    watcher.stop();
    expect(storage.progressRequests).toBe(0);
  });

  it('end with the waiter that gave up', async () => {
    await startCache();
    const abort = new AbortController();
    const waiting = cache.waitUntilFresh((await storage.currentRevision()) + 1, abort.signal).catch((e: unknown) => e);
    expect(clock.pendingTimers()).toBe(2);
    abort.abort(new Error('client went away'));
    await waiting;
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('the progressed revision', () => {
  it('is what bookmarks carry', async () => {
    await startCache({ bookmarkIntervalMs: 1_000 });
    const reader = new Reader(await cache.watch({ sendInitialEvents: false, allowBookmarks: true }));
    const revision = await writeElsewhere('x');
    await cache.waitUntilFresh(revision);
    clock.advance(1_000);
    expect(await reader.next()).toEqual({ type: 'BOOKMARK', revision, object: { metadata: { resourceVersion: String(revision) } } });
  });

  it('is where a failed storage watch resumes, with no change lost or repeated', async () => {
    await startCache();
    const revision = await writeElsewhere('x');
    const reader = new Reader(await cache.watch({ fromRevision: revision }));

    storage.breakWatches(new StorageError('/registry/pods/', 'connection reset'));
    await flush();
    const during = await storage.create(podKey('a', 'during'), pod('a', 'during'));
    clock.advance(100);
    await flush();
    expect(storage.watchedFrom).toEqual([0, revision]);
    expect(summary(await reader.next())).toBe(`ADDED during@${revisionOf(during)}`);
    expect(await reader.poll()).toBeUndefined();
  });
});
