// Integration tests of the etcd backend against the real etcd of KEELSON_TEST_ETCD: the conformance suite and etcd-only behaviour.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError, ExpiredError } from '@keelson/api';
import type { KubeObject } from '@keelson/api';
import { Etcd3, type IWatchRequest, type IWatchResponse } from 'etcd3';
import { WatchCache } from '../watchcache';
import { WatchReader, describeStorageConformance } from './conformance';
import { EtcdStorage, etcdOrdersProgressRequests, openEtcdStorage, type EtcdStorageConfig } from './etcd';
import {
  FutureRevisionError,
  StorageError,
  KeyNotFoundError,
  RevisionConflictError,
  type StorageEvent,
  type StorageWatch,
} from './types';

function testEndpoint(): string {
  const endpoint = process.env.KEELSON_TEST_ETCD;
  if (endpoint === undefined || endpoint === '') {
    throw new Error('KEELSON_TEST_ETCD is not set; run with `npx jest --selectProjects integration`');
  }
  return endpoint;
}

/** Every store gets its own key prefix, so tests never see each other's keys. */
function isolatedPrefix(): string {
  return `/keelson-test-${randomUUID()}`;
}

function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

/**
 * Only an etcd that orders progress answers gives one within a test's wait; an older one (the
 * 3.4.23 of Debian) answers with its periodic notification, every 10 minutes by default.
 */
const answersProgress = (store: unknown): boolean => store instanceof EtcdStorage && store.watchProgress === 'request';

// The shared suite, on the plain key space and under a key prefix (reopen = a new client, same etcd).
describeStorageConformance('etcd', {
  open: () => openEtcdStorage([testEndpoint()]),
  reopen: () => openEtcdStorage([testEndpoint()]),
  answersProgress,
});
const conformanceRoot = isolatedPrefix();
describeStorageConformance('etcd with keyPrefix', {
  open: () => openEtcdStorage([testEndpoint()], { keyPrefix: conformanceRoot }),
  reopen: () => openEtcdStorage([testEndpoint()], { keyPrefix: conformanceRoot }),
  answersProgress,
});

// An etcd whose periodic progress notifications come every 100 ms answers on every version.
describe('an etcd with frequent progress notifications', () => {
  let etcd: SpawnedEtcd;
  beforeAll(async () => {
    etcd = await spawnEtcd(['--experimental-watch-progress-notify-interval=100ms']);
  });
  afterAll(async () => {
    await etcd.stop();
  });

  describeStorageConformance('etcd notifying progress every 100 ms', {
    open: () => openEtcdStorage([etcd.endpoint]),
    reopen: () => openEtcdStorage([etcd.endpoint]),
  });

  it('lets a watch cache reach a revision made under another prefix well before its 3 s freshness timeout', async () => {
    const storage = await openEtcdStorage([etcd.endpoint], { keyPrefix: isolatedPrefix() });
    const cache = new WatchCache({ storage, prefix: '/registry/pods/' });
    try {
      cache.start();
      await cache.ready;
      const pod = await storage.create('/registry/pods/default/p', { ...configMap('p'), kind: 'Pod' });
      const elsewhere = await storage.create(key('x'), configMap('x'));
      const revision = Number(elsewhere.metadata.resourceVersion);
      expect(revision).toBeGreaterThan(Number(pod.metadata.resourceVersion));

      const started = Date.now();
      await cache.waitUntilFresh(revision);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(cache.currentRevision()).toBeGreaterThanOrEqual(revision);
      expect((await cache.list({ minRevision: revision })).items.map((o) => o.metadata.name)).toEqual(['p']);
    } finally {
      await cache.stop();
      await storage.close();
    }
  });
});

describe('which etcd answers a progress request in order', () => {
  it('is 3.4.31+, 3.5.13+ and 3.6+, the versions Kubernetes requires', () => {
    for (const v of ['3.4.31', '3.4.40', '3.5.13', '3.5.21', '3.6.0', '3.6.4', 'v3.7.0-alpha.0', '4.0.0']) expect([v, etcdOrdersProgressRequests(v)]).toEqual([v, true]);
    for (const v of ['3.4.23', '3.4.30', '3.5.0', '3.5.12', '3.3.27', '2.3.8', 'unknown', '']) expect([v, etcdOrdersProgressRequests(v)]).toEqual([v, false]);
  });

  it('decides how watches learn their progress from the version of the etcd they talk to', async () => {
    const raw = new Etcd3({ hosts: testEndpoint() });
    try {
      const { version } = await raw.maintenance.status();
      const auto = await openEtcdStorage([testEndpoint()]);
      const notify = await openEtcdStorage([testEndpoint()], { watchProgress: 'notify' });
      expect(auto.watchProgress).toBe(etcdOrdersProgressRequests(version) ? 'request' : 'notify');
      expect(notify.watchProgress).toBe('notify');
      await Promise.all([auto.close(), notify.close()]);
    } finally {
      raw.close();
    }
  });
});

// The etcd here cannot show the `request` mode, so the watch's side of that protocol is checked
// against a stream double that answers as etcd does (watch id -1 for an answer, the watch's own
// id for a periodic notification: both seen on a real etcd 3.4.23).
describe('EtcdWatch progress over a scripted watch stream', () => {
  const prefix = '/registry/pods/';
  let etcd: ScriptedEtcd;
  let storage: EtcdStorage;
  const open = (watchProgress: EtcdStorageConfig['watchProgress']): void => {
    etcd = new ScriptedEtcd();
    storage = new EtcdStorage(etcd.client, { maxReceiveMessageBytes: 1 << 20, watchRetryMs: 5_000, keyPrefix: '', watchProgress });
  };
  afterEach(async () => {
    await storage.close();
  });

  it('request mode: asks once the create is confirmed, and yields the answer after the events before it', async () => {
    open('request');
    const w = new WatchReader(storage.watch(prefix, { fromRevision: 10 }));
    const stream = await etcd.stream(0);
    expect(stream.written).toEqual([expect.objectContaining({ create_request: expect.objectContaining({ start_revision: 11, progress_notify: true }) })]);

    w.requestProgress();
    expect(stream.written).toHaveLength(1);
    stream.respond({ created: true, watch_id: '7', revision: 12 });
    expect(stream.written[1]).toEqual({ progress_request: {} });
    stream.respond({ watch_id: '7', revision: 13, events: [put(`${prefix}a`, 13)] });
    stream.respond({ watch_id: '-1', revision: 20 });
    expect((await w.untilProgress()).before.map((e) => [e.key, e.revision])).toEqual([[`${prefix}a`, 13]]);

    // An answer never goes below what the events proved.
    w.requestProgress();
    stream.respond({ watch_id: '7', revision: 25, events: [put(`${prefix}b`, 25)] });
    stream.respond({ watch_id: '-1', revision: 21 });
    expect(await w.untilProgress()).toEqual({ before: [expect.objectContaining({ revision: 25 })], progress: { type: 'PROGRESS', revision: 25 } });
  });

  it('notify mode: sends no request, ignores an answer it did not order, and is answered by the periodic notification', async () => {
    open('notify');
    const w = new WatchReader(storage.watch(prefix, { fromRevision: 10 }));
    const stream = await etcd.stream(0);
    stream.respond({ created: true, watch_id: '3', revision: 10 });
    w.requestProgress();
    stream.respond({ watch_id: '-1', revision: 30 });
    stream.respond({ watch_id: '3', revision: 31 });
    expect(await w.untilProgress()).toEqual({ before: [], progress: { type: 'PROGRESS', revision: 31 } });
    expect(stream.written).toHaveLength(1);
  });

  it('yields no PROGRESS unasked, but resumes a broken stream after the revision a notification proved', async () => {
    open('notify');
    const w = new WatchReader(storage.watch(prefix, { fromRevision: 10 }));
    const first = await etcd.stream(0);
    first.respond({ created: true, watch_id: '0', revision: 10 });
    first.respond({ watch_id: '0', revision: 40 });
    first.respond({ watch_id: '0', revision: 41, events: [put(`${prefix}a`, 41)] });
    expect((await w.take(1)).map((e) => e.revision)).toEqual([41]);

    first.emit('end');
    const second = await etcd.stream(1);
    expect(second.written[0]?.create_request?.start_revision).toBe(42);
    second.respond({ created: true, watch_id: '0', revision: 41 });
    second.respond({ watch_id: '0', revision: 50 });
    second.respond({ watch_id: '0', revision: 51, events: [put(`${prefix}b`, 51)] });
    expect((await w.take(1)).map((e) => e.revision)).toEqual([51]);
  });

  it('asks again on the stream that replaces one that broke before answering', async () => {
    open('request');
    const w = new WatchReader(storage.watch(prefix, { fromRevision: 10 }));
    const first = await etcd.stream(0);
    first.respond({ created: true, watch_id: '0', revision: 10 });
    w.requestProgress();
    expect(first.written[1]).toEqual({ progress_request: {} });
    first.emit('end');

    const second = await etcd.stream(1);
    expect(second.written).toHaveLength(1);
    second.respond({ created: true, watch_id: '0', revision: 12 });
    expect(second.written[1]).toEqual({ progress_request: {} });
    second.respond({ watch_id: '-1', revision: 12 });
    expect((await w.untilProgress()).progress).toEqual({ type: 'PROGRESS', revision: 12 });
  });
});

const key = (name: string): string => `/registry/configmaps/default/${name}`;
const prefix = '/registry/configmaps/default/';

describe('EtcdStorage against a real etcd', () => {
  const open: EtcdStorage[] = [];
  const raw: Etcd3[] = [];

  async function store(keyPrefix: string, endpoint = testEndpoint(), watchRetryMs = 20_000): Promise<EtcdStorage> {
    const s = await openEtcdStorage([endpoint], { keyPrefix, watchRetryMs });
    open.push(s);
    return s;
  }

  function rawClient(): Etcd3 {
    const c = new Etcd3({ hosts: testEndpoint() });
    raw.push(c);
    return c;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    for (const c of raw.splice(0)) c.close();
  });

  it('stores JSON without resourceVersion and reports the mod revision as it', async () => {
    const root = isolatedPrefix();
    const s = await store(root);
    const created = await s.create(key('a'), { ...configMap('a'), metadata: { name: 'a', resourceVersion: '999' } });
    const value = await rawClient().get(`${root}${key('a')}`).string();
    expect(value).not.toBeNull();
    expect(JSON.parse(value ?? '{}')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: {} });
    const kv = (await rawClient().get(`${root}${key('a')}`).exec()).kvs[0];
    expect(created.metadata.resourceVersion).toBe(kv?.mod_revision);
  });

  it('compare-and-swap holds across two clients', async () => {
    const root = isolatedPrefix();
    const a = await store(root);
    const b = await store(root);
    const created = await a.create(key('cas'), configMap('cas', { v: '0' }));
    const rv = Number(created.metadata.resourceVersion);

    const fromB = await b.update(key('cas'), configMap('cas', { v: 'b' }), { expectedRevision: rv });
    const err = await a.update(key('cas'), configMap('cas', { v: 'a' }), { expectedRevision: rv }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevisionConflictError);
    expect(err).toMatchObject({ expected: rv, actual: Number(fromB.metadata.resourceVersion) });
    expect((await a.get(key('cas')))?.data).toEqual({ v: 'b' });

    // Of many concurrent CAS writers from both clients on the same revision, exactly one wins.
    const current = Number(fromB.metadata.resourceVersion);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).update(key('cas'), configMap('cas', { v: String(i) }), { expectedRevision: current }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionConflictError);
    }
  });

  it('update and delete of a missing key throw KeyNotFoundError, also with a precondition', async () => {
    const s = await store(isolatedPrefix());
    await expect(s.update(key('nope'), configMap('nope'))).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(s.update(key('nope'), configMap('nope'), { expectedRevision: 0 })).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(s.delete(key('nope'), { expectedRevision: 5 })).rejects.toBeInstanceOf(KeyNotFoundError);
    expect(await s.get(key('nope'))).toBeUndefined();
  });

  it('lists more than gRPC’s default 4 MiB message in one page', async () => {
    const root = isolatedPrefix();
    const s = await store(root);
    const c = rawClient();
    const filler = 'x'.repeat(1000);
    const n = 6000;
    for (let i = 0; i < n; i += 100) {
      const ops = Array.from({ length: Math.min(100, n - i) }, (_, j) =>
        c.put(`${root}${key(`big-${String(i + j).padStart(5, '0')}`)}`).value(JSON.stringify(configMap(`big-${i + j}`, { filler }))),
      );
      await c.if(`${root}/nothing`, 'Create', '==', 0).then(...ops).commit();
    }
    const all = await s.list(prefix);
    expect(all.items).toHaveLength(n);
    expect(all.continue).toBeUndefined();
  });

  it('pages at one revision while writes continue, with remainingItemCount', async () => {
    const s = await store(isolatedPrefix());
    for (let i = 0; i < 7; i++) await s.create(key(`p${i}`), configMap(`p${i}`));
    const first = await s.list(prefix, { limit: 3 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(['p0', 'p1', 'p2']);
    expect(first.remainingItemCount).toBe(4);
    await s.create(key('p3a'), configMap('p3a'));
    await s.delete(key('p5'));
    const second = await s.list(prefix, { limit: 3, continue: first.continue });
    expect(second.revision).toBe(first.revision);
    expect(second.items.map((o) => o.metadata.name)).toEqual(['p3', 'p4', 'p5']);
    const third = await s.list(prefix, { limit: 3, continue: second.continue });
    expect(third.items.map((o) => o.metadata.name)).toEqual(['p6']);
    expect(third.continue).toBeUndefined();
    expect(third.remainingItemCount).toBeUndefined();
  });

  it('refuses a malformed continue token, or one from another list, as a bad request', async () => {
    const s = await store(isolatedPrefix());
    for (let i = 0; i < 3; i++) await s.create(key(`t${i}`), configMap(`t${i}`));
    const page = await s.list(prefix, { limit: 1 });
    expect(page.continue).toEqual(expect.any(String));
    await expect(s.list(prefix, { continue: 'not a token' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(s.list('/registry/secrets/default/', { continue: page.continue })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('list at a compacted revision throws ExpiredError with the compaction revision; a future one FutureRevisionError', async () => {
    const s = await store(isolatedPrefix());
    const old = await s.create(key('c'), configMap('c'));
    const oldRev = Number(old.metadata.resourceVersion);
    const newer = await s.update(key('c'), configMap('c', { v: '1' }));
    const compactTo = Number(newer.metadata.resourceVersion);
    await s.compact(compactTo);
    const err = await s.list(prefix, { revision: oldRev }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpiredError);
    expect(err).toMatchObject({ requested: oldRev });
    expect((err as ExpiredError).oldest).toBeGreaterThanOrEqual(compactTo);
    const now = await s.currentRevision();
    await expect(s.list(prefix, { revision: now + 1000 })).rejects.toBeInstanceOf(FutureRevisionError);
  });

  it('a watch from a compacted revision throws ExpiredError instead of starting later', async () => {
    const s = await store(isolatedPrefix());
    const a = await s.create(key('w'), configMap('w'));
    const b = await s.update(key('w'), configMap('w', { v: '1' }));
    await s.compact(Number(b.metadata.resourceVersion));
    const w = s.watch(prefix, { fromRevision: Number(a.metadata.resourceVersion) - 1 });
    const err = await collect(w, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpiredError);
    expect(err).toMatchObject({ oldest: Number(b.metadata.resourceVersion) });
  });

  describe('through a proxy that can cut the connection', () => {
    let proxy: CuttableProxy;
    beforeEach(async () => {
      proxy = await CuttableProxy.start(testEndpoint());
    });
    afterEach(async () => {
      await proxy.close();
    });

    it('a watch resumes after the connection drops with no gap and no duplicate', async () => {
      const root = isolatedPrefix();
      const direct = await store(root);
      const viaProxy = await store(root, proxy.endpoint);
      const from = await direct.currentRevision();
      const w = viaProxy.watch(prefix, { fromRevision: from });
      const events: StorageEvent[] = [];
      const received = (async () => {
        for await (const ev of w) {
          if (ev.type === 'PROGRESS') throw new Error('PROGRESS nobody asked for');
          events.push(ev);
          if (events.length === 60) break;
        }
      })();

      for (let i = 0; i < 20; i++) await direct.create(key(`r${i}`), configMap(`r${i}`));
      // Cut only once the stream has delivered, so the resume point is the watch's own.
      await waitFor(() => events.length === 20);
      const before = proxy.connections;
      proxy.cut(); // established connections die; new ones are refused
      for (let i = 20; i < 40; i++) await direct.create(key(`r${i}`), configMap(`r${i}`));
      proxy.allow();
      for (let i = 40; i < 60; i++) await direct.create(key(`r${i}`), configMap(`r${i}`));

      // Bounded, so a lost event fails with the list of what arrived rather than a test timeout.
      await Promise.race([received, new Promise((r) => setTimeout(r, 3_000))]);
      w.stop();
      await received;
      expect(events.map((e) => e.object.metadata.name)).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`));
      const revs = events.map((e) => e.revision);
      expect(revs).toEqual([...revs].sort((x, y) => x - y));
      expect(new Set(revs).size).toBe(60);
      expect(proxy.connections).toBeGreaterThan(before);
    });

    it('stopping watches is not taken for a failing etcd (the client keeps working)', async () => {
      const s = await store(isolatedPrefix());
      const from = await s.currentRevision();
      await s.create(key('h'), configMap('h'));
      // Each stop cancels a gRPC stream; etcd3 counts errors on writable streams against the
      // host, and three in a row open its circuit breaker, failing every call for seconds.
      const watches = Array.from({ length: 4 }, () => s.watch(prefix, { fromRevision: from }));
      for (const w of watches) expect(await collect(w, 1)).toHaveLength(1);
      // The streams' cancellation errors arrive asynchronously; give them time to be counted.
      await new Promise((r) => setTimeout(r, 200));
      expect((await s.get(key('h')))?.metadata.name).toBe('h');
    });

    it('a watch that cannot reconnect within watchRetryMs throws instead of hanging', async () => {
      const root = isolatedPrefix();
      const viaProxy = await store(root, proxy.endpoint, 1_000);
      const w = viaProxy.watch(prefix, { fromRevision: await viaProxy.currentRevision() });
      const done = collect(w, 1).catch((e: unknown) => e);
      await waitFor(() => proxy.connections > 0);
      proxy.cut();
      const started = Date.now();
      const err = await done;
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/could not resume/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('a watch cut off while its history is compacted throws ExpiredError rather than skip', async () => {
      const root = isolatedPrefix();
      const direct = await store(root);
      const viaProxy = await store(root, proxy.endpoint);
      const from = await direct.currentRevision();
      const w = viaProxy.watch(prefix, { fromRevision: from });
      const seen: StorageEvent[] = [];
      const done = (async () => {
        for await (const ev of w) {
          if (ev.type === 'PROGRESS') throw new Error('PROGRESS nobody asked for');
          seen.push(ev);
        }
      })();

      await direct.create(key('x0'), configMap('x0'));
      await waitFor(() => seen.length === 1);
      proxy.cut();
      const x1 = await direct.create(key('x1'), configMap('x1'));
      const x2 = await direct.update(key('x1'), configMap('x1', { v: '2' }));
      await direct.compact(Number(x2.metadata.resourceVersion));
      proxy.allow();

      const err = await done.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExpiredError);
      expect(err).toMatchObject({ requested: Number(x1.metadata.resourceVersion) - 1 });
      expect(seen.map((e) => e.object.metadata.name)).toEqual(['x0']);
    });
  });
});

/** An etcd member of this test's own, for flags the shared one does not have. */
interface SpawnedEtcd {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts `etcd` from PATH on free loopback ports with `extraFlags`, and waits until it answers.
 * e2e's startEtcd cannot pass flags, and apiserver cannot import e2e (it is built after it).
 */
async function spawnEtcd(extraFlags: string[]): Promise<SpawnedEtcd> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'keelson-etcd-'));
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const peer = `http://127.0.0.1:${await freePort()}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
    const child = spawn(
      'etcd',
      [
        `--data-dir=${dir}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--log-level=error',
        ...extraFlags,
      ],
      { env, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    };
    const client = new Etcd3({ hosts: endpoint });
    try {
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await client.maintenance.status();
          return { endpoint, stop };
        } catch (err: unknown) {
          if (Date.now() > deadline || child.exitCode !== null) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } catch (err: unknown) {
      await stop();
      // The free ports may have been taken in between; try fresh ones.
      if (attempt >= 3) throw err;
    } finally {
      client.close();
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      server.close(() => (addr !== null && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A stand-in for the etcd3 client that hands out scripted watch streams. */
class ScriptedEtcd {
  readonly streams: ScriptedWatchStream[] = [];
  readonly client = {
    watchClient: {
      watch: (): Promise<ScriptedWatchStream> => {
        const stream = new ScriptedWatchStream();
        this.streams.push(stream);
        return Promise.resolve(stream);
      },
    },
    close: (): void => undefined,
  } as unknown as Etcd3;

  /** The `index`th stream the watch opened, once it has sent its create request. */
  async stream(index: number): Promise<ScriptedWatchStream> {
    await waitFor(() => (this.streams[index]?.written.length ?? 0) > 0, 5_000);
    const stream = this.streams[index];
    if (stream === undefined) throw new Error(`no stream ${index}`);
    return stream;
  }
}

/** A watch stream whose requests are recorded and whose responses the test writes. */
class ScriptedWatchStream extends EventEmitter {
  readonly written: IWatchRequest[] = [];

  write(req: IWatchRequest): boolean {
    this.written.push(req);
    return true;
  }

  end(): void {}

  cancel(): void {}

  respond(r: { revision: number; watch_id?: string; created?: boolean; events?: IWatchResponse['events'] }): void {
    const res: IWatchResponse = {
      header: { cluster_id: '1', member_id: '1', revision: String(r.revision), raft_term: '1' },
      watch_id: r.watch_id ?? '0',
      created: r.created ?? false,
      canceled: false,
      compact_revision: '0',
      cancel_reason: '',
      fragment: false,
      events: r.events ?? [],
    };
    this.emit('data', res);
  }
}

/** A put event creating `key` at `revision`. */
function put(key: string, revision: number): IWatchResponse['events'][number] {
  const kv = {
    key: Buffer.from(key),
    value: Buffer.from(JSON.stringify(configMap(key.split('/').pop() ?? ''))),
    create_revision: String(revision),
    mod_revision: String(revision),
    version: '1',
    lease: '0',
  };
  return { type: 'Put', kv, prev_kv: undefined as unknown as typeof kv };
}

/** The first `n` events of a watch, then stops it. */
async function collect(w: StorageWatch, n: number): Promise<StorageEvent[]> {
  const out: StorageEvent[] = [];
  for await (const ev of w) {
    if (ev.type === 'PROGRESS') throw new Error('PROGRESS nobody asked for');
    out.push(ev);
    if (out.length === n) break;
  }
  return out;
}

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP proxy to etcd whose connections can be cut and refused, to break gRPC streams. */
class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private refusing = false;
  endpoint = '';
  connections = 0;
  bytesDown = 0;

  private constructor(private readonly target: URL) {
    this.server = createServer((down) => this.accept(down));
  }

  static async start(target: string): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(new URL(target));
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = proxy.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('proxy has no port');
    proxy.endpoint = `http://127.0.0.1:${addr.port}`;
    return proxy;
  }

  private accept(down: Socket): void {
    if (this.refusing) {
      down.destroy();
      return;
    }
    this.connections++;
    const up = connect(Number(this.target.port), this.target.hostname);
    this.sockets.add(down);
    this.sockets.add(up);
    const drop = (): void => {
      down.destroy();
      up.destroy();
      this.sockets.delete(down);
      this.sockets.delete(up);
    };
    down.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
    up.on('data', (b: Buffer) => {
      this.bytesDown += b.length;
    });
    down.pipe(up);
    up.pipe(down);
  }

  /** Destroys every open connection and refuses new ones until allow(). */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  allow(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}
