// Informer over a fake list/watch: handlers, tombstones after relist, resync, indexers, re-entrancy, the factory.
import { ForbiddenError, type ConfigMap, type Pod, type Status } from '@keelson/api';
import { FakeClock, flushMicrotasks } from './clock';
import { namespaceIndex, nodeNameIndex, ownerUidIndex } from './cache';
import { ClientUsageError, WatchExpiredError, errorFromStatus } from './errors';
import { SharedInformerFactory } from './factory';
import { DeletedFinalStateUnknown, SharedIndexInformer, deletedObject, type EventHandler, type InformerLogger, type ListerWatcher } from './informer';
import type { ClientConfig } from './kubeconfig';
import { RestClient, type ListOptions, type WatchOptions } from './rest';
import { FakeStream, FakeTransport } from './testing';
import type { ObjectList } from './types';
import type { WatchEvent, WatchStream } from './watch';

const cm = (name: string, rv: string, data: Record<string, string> = {}, ns = 'n'): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, resourceVersion: rv }, data });

/** A watch the test drives: push events, end it with an error. */
class ScriptedWatch implements WatchStream<ConfigMap> {
  resourceVersion: string | undefined;
  stopped = false;
  private readonly queue: (WatchEvent<ConfigMap> | { error: unknown })[] = [];
  private wake: (() => void) | undefined;

  constructor(readonly options: WatchOptions) {
    this.resourceVersion = options.resourceVersion;
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  send(type: WatchEvent<ConfigMap>['type'], object: ConfigMap): void {
    this.queue.push({ type, object });
    this.poke();
  }

  fail(error: unknown): void {
    this.queue.push({ error });
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    this.poke();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<ConfigMap>> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        if ('error' in next) throw next.error;
        yield next;
        continue;
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** The server side: what the next list answers; every watch opened. */
class FakeLW implements ListerWatcher<ConfigMap> {
  items: ConfigMap[] = [];
  rv = '10';
  lists: ListOptions[] = [];
  watches: ScriptedWatch[] = [];
  listError: Error | undefined;
  /** Page size honoured when set, with continue tokens `page:<offset>`. */
  paged = false;
  expireContinue = false;

  async list(options: ListOptions): Promise<ObjectList<ConfigMap>> {
    this.lists.push(options);
    if (this.listError !== undefined) {
      const e = this.listError;
      this.listError = undefined;
      throw e;
    }
    if (this.paged && options.limit !== undefined) {
      if (options.continue !== undefined && this.expireContinue) throw errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'continue token expired' }, 410);
      const start = options.continue !== undefined ? Number(options.continue.slice(5)) : 0;
      const end = start + options.limit;
      const items = this.items.slice(start, end).map((o) => structuredClone(o));
      return { metadata: { resourceVersion: this.rv, ...(end < this.items.length ? { continue: `page:${end}` } : {}) }, items };
    }
    return { metadata: { resourceVersion: this.rv }, items: this.items.map((o) => structuredClone(o)) };
  }

  watch(options: WatchOptions): WatchStream<ConfigMap> {
    const w = new ScriptedWatch(options);
    this.watches.push(w);
    return w;
  }

  get last(): ScriptedWatch {
    const w = this.watches[this.watches.length - 1];
    if (w === undefined) throw new Error('no watch opened');
    return w;
  }
}

/** Records every notification as text. */
function recorder(): { log: string[]; handler: EventHandler<ConfigMap> } {
  const log: string[] = [];
  const d = (o: ConfigMap): string => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`;
  return {
    log,
    handler: {
      onAdd: (o, initial) => log.push(`add ${d(o)}${initial ? ' initial' : ''}`),
      onUpdate: (old, o) => log.push(`update ${d(old)}->${d(o)}`),
      onDelete: (o) => log.push(o instanceof DeletedFinalStateUnknown ? `delete-tombstone ${o.key} ${d(o.obj)}` : `delete ${d(o)}`),
    },
  };
}

function quietLogger(): InformerLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, warn: (m) => warnings.push(m), error: (m) => errors.push(m) };
}

function setup(options: { resyncPeriodMs?: number; freezeObjects?: boolean } = {}): {
  lw: FakeLW;
  informer: SharedIndexInformer<ConfigMap>;
  clock: FakeClock;
  logger: ReturnType<typeof quietLogger>;
  abort: AbortController;
  start: () => Promise<void>;
} {
  const lw = new FakeLW();
  const clock = new FakeClock();
  const logger = quietLogger();
  const informer = new SharedIndexInformer<ConfigMap>(lw, { clock, logger, random: () => 0, backoff: { initialMs: 100, maxMs: 1000, jitter: 0 }, indexers: { [namespaceIndex]: (o) => [o.metadata?.namespace ?? ''] }, ...options });
  const abort = new AbortController();
  return {
    lw,
    informer,
    clock,
    logger,
    abort,
    start: async () => {
      void informer.run(abort.signal);
      await flushMicrotasks();
    },
  };
}

afterEach(async () => {
  await flushMicrotasks();
});

describe('SharedIndexInformer', () => {
  it('lists, syncs, then applies watch events from the list\'s resourceVersion', async () => {
    const { lw, informer, start, abort } = setup();
    lw.items = [cm('a', '5'), cm('b', '7')];
    const { log, handler } = recorder();
    informer.addEventHandler(handler);
    expect(informer.hasSynced()).toBe(false);
    const synced = informer.waitForSync();
    await start();
    expect(await synced).toBe(true);
    expect(log).toEqual(['add a@5 initial', 'add b@7 initial']);
    expect(lw.last.options).toMatchObject({ resourceVersion: '10', allowWatchBookmarks: true });

    lw.last.send('ADDED', cm('c', '11'));
    lw.last.send('MODIFIED', cm('a', '12', { k: 'v' }));
    lw.last.send('DELETED', cm('b', '13'));
    lw.last.send('BOOKMARK', { metadata: { resourceVersion: '20' } });
    lw.last.send('DELETED', cm('never-seen', '21'));
    await flushMicrotasks();
    expect(log.slice(2)).toEqual(['add c@11', 'update a@5->a@12', 'delete b@13']);
    expect(informer.lister.list().map((o) => o.metadata?.name).sort()).toEqual(['a', 'c']);
    expect(informer.lister.get('n', 'a')?.data).toEqual({ k: 'v' });
    expect(informer.lastSyncResourceVersion()).toBe('21');
    abort.abort();
  });

  it('relists after a 410, delivering tombstones for objects deleted while away', async () => {
    const { lw, informer, start, abort, logger } = setup();
    lw.items = [cm('keep', '1'), cm('change', '2'), cm('gone', '3')];
    const { log, handler } = recorder();
    informer.addEventHandler(handler);
    await start();
    log.length = 0;
    const first = lw.last;

    // While the informer was not watching: one changed, one deleted, one created.
    lw.items = [cm('keep', '1'), cm('change', '30'), cm('new', '31')];
    lw.rv = '40';
    first.fail(new WatchExpiredError('10', errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (35)' }, 410)));
    await flushMicrotasks();

    expect(lw.lists).toHaveLength(2);
    expect(log).toEqual(['update change@2->change@30', 'add new@31', 'delete-tombstone n/gone gone@3']);
    expect(informer.lister.list().map((o) => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`).sort()).toEqual(['change@30', 'keep@1', 'new@31']);
    expect(lw.last).not.toBe(first);
    expect(first.stopped).toBe(true);
    expect(lw.last.options.resourceVersion).toBe('40');
    expect(informer.listCount()).toBe(2);
    expect(logger.warnings).toEqual(['watch expired; relisting']);
    abort.abort();
  });

  it('keeps object identity for unchanged objects across a relist', async () => {
    const { lw, informer, start, abort } = setup();
    lw.items = [cm('a', '1')];
    await start();
    const before = informer.lister.get('n', 'a');
    lw.last.fail(new WatchExpiredError('10', errorFromStatus({ kind: 'Status', code: 410, reason: 'Gone', message: 'gone' }, 410)));
    await flushMicrotasks();
    expect(informer.lister.get('n', 'a')).toBe(before);
    abort.abort();
  });

  it('retries a failed list with backoff on the injected clock', async () => {
    const { lw, informer, start, abort, clock, logger } = setup();
    lw.listError = new ForbiddenError('configmaps is forbidden');
    lw.items = [cm('a', '1')];
    await start();
    expect(informer.hasSynced()).toBe(false);
    expect(logger.errors).toEqual(['list/watch failed; retrying']);
    await clock.advanceAsync(99);
    expect(lw.lists).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(lw.lists).toHaveLength(2);
    expect(informer.hasSynced()).toBe(true);
    abort.abort();
  });

  it('lists in pages, and relists unpaged when a continue token expires', async () => {
    const { lw, informer, abort } = setup();
    lw.paged = true;
    lw.items = Array.from({ length: 5 }, (_v, i) => cm(`c${i}`, String(i + 1)));
    const paged = new SharedIndexInformer<ConfigMap>(lw, { pageSize: 2, clock: new FakeClock(), logger: quietLogger() });
    const run = paged.run(abort.signal);
    await flushMicrotasks();
    expect(lw.lists.map((l) => l.continue)).toEqual([undefined, 'page:2', 'page:4']);
    expect(paged.lister.list()).toHaveLength(5);
    lw.expireContinue = true;
    lw.lists = [];
    const other = new SharedIndexInformer<ConfigMap>(lw, { pageSize: 2, clock: new FakeClock(), logger: quietLogger() });
    const run2 = other.run(abort.signal);
    await flushMicrotasks();
    expect(lw.lists.map((l) => [l.limit, l.continue])).toEqual([
      [2, undefined],
      [2, 'page:2'],
      [undefined, undefined],
    ]);
    expect(other.lister.list()).toHaveLength(5);
    abort.abort();
    await Promise.all([run, run2]);
    expect(informer.isRunning()).toBe(false);
  });

  it('resyncs every handler with update(obj, obj) on its own period', async () => {
    const { lw, informer, start, abort, clock } = setup({ resyncPeriodMs: 1000 });
    lw.items = [cm('a', '1'), cm('b', '2')];
    const fast = recorder();
    const slow = recorder();
    informer.addEventHandler(fast.handler);
    informer.addEventHandler(slow.handler, { resyncPeriodMs: 3000 });
    await start();
    fast.log.length = 0;
    slow.log.length = 0;
    await clock.advanceAsync(1000);
    expect(fast.log).toEqual(['update a@1->a@1', 'update b@2->b@2']);
    expect(slow.log).toEqual([]);
    await clock.advanceAsync(2000);
    expect(fast.log).toHaveLength(6);
    expect(slow.log).toEqual(['update a@1->a@1', 'update b@2->b@2']);
    abort.abort();
    await flushMicrotasks();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('replays the cache to a handler added after sync, and stops notifying a removed one', async () => {
    const { lw, informer, start, abort } = setup();
    lw.items = [cm('a', '1')];
    await start();
    const late = recorder();
    const reg = informer.addEventHandler(late.handler);
    expect(late.log).toEqual(['add a@1 initial']);
    expect(reg.hasSynced()).toBe(true);
    reg.remove();
    lw.last.send('ADDED', cm('b', '2'));
    await flushMicrotasks();
    expect(late.log).toEqual(['add a@1 initial']);
    abort.abort();
  });

  it('is re-entrancy safe: a handler may read the cache and register handlers mid-dispatch', async () => {
    const { lw, informer, start, abort } = setup();
    lw.items = [cm('a', '1'), cm('b', '2')];
    const inner = recorder();
    const seenSizes: number[] = [];
    let registered = false;
    informer.addEventHandler({
      onAdd: () => {
        seenSizes.push(informer.lister.list().length);
        if (!registered) {
          registered = true;
          informer.addEventHandler(inner.handler);
        }
      },
    });
    await start();
    // The cache was complete before any handler ran; the handler added mid-dispatch got one
    // replay of the cache and none of the rest of the batch.
    expect(seenSizes).toEqual([2, 2]);
    expect(inner.log).toEqual(['add a@1 initial', 'add b@2 initial']);
    lw.last.send('ADDED', cm('c', '3'));
    await flushMicrotasks();
    expect(inner.log).toEqual(['add a@1 initial', 'add b@2 initial', 'add c@3']);
    abort.abort();
  });

  it('isolates a failing handler from the others and logs it', async () => {
    const { lw, informer, start, abort, logger } = setup();
    lw.items = [cm('a', '1')];
    const good = recorder();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('boom');
      },
    });
    informer.addEventHandler(good.handler);
    await start();
    expect(good.log).toEqual(['add a@1 initial']);
    expect(logger.errors).toEqual(['informer event handler failed']);
    abort.abort();
  });

  it('freezes cached objects on request, so a handler that mutates one fails loudly', async () => {
    const { lw, informer, start, abort, logger } = setup({ freezeObjects: true });
    lw.items = [cm('a', '1', { k: 'v' })];
    informer.addEventHandler({
      onAdd: (o) => {
        o.data!['k'] = 'changed';
      },
    });
    await start();
    expect(informer.lister.get('n', 'a')?.data).toEqual({ k: 'v' });
    expect(logger.errors).toEqual(['informer event handler failed']);
    abort.abort();
  });

  it('waitForSync resolves false when stopped or aborted first; run is once only', async () => {
    const { lw, informer, start, abort } = setup();
    lw.listError = new ForbiddenError('no');
    const waiter = new AbortController();
    const w1 = informer.waitForSync(waiter.signal);
    waiter.abort();
    expect(await w1).toBe(false);
    const w2 = informer.waitForSync();
    await start();
    abort.abort();
    await flushMicrotasks();
    expect(await w2).toBe(false);
    await expect(informer.run(new AbortController().signal)).rejects.toBeInstanceOf(ClientUsageError);
  });

  it('passes selectors to list and watch', async () => {
    const lw = new FakeLW();
    const abort = new AbortController();
    const informer = new SharedIndexInformer<ConfigMap>(lw, { labelSelector: { app: 'web' }, fieldSelector: 'metadata.name=a', watchTimeoutSeconds: 300, clock: new FakeClock(), logger: quietLogger() });
    const run = informer.run(abort.signal);
    await flushMicrotasks();
    expect(lw.lists[0]).toMatchObject({ labelSelector: { app: 'web' }, fieldSelector: 'metadata.name=a', limit: 500 });
    expect(lw.last.options).toMatchObject({ labelSelector: { app: 'web' }, fieldSelector: 'metadata.name=a', timeoutSeconds: 300 });
    abort.abort();
    await run;
  });

  it('deletedObject unwraps tombstones', () => {
    const o = cm('a', '1');
    expect(deletedObject(o)).toBe(o);
    expect(deletedObject(new DeletedFinalStateUnknown('n/a', o))).toBe(o);
  });
});

describe('SharedInformerFactory over a scripted transport', () => {
  const config: ClientConfig = { server: 'http://api.test', namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' };

  it('shares one informer per resource, indexes by owner and node, syncs and shuts down', async () => {
    const pod = (name: string, node: string, owner: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'n', resourceVersion: '3', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] },
      spec: { containers: [], nodeName: node },
    });
    const watchStream = new FakeStream();
    const transport = new FakeTransport((req) => {
      const url = new URL(req.url);
      if (url.searchParams.get('watch') === 'true') return { stream: watchStream };
      if (url.pathname === '/api/v1/namespaces/n/pods') return { body: { kind: 'PodList', metadata: { resourceVersion: '5' }, items: [pod('p1', 'node-a', 'rs-1'), pod('p2', 'node-b', 'rs-1')] } };
      const notFound: Status = { kind: 'Status', code: 404, reason: 'NotFound', message: 'nope' };
      return { status: 404, body: notFound };
    });
    const clock = new FakeClock();
    const client = new RestClient({ config, transport, clock, timeoutMs: 0 });
    const factory = new SharedInformerFactory(client, { namespace: 'n', clock, logger: quietLogger() });
    const pods = factory.forKind('v1', 'Pod');
    expect(factory.forKind('v1', 'Pod')).toBe(pods);
    const { log, handler } = recorder();
    pods.addEventHandler(handler as unknown as EventHandler<Pod>);
    const abort = new AbortController();
    factory.start(abort.signal);
    expect(await factory.waitForCacheSync()).toBe(true);
    expect(log).toEqual(['add p1@3 initial', 'add p2@3 initial']);
    expect(pods.lister.byIndex(nodeNameIndex, 'node-b').map((p) => p.metadata?.name)).toEqual(['p2']);
    expect(pods.lister.byIndex(ownerUidIndex, 'rs-1')).toHaveLength(2);
    expect(transport.url(1).searchParams.get('resourceVersion')).toBe('5');
    expect(transport.url(1).pathname).toBe('/api/v1/namespaces/n/pods');

    watchStream.event('DELETED', pod('p1', 'node-a', 'rs-1'));
    await flushMicrotasks();
    expect(log).toEqual(['add p1@3 initial', 'add p2@3 initial', 'delete p1@3']);
    expect(pods.lister.byIndex(nodeNameIndex, 'node-a')).toEqual([]);

    await factory.shutdown();
    expect(pods.isRunning()).toBe(false);
    expect(watchStream.cancelled).toBe(true);
  });
});
