// WatchCacheSet: one lazily started cache per prefix, shared, all stopped together.
import { ExpiredError } from '@keelson/api';
import { openMemoryStorage, type SqliteStorage } from '../storage/sqlite';
import { ManualTimerClock } from './clock';
import { CacheStoppedError } from './errors';
import { WatchCacheSet } from './set';
import { ControlledStorage, pod, podKey, recordingLogger } from './testing';

let store: SqliteStorage;
let storage: ControlledStorage;

beforeEach(() => {
  store = openMemoryStorage();
  storage = new ControlledStorage(store);
});

afterEach(async () => {
  await store.close();
});

it('creates one cache per prefix on first use and shares it', async () => {
  const clock = new ManualTimerClock();
  const set = new WatchCacheSet({ storage, clock, logger: recordingLogger().logger, capacities: { '/registry/pods/': 1 } });
  expect(set.prefixes()).toEqual([]);
  const pods = set.get('/registry/pods/');
  expect(set.get('/registry/pods/')).toBe(pods);
  const nodes = set.get('/registry/nodes/');
  expect(nodes).not.toBe(pods);
  await Promise.all([pods.ready, nodes.ready]);
  expect(storage.watchCalls).toBe(2);
  expect(set.prefixes().sort()).toEqual(['/registry/nodes/', '/registry/pods/']);

  // The per-prefix capacity applies: a ring of one change cannot replay two.
  const first = await storage.create(podKey('a', 'p'), pod('a', 'p'));
  await storage.create(podKey('a', 'q'), pod('a', 'q'));
  const third = await storage.create(podKey('a', 'r'), pod('a', 'r'));
  await pods.waitUntilFresh(Number(third.metadata.resourceVersion));
  await expect(pods.watch({ fromRevision: Number(first.metadata.resourceVersion) })).rejects.toBeInstanceOf(ExpiredError);

  await set.stop();
  expect(pods.getState()).toBe('stopped');
  expect(nodes.getState()).toBe('stopped');
  expect(storage.openWatches()).toBe(0);
  expect(clock.pendingTimers()).toBe(0);
  expect(() => set.get('/registry/pods/')).toThrow(CacheStoppedError);
});
