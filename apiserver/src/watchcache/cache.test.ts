// WatchCache list and watch semantics against the in-memory store: replay, 410, initial events, filters, bookmarks, freshness.
import { ExpiredError } from '@keelson/api';
import { openMemoryStorage, type SqliteStorage } from '../storage/sqlite';
import { WatchCache } from './cache';
import { ManualTimerClock } from './clock';
import { TooLargeResourceVersionError } from './errors';
import { ControlledStorage, Reader, flush, pod, podKey, recordingLogger, summary } from './testing';
import { INITIAL_EVENTS_END_ANNOTATION, type WatchCacheOptions } from './types';

let store: SqliteStorage;
let storage: ControlledStorage;
let clock: ManualTimerClock;
let cache: WatchCache;

async function startCache(options: Partial<WatchCacheOptions> = {}): Promise<WatchCache> {
  cache = new WatchCache({ storage, prefix: '/registry/pods/', clock, logger: recordingLogger().logger, ...options });
  cache.start();
  await cache.ready;
  return cache;
}

/** Writes and waits until the cache has applied the write; returns its revision. */
async function create(namespace: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const stored = await storage.create(podKey(namespace, name), pod(namespace, name, labels));
  const revision = Number(stored.metadata.resourceVersion);
  await cache.waitUntilFresh(revision);
  return revision;
}

async function relabel(namespace: string, name: string, labels: Record<string, string>): Promise<number> {
  const stored = await storage.update(podKey(namespace, name), pod(namespace, name, labels));
  const revision = Number(stored.metadata.resourceVersion);
  await cache.waitUntilFresh(revision);
  return revision;
}

async function remove(namespace: string, name: string): Promise<number> {
  const deleted = await storage.delete(podKey(namespace, name));
  const revision = Number(deleted.metadata.resourceVersion);
  await cache.waitUntilFresh(revision);
  return revision;
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

describe('list', () => {
  it('serves the objects under a prefix, in key order, at the revision they are consistent at', async () => {
    await storage.create(podKey('b', 'one'), pod('b', 'one'));
    await storage.create(podKey('a', 'two'), pod('a', 'two', { app: 'web' }));
    await startCache();
    const r = await create('a', 'one', { app: 'db' });
    await storage.create('/registry/podtemplates/a/x', pod('a', 'x'));

    const all = await cache.list();
    expect(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/one', 'a/two', 'b/one']);
    expect(all.revision).toBe(r);

    const inA = await cache.list({ prefix: '/registry/pods/a/', filter: (o) => o.metadata.labels?.['app'] === 'web' });
    expect(inA.items.map((o) => o.metadata.name)).toEqual(['two']);
  });

  it('waits for a minimum revision, and answers 504 Too large resource version when it never comes', async () => {
    await startCache();
    const stored = await storage.create(podKey('a', 'p'), pod('a', 'p'));
    const revision = Number(stored.metadata.resourceVersion);
    const listed = await cache.list({ minRevision: revision });
    expect(listed.items.map((o) => o.metadata.name)).toEqual(['p']);

    const late = cache.list({ minRevision: revision + 10 });
    await flush();
    clock.advance(3_000);
    const error: unknown = await late.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeResourceVersionError);
    const status = (error as TooLargeResourceVersionError).toStatus();
    expect(status.code).toBe(504);
    expect(status.reason).toBe('Timeout');
    expect(status.details?.causes?.[0]?.reason).toBe('ResourceVersionTooLarge');
  });

  it('gives up waiting when the caller aborts', async () => {
    await startCache();
    const abort = new AbortController();
    const waiting = cache.waitUntilFresh(1_000, abort.signal);
    abort.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('watch from a revision', () => {
  it('replays the buffered changes after that revision, then streams live ones', async () => {
    await startCache();
    const r1 = await create('a', 'p1');
    await create('a', 'p2');
    await relabel('a', 'p1', { v: '2' });

    const reader = new Reader(await cache.watch({ fromRevision: r1 }));
    expect((await reader.take(2)).map(summary)).toEqual([`ADDED p2@${r1 + 1}`, `MODIFIED p1@${r1 + 2}`]);
    const r4 = await remove('a', 'p2');
    expect(summary(await reader.next())).toBe(`DELETED p2@${r4}`);
  });

  it('waits until the cache reaches a revision it has not seen yet', async () => {
    await startCache();
    const current = await storage.currentRevision();
    const pending = cache.watch({ fromRevision: current + 1 });
    await storage.create(podKey('a', 'p'), pod('a', 'p'));
    const reader = new Reader(await pending);
    await storage.create(podKey('a', 'q'), pod('a', 'q'));
    expect(summary(await reader.next())).toBe(`ADDED q@${current + 2}`);
  });

  it('answers 410 Expired for a revision older than the buffer holds', async () => {
    await startCache({ capacity: 3 });
    const revisions: number[] = [];
    for (let i = 0; i < 5; i++) revisions.push(await create('a', `p${i}`));
    // The ring holds the last three changes; the newest one it pushed out is revisions[1].
    const error: unknown = await cache.watch({ fromRevision: revisions[0] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredError);
    expect((error as ExpiredError).code).toBe(410);
    expect((error as ExpiredError).requested).toBe(revisions[0]);
    expect((error as ExpiredError).oldest).toBe(revisions[1]);

    const reader = new Reader(await cache.watch({ fromRevision: revisions[1] }));
    expect((await reader.take(3)).map((e) => e.object.metadata.name)).toEqual(['p2', 'p3', 'p4']);
  });

  it('answers 410 for a revision before the list when nothing has been buffered since', async () => {
    await storage.create(podKey('a', 'p'), pod('a', 'p'));
    await storage.create(podKey('a', 'q'), pod('a', 'q'));
    await startCache();
    await expect(cache.watch({ fromRevision: 1 })).rejects.toBeInstanceOf(ExpiredError);
    const reader = new Reader(await cache.watch({ fromRevision: cache.currentRevision() }));
    const r = await create('a', 'r');
    expect(summary(await reader.next())).toBe(`ADDED r@${r}`);
  });
});

describe('watch without a revision', () => {
  it('sends the current state as ADDED events, then live changes (RV=0 "Any")', async () => {
    await storage.create(podKey('a', 'p'), pod('a', 'p'));
    await storage.create(podKey('b', 'q'), pod('b', 'q'));
    await startCache();
    const listRevision = cache.currentRevision();
    const reader = new Reader(await cache.watch({ prefix: '/registry/pods/a/' }));
    expect(summary(await reader.next())).toBe('ADDED p@1');
    const r = await create('b', 'other');
    const mine = await create('a', 'mine');
    expect(r).toBeLessThan(mine);
    const next = await reader.next();
    expect(summary(next)).toBe(`ADDED mine@${mine}`);
    expect(listRevision).toBe(2);
  });

  it('with sendInitialEvents=false streams only what changes from now', async () => {
    await storage.create(podKey('a', 'p'), pod('a', 'p'));
    await startCache();
    const reader = new Reader(await cache.watch({ sendInitialEvents: false }));
    const r = await relabel('a', 'p', { x: 'y' });
    expect(summary(await reader.next())).toBe(`MODIFIED p@${r}`);
  });

  it('with sendInitialEvents sends ADDED for each object, a bookmark ending them, then live changes', async () => {
    await storage.create(podKey('a', 'p'), pod('a', 'p', { app: 'web' }));
    await storage.create(podKey('a', 'q'), pod('a', 'q'));
    await storage.create(podKey('a', 'r'), pod('a', 'r', { app: 'web' }));
    await startCache();
    const reader = new Reader(
      await cache.watch({ sendInitialEvents: true, allowBookmarks: true, filter: (o) => o.metadata.labels?.['app'] === 'web' }),
    );
    expect((await reader.take(2)).map(summary)).toEqual(['ADDED p@1', 'ADDED r@3']);
    const bookmark = await reader.next();
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      revision: 3,
      object: { metadata: { resourceVersion: '3', annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } },
    });
    const r = await create('a', 's', { app: 'web' });
    expect(summary(await reader.next())).toBe(`ADDED s@${r}`);
  });
});

describe('filters', () => {
  it('turns an update that leaves the selector into DELETED, and one that enters it into ADDED', async () => {
    await startCache();
    const web = (o: { metadata: { labels?: Record<string, string> } }): boolean => o.metadata.labels?.['app'] === 'web';
    const selected = new Reader(await cache.watch({ sendInitialEvents: false, filter: web }));
    const everything = new Reader(await cache.watch({ sendInitialEvents: false }));

    const r1 = await create('a', 'p', { app: 'web' });
    const r2 = await relabel('a', 'p', { app: 'web', tier: 'front' });
    const r3 = await relabel('a', 'p', { app: 'db' });
    const r4 = await relabel('a', 'p', { app: 'web' });
    const r5 = await remove('a', 'p');
    await create('a', 'other', { app: 'db' });

    const seen = await selected.take(5);
    expect(seen.map(summary)).toEqual([`ADDED p@${r1}`, `MODIFIED p@${r2}`, `DELETED p@${r3}`, `ADDED p@${r4}`, `DELETED p@${r5}`]);
    // The DELETED for leaving the selector carries the last state that matched, at the change's revision.
    expect(seen[2]?.object.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(await selected.poll()).toBeUndefined();

    expect((await everything.take(5)).map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  });

  it('applies the same transitions when replaying buffered changes', async () => {
    await startCache();
    const r0 = await create('a', 'p', { app: 'web' });
    const r1 = await relabel('a', 'p', { app: 'db' });
    const reader = new Reader(await cache.watch({ fromRevision: r0, filter: (o) => o.metadata.labels?.['app'] === 'web' }));
    expect(summary(await reader.next())).toBe(`DELETED p@${r1}`);
  });
});

describe('a filter that throws', () => {
  it('ends only that watcher, with the error, and the cache keeps serving others', async () => {
    await startCache();
    const broken = new Reader(
      await cache.watch({
        sendInitialEvents: false,
        filter: () => {
          throw new TypeError('selector bug');
        },
      }),
    );
    const healthy = new Reader(await cache.watch({ sendInitialEvents: false }));
    const r = await create('a', 'p');
    await expect(broken.next()).rejects.toThrow('selector bug');
    expect(summary(await healthy.next())).toBe(`ADDED p@${r}`);
    expect(cache.watcherCountNow()).toBe(1);
  });
});

describe('bookmarks', () => {
  it('sends periodic bookmarks carrying only the revision to watchers that allow them', async () => {
    await startCache({ bookmarkIntervalMs: 1_000 });
    const withBookmarks = new Reader(await cache.watch({ sendInitialEvents: false, allowBookmarks: true }));
    const without = new Reader(await cache.watch({ sendInitialEvents: false }));
    const r = await create('a', 'p');
    clock.advance(1_000);
    expect(summary(await withBookmarks.next())).toBe(`ADDED p@${r}`);
    expect(await withBookmarks.next()).toEqual({ type: 'BOOKMARK', revision: r, object: { metadata: { resourceVersion: String(r) } } });
    expect(summary(await without.next())).toBe(`ADDED p@${r}`);
    expect(await without.poll()).toBeUndefined();

    clock.advance(1_000);
    expect((await withBookmarks.next()).type).toBe('BOOKMARK');
  });

  it('runs no bookmark timer while no watcher wants bookmarks', async () => {
    await startCache({ bookmarkIntervalMs: 1_000 });
    const watcher = await cache.watch({ allowBookmarks: true });
    expect(clock.pendingTimers()).toBe(1);
    watcher.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect(cache.watcherCountNow()).toBe(0);
  });
});

describe('stopping a watcher', () => {
  it('ends its iteration when stopped or when its signal aborts', async () => {
    await startCache();
    const abort = new AbortController();
    const byStop = await cache.watch({ sendInitialEvents: false });
    const bySignal = await cache.watch({ sendInitialEvents: false, signal: abort.signal });
    expect(cache.watcherCountNow()).toBe(2);
    const stopped = new Reader(byStop).ended();
    const aborted = new Reader(bySignal).ended();
    byStop.stop();
    abort.abort();
    await expect(stopped).resolves.toBe(true);
    await expect(aborted).resolves.toBe(true);
    expect(cache.watcherCountNow()).toBe(0);
  });
});
