// Informers against a real API server with a 10-change watch cache: a forced 410 relists and the cache stays right.
import type { ConfigMap } from '@keelson/api';
import { run, testBackends, uniqueName, type RunningApiServer } from '@keelson/apiserver';
import { isExpired } from './errors';
import { SharedInformerFactory } from './factory';
import { DeletedFinalStateUnknown, type InformerLogger } from './informer';
import { RestClient } from './rest';
import { TcpProxy } from './testing';

function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
}

/** See watch.int.test.ts: the server starts a kind's watch cache lazily, at the revision of that moment. */
async function primeWatchCache(client: RestClient, apiVersion: string, kind: string): Promise<void> {
  const w = client.resource(apiVersion, kind).watch({ resourceVersion: '0', sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' });
  for await (const ev of w) if (ev.type === 'BOOKMARK') break;
}

const capacity = 10;

describe.each(testBackends())('informer against the API server on $name, with a watch cache of 10 changes', ({ uri }) => {
  let abort: AbortController;
  let server: RunningApiServer;
  let cleanup: () => void;
  let direct: RestClient;
  let ns: string;

  beforeAll(async () => {
    const storage = uri();
    cleanup = storage.cleanup;
    abort = new AbortController();
    server = run({ storage: storage.uri, port: 0, bindAddress: '127.0.0.1', quiet: true, logLevel: 'error', watchCacheCapacity: capacity }, abort.signal);
    await server.ready;
    direct = clientFor(server.url());
    await primeWatchCache(direct, 'v1', 'ConfigMap');
  });

  afterAll(async () => {
    direct?.close();
    abort?.abort();
    await server?.done;
    cleanup?.();
  });

  beforeEach(async () => {
    ns = uniqueName('informer');
    await direct.resource('v1', 'Namespace').create({ metadata: { name: ns } });
  });

  it('a watch from a resourceVersion the cache no longer holds throws WatchExpiredError', async () => {
    const cms = direct.resource('v1', 'ConfigMap').namespace(ns);
    const { metadata } = await cms.list();
    for (let i = 0; i <= capacity; i++) await cms.create({ metadata: { name: `c${i}` } });
    const watch = cms.watch({ resourceVersion: metadata.resourceVersion ?? '' });
    const err = await (async () => {
      for await (const _ev of watch) {
        // an expired watch yields nothing
      }
      return undefined;
    })().catch((e: unknown) => e);
    expect(isExpired(err)).toBe(true);
  });

  it('stays consistent across a dropped watch that comes back expired, with tombstones for deletions', async () => {
    const cms = direct.resource('v1', 'ConfigMap').namespace(ns);
    await cms.create({ metadata: { name: 'keep' }, data: { v: '1' } });
    await cms.create({ metadata: { name: 'change' }, data: { v: '1' } });
    await cms.create({ metadata: { name: 'gone' }, data: { v: '1' } });

    const proxy = await TcpProxy.start(server.url());
    const proxied = clientFor(proxy.url);
    const warnings: string[] = [];
    const logger: InformerLogger = { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    const factory = new SharedInformerFactory(proxied, { namespace: ns, backoff: { initialMs: 20, maxMs: 100 }, logger, freezeObjects: true });
    const informer = factory.forKind('v1', 'ConfigMap');
    const log: string[] = [];
    let onChange: () => void = () => undefined;
    informer.addEventHandler({
      onAdd: (o) => {
        log.push(`add ${o.metadata?.name ?? ''}`);
        onChange();
      },
      onUpdate: (old, o) => {
        if (old !== o) log.push(`update ${o.metadata?.name ?? ''}`);
        onChange();
      },
      onDelete: (o) => {
        log.push(o instanceof DeletedFinalStateUnknown ? `tombstone ${o.key}` : `delete ${o.metadata?.name ?? ''}`);
        onChange();
      },
    });
    const stop = new AbortController();
    factory.start(stop.signal);
    try {
      expect(await factory.waitForCacheSync()).toBe(true);
      expect(log.sort()).toEqual(['add change', 'add gone', 'add keep']);
      log.length = 0;

      // The watch is live: a change arrives as an event.
      const live = new Promise<void>((resolve) => {
        onChange = () => {
          if (informer.lister.get(ns, 'keep')?.data?.['v'] === '2') resolve();
        };
      });
      const keep = await cms.get('keep');
      await cms.update({ ...keep, data: { v: '2' } });
      await live;
      expect(informer.listCount()).toBe(1);

      // The connection drops; while the informer cannot reconnect, more changes happen than the
      // server's watch cache holds, so resuming from the informer's resourceVersion answers 410.
      proxy.refuse = true;
      proxy.dropConnections();
      const change = await cms.get('change');
      await cms.update({ ...change, data: { v: '2' } });
      await cms.delete('gone');
      for (let i = 0; i < capacity + 2; i++) await cms.create({ metadata: { name: `new-${i}` } });
      const truth = (await cms.list()).items.map((o: ConfigMap) => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`).sort();

      const cached = (): string[] => informer.lister.namespace(ns).list().map((o) => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`).sort();
      const consistent = new Promise<void>((resolve) => {
        onChange = () => {
          if (JSON.stringify(cached()) === JSON.stringify(truth)) resolve();
        };
      });
      proxy.refuse = false;
      await consistent;

      expect(cached()).toEqual(truth);
      expect(informer.listCount()).toBe(2);
      expect(warnings).toContain('watch expired; relisting');
      expect(log).toContain(`tombstone ${ns}/gone`);
      expect(log).toContain('update change');
      expect(log.filter((l) => l.startsWith('add new-'))).toHaveLength(capacity + 2);
      expect(informer.lister.get(ns, 'gone')).toBeUndefined();

      // And it watches again after the relist.
      const again = new Promise<void>((resolve) => {
        onChange = () => {
          if (informer.lister.get(ns, 'late') !== undefined) resolve();
        };
      });
      await cms.create({ metadata: { name: 'late' } });
      await again;
      expect(informer.listCount()).toBe(2);
    } finally {
      await factory.shutdown();
      proxied.close();
      await proxy.close();
    }
  });
});
