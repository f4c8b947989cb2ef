// Watches against a real API server behind a TCP proxy: resuming across dropped connections without loss or repeats.
import type { ConfigMap } from '@keelson/api';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from './rest';
import { TcpProxy } from './testing';
import type { RetryInfo, WatchEvent } from './watch';

function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
}

/**
 * Makes sure the server's watch cache for a kind is running. The API server starts a kind's
 * cache on its first watch, at the then-current revision, and answers 410 to a watch from any
 * older resourceVersion (Kubernetes starts every cache at server start). Waiting for the end of
 * the initial events proves the cache is up.
 */
async function primeWatchCache(client: RestClient, apiVersion: string, kind: string): Promise<void> {
  const w = client.resource(apiVersion, kind).watch({ resourceVersion: '0', sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' });
  for await (const ev of w) if (ev.type === 'BOOKMARK') break;
}

/** Pulls events from an iterator until `want` of them (bookmarks skipped) have arrived. */
async function take(it: AsyncIterator<WatchEvent<ConfigMap>>, want: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < want) {
    const next = await it.next();
    if (next.done === true) throw new Error(`watch ended after ${out.length} of ${want} events`);
    if (next.value.type === 'BOOKMARK') continue;
    out.push(`${next.value.type} ${next.value.object.metadata?.name ?? ''} ${JSON.stringify(next.value.object.data ?? {})}`);
  }
  return out;
}

describe.each(testBackends())('watch against the API server on $name', ({ uri }) => {
  let srv: TestServer;
  let proxy: TcpProxy;
  let direct: RestClient;
  let proxied: RestClient;
  let ns: string;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    direct = clientFor(srv.url);
    await primeWatchCache(direct, 'v1', 'ConfigMap');
    await primeWatchCache(direct, 'v1', 'Namespace');
  });

  afterAll(async () => {
    direct?.close();
    await srv?.stop();
  });

  beforeEach(async () => {
    proxy = await TcpProxy.start(srv.url);
    proxied = clientFor(proxy.url);
    ns = uniqueName('watch');
    await direct.resource('v1', 'Namespace').create({ metadata: { name: ns } });
  });

  afterEach(async () => {
    proxied.close();
    await proxy.close();
  });

  it('streams changes after a list\'s resourceVersion', async () => {
    const cms = direct.resource('v1', 'ConfigMap').namespace(ns);
    await cms.create({ metadata: { name: 'before' } });
    const { metadata } = await cms.list();
    const watch = proxied.resource('v1', 'ConfigMap').namespace(ns).watch({ resourceVersion: metadata.resourceVersion ?? '' });
    const it = watch[Symbol.asyncIterator]();
    const seen = take(it, 3);
    const a = await cms.create({ metadata: { name: 'a' }, data: { v: '1' } });
    await cms.update({ ...a, data: { v: '2' } });
    await cms.delete('a');
    expect(await seen).toEqual(['ADDED a {"v":"1"}', 'MODIFIED a {"v":"2"}', 'DELETED a {"v":"2"}']);
    watch.stop();
    expect((await it.next()).done).toBe(true);
  });

  it('resumes across a dropped connection from the last resourceVersion, losing and repeating nothing', async () => {
    const cms = direct.resource('v1', 'ConfigMap').namespace(ns);
    const { metadata } = await cms.list();
    const retries: RetryInfo[] = [];
    const watch = proxied.resource('v1', 'ConfigMap').namespace(ns).watch({
      resourceVersion: metadata.resourceVersion ?? '',
      backoff: { initialMs: 20, maxMs: 100 },
      onRetry: (r) => retries.push(r),
    });
    const it = watch[Symbol.asyncIterator]();
    const first = take(it, 1);
    const a = await cms.create({ metadata: { name: 'a' }, data: { v: '1' } });
    expect(await first).toEqual(['ADDED a {"v":"1"}']);
    expect(watch.resourceVersion).toBe(a.metadata?.resourceVersion);

    // The network fails; changes happen while the client cannot reconnect.
    proxy.refuse = true;
    proxy.dropConnections();
    const a2 = await cms.update({ ...a, data: { v: '2' } });
    await cms.create({ metadata: { name: 'b' }, data: { v: '1' } });
    await cms.delete('a');
    proxy.refuse = false;

    expect(await take(it, 3)).toEqual(['MODIFIED a {"v":"2"}', 'ADDED b {"v":"1"}', 'DELETED a {"v":"2"}']);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ reason: 'failed', resourceVersion: a.metadata?.resourceVersion });
    expect(Number(watch.resourceVersion)).toBeGreaterThan(Number(a2.metadata?.resourceVersion));
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);

    // And it keeps going on the new connection.
    const more = take(it, 1);
    await cms.create({ metadata: { name: 'c' } });
    expect(await more).toEqual(['ADDED c {}']);
    watch.stop();
  });

  it('watches one object by name, and a cluster-scoped kind', async () => {
    const cms = direct.resource('v1', 'ConfigMap').namespace(ns);
    const { metadata } = await cms.list();
    const one = proxied.resource('v1', 'ConfigMap').namespace(ns).watch({ resourceVersion: metadata.resourceVersion ?? '', name: 'wanted' });
    const it = one[Symbol.asyncIterator]();
    const seen = take(it, 1);
    await cms.create({ metadata: { name: 'other' } });
    await cms.create({ metadata: { name: 'wanted' } });
    expect(await seen).toEqual(['ADDED wanted {}']);
    one.stop();

    const nsList = await direct.resource('v1', 'Namespace').list();
    const namespaces = proxied.resource('v1', 'Namespace').watch({ resourceVersion: nsList.metadata.resourceVersion ?? '' });
    const nit = namespaces[Symbol.asyncIterator]();
    const added = nit.next();
    const name = uniqueName('watched');
    await direct.resource('v1', 'Namespace').create({ metadata: { name } });
    const ev = await added;
    expect(ev.done).toBe(false);
    expect(ev.value).toMatchObject({ type: 'ADDED', object: { kind: 'Namespace', metadata: { name } } });
    namespaces.stop();
  });
});
