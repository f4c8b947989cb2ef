// The REST client over a scripted transport: URLs, query parameters, headers, bodies, errors and timeouts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, InternalError, NotFoundError, lookupKind, parseSelector, type ConfigMap, type Deployment } from '@keelson/api';
import { FakeClock } from './clock';
import { ClientUsageError, RequestTimeoutError, TransportError } from './errors';
import type { ClientConfig } from './kubeconfig';
import { RestClient, tableAccept } from './rest';
import { FakeTransport, type FakeReply } from './testing';
import type { HttpRequest } from './transport';

const config: ClientConfig = { server: 'https://api.test:6443/', namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: { token: 'secret' }, source: 'test' };

function setup(reply: (req: HttpRequest, i: number) => FakeReply = () => ({ body: {} }), over: Partial<ClientConfig> = {}): { client: RestClient; transport: FakeTransport; clock: FakeClock } {
  const transport = new FakeTransport(reply);
  const clock = new FakeClock(1_000_000);
  const client = new RestClient({ config: { ...config, ...over }, transport, clock, userAgent: 'test-agent/1', timeoutMs: 5000 });
  return { client, transport, clock };
}

function only(t: FakeTransport): HttpRequest {
  expect(t.requests).toHaveLength(1);
  return t.requests[0]!;
}

const cm = (name: string, namespace?: string): ConfigMap => ({ metadata: { name, ...(namespace ? { namespace } : {}) }, data: { a: '1' } });

describe('paths', () => {
  it('builds core, group, namespaced and cluster-scoped URLs, encoding names', async () => {
    const { client, transport } = setup();
    await client.resource('v1', 'ConfigMap').namespace('team a').get('my/cm');
    await client.resource('apps/v1', 'Deployment').namespace('prod').get('web');
    await client.resource('v1', 'Node').namespace('ignored').get('node-1');
    await client.resource('v1', 'Pod').list();
    await client.resource('v1', 'Pod').namespace('x').allNamespaces().list();
    expect(transport.requests.map((r) => r.url)).toEqual([
      'https://api.test:6443/api/v1/namespaces/team%20a/configmaps/my%2Fcm',
      'https://api.test:6443/apis/apps/v1/namespaces/prod/deployments/web',
      'https://api.test:6443/api/v1/nodes/node-1',
      'https://api.test:6443/api/v1/pods',
      'https://api.test:6443/api/v1/pods',
    ]);
  });

  it('accepts a ResourceInfo, and refuses kinds the registry lacks', async () => {
    const { client, transport } = setup();
    await client.resource(lookupKind('batch/v1', 'Job')!).namespace('n').get('j');
    expect(transport.url(0).pathname).toBe('/apis/batch/v1/namespaces/n/jobs/j');
    expect(() => client.resource('v1', 'Gadget')).toThrow(ClientUsageError);
    expect(client.forObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'q' } }).scope).toBe('q');
  });

  it('requires a namespace for one namespaced object, before sending anything', async () => {
    const { client, transport } = setup();
    await expect(client.resource('v1', 'ConfigMap').get('c')).rejects.toThrow('ConfigMap "c" is namespaced: call .namespace(ns) first');
    await expect(client.resource('v1', 'ConfigMap').create(cm('c'))).rejects.toThrow(ClientUsageError);
    await expect(client.resource('v1', 'ConfigMap').namespace('n').update(cm(''))).rejects.toThrow('metadata.name is required');
    expect(transport.requests).toHaveLength(0);
  });
});

describe('verbs', () => {
  it('creates in the object\'s namespace, filling apiVersion and kind', async () => {
    const { client, transport } = setup((req) => ({ status: 201, body: JSON.parse(req.body ?? '{}') as object }));
    const created = await client.resource('v1', 'ConfigMap').create(cm('c', 'team'), { dryRun: true, fieldManager: 'me', fieldValidation: 'Strict' });
    const req = only(transport);
    expect(req.method).toBe('POST');
    expect(transport.url(0).pathname).toBe('/api/v1/namespaces/team/configmaps');
    expect(Object.fromEntries(transport.url(0).searchParams)).toEqual({ dryRun: 'All', fieldManager: 'me', fieldValidation: 'Strict' });
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body!)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' }, data: { a: '1' } });
    expect(created.data).toEqual({ a: '1' });
  });

  it('updates with PUT and status through /status', async () => {
    const { client, transport } = setup();
    const deployments = client.resource('apps/v1', 'Deployment').namespace('n');
    const d: Deployment = { metadata: { name: 'web', resourceVersion: '7' }, status: { replicas: 2 } };
    await deployments.update(d);
    await deployments.updateStatus(d);
    expect(transport.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['PUT /apis/apps/v1/namespaces/n/deployments/web', 'PUT /apis/apps/v1/namespaces/n/deployments/web/status']);
    expect(JSON.parse(transport.requests[1]!.body!)).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { resourceVersion: '7' } });
  });

  it('sends each patch type with its content type', async () => {
    const { client, transport } = setup();
    const r = client.resource('apps/v1', 'Deployment').namespace('n');
    await r.patch('web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 3 }]);
    await r.patch('web', 'merge', { spec: { replicas: 3 } });
    await r.patch('web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    await r.patch('web', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, { fieldManager: 'kubectl', force: true });
    await r.patch('web', 'merge', { status: { replicas: 1 } }, { subresource: 'status' });
    expect(transport.requests.map((q) => q.headers['content-type'])).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
      'application/merge-patch+json',
    ]);
    expect(transport.url(3).search).toBe('?fieldManager=kubectl&force=true');
    expect(transport.url(4).pathname).toBe('/apis/apps/v1/namespaces/n/deployments/web/status');
    expect(JSON.parse(transport.requests[0]!.body!)).toEqual([{ op: 'replace', path: '/spec/replicas', value: 3 }]);
  });

  it('applies by the object\'s name and namespace', async () => {
    const { client, transport } = setup();
    await client.resource('v1', 'ConfigMap').apply(cm('c', 'ns1'), { fieldManager: 'ctl' });
    expect(transport.url(0).pathname).toBe('/api/v1/namespaces/ns1/configmaps/c');
    expect(only(transport).method).toBe('PATCH');
  });

  it('deletes with DeleteOptions in the body and dryRun in the query', async () => {
    const { client, transport } = setup(() => ({ body: { kind: 'Status', status: 'Success' } }));
    const res = await client.resource('v1', 'Pod').namespace('n').delete('p', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '9' }, dryRun: true });
    const req = only(transport);
    expect(req.method).toBe('DELETE');
    expect(transport.url(0).search).toBe('?dryRun=All');
    expect(JSON.parse(req.body!)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '9' }, dryRun: ['All'] });
    expect(res).toEqual({ kind: 'Status', status: 'Success' });
    await client.resource('v1', 'Pod').namespace('n').delete('q');
    expect(transport.requests[1]!.body).toBeUndefined();
  });

  it('deletes a collection by selector', async () => {
    const { client, transport } = setup(() => ({ body: { items: [], metadata: {} } }));
    await client.resource('v1', 'ConfigMap').namespace('n').deleteCollection({ labelSelector: { app: 'web' }, propagationPolicy: 'Background' });
    expect(transport.url(0).pathname).toBe('/api/v1/namespaces/n/configmaps');
    expect(transport.url(0).searchParams.get('labelSelector')).toBe('app=web');
    expect(JSON.parse(only(transport).body!)).toMatchObject({ propagationPolicy: 'Background' });
  });

  it('passes list options as query parameters', async () => {
    const { client, transport } = setup(() => ({ body: { items: [], metadata: { resourceVersion: '5' } } }));
    const pods = client.resource('v1', 'Pod').namespace('n');
    await pods.list({ labelSelector: { tier: 'db', app: 'web' }, fieldSelector: { 'spec.nodeName': 'n1' }, limit: 10, continue: 'tok', resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' });
    await pods.list({ labelSelector: parseSelector('env in (a,b),!canary'), fieldSelector: 'status.phase!=Running' });
    await pods.list({ labelSelector: '' });
    expect(Object.fromEntries(transport.url(0).searchParams)).toEqual({
      labelSelector: 'app=web,tier=db',
      fieldSelector: 'spec.nodeName=n1',
      limit: '10',
      continue: 'tok',
      resourceVersion: '5',
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(Object.fromEntries(transport.url(1).searchParams)).toEqual({ labelSelector: '!canary,env in (a,b)', fieldSelector: 'status.phase!=Running' });
    expect(transport.url(2).search).toBe('');
  });

  it('listAll follows continue tokens at the first page\'s resourceVersion', async () => {
    const pages = [
      { metadata: { resourceVersion: '40', continue: 'p2', remainingItemCount: 3 }, items: [cm('a'), cm('b')] },
      { metadata: { resourceVersion: '40', continue: 'p3' }, items: [cm('c'), cm('d')] },
      { metadata: { resourceVersion: '40' }, items: [cm('e')] },
    ];
    const { client, transport } = setup((_req, i) => ({ body: pages[i]! }));
    const all = await client.resource('v1', 'ConfigMap').listAll({ limit: 2, labelSelector: 'x=y', resourceVersion: '0' });
    expect(all.items.map((c) => c.metadata?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.metadata).toEqual({ resourceVersion: '40' });
    expect(transport.requests.map((r) => new URL(r.url).search)).toEqual(['?labelSelector=x%3Dy&limit=2&resourceVersion=0', '?labelSelector=x%3Dy&limit=2&continue=p2', '?labelSelector=x%3Dy&limit=2&continue=p3']);
  });

  it('asks for Tables with the meta.k8s.io Accept header', async () => {
    const { client, transport } = setup(() => ({ body: { kind: 'Table', columnDefinitions: [], rows: [] } }));
    await client.resource('v1', 'Pod').namespace('n').table({ includeObject: 'Object' });
    await client.resource('v1', 'Pod').namespace('n').getTable('p');
    expect(transport.requests[0]!.headers['accept']).toBe(tableAccept);
    expect(transport.url(0).searchParams.get('includeObject')).toBe('Object');
    expect(transport.url(1).pathname).toBe('/api/v1/namespaces/n/pods/p');
  });

  it('scales through /scale', async () => {
    const { client, transport } = setup();
    const d = client.resource('apps/v1', 'Deployment').namespace('n');
    await d.getScale('web');
    await d.updateScale('web', { metadata: { resourceVersion: '3' }, spec: { replicas: 4 } });
    await d.scale('web', 5);
    expect(transport.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /apis/apps/v1/namespaces/n/deployments/web/scale',
      'PUT /apis/apps/v1/namespaces/n/deployments/web/scale',
      'PATCH /apis/apps/v1/namespaces/n/deployments/web/scale',
    ]);
    expect(JSON.parse(transport.requests[1]!.body!)).toEqual({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: '3' }, spec: { replicas: 4 } });
    expect(JSON.parse(transport.requests[2]!.body!)).toEqual({ spec: { replicas: 5 } });
  });

  it('posts a binding to pods/binding', async () => {
    const { client, transport } = setup(() => ({ status: 201, body: { kind: 'Status', status: 'Success', code: 201 } }));
    const res = await client.resource('v1', 'Pod').namespace('n').createSubresource('p', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } });
    expect(transport.url(0).pathname).toBe('/api/v1/namespaces/n/pods/p/binding');
    expect(res).toMatchObject({ status: 'Success' });
  });
});

describe('headers and auth', () => {
  it('sends the user agent, Accept and the bearer token', async () => {
    const { client, transport } = setup();
    await client.version();
    const req = only(transport);
    expect(req.url).toBe('https://api.test:6443/version');
    expect(req.headers).toEqual({ accept: 'application/json', 'user-agent': 'test-agent/1', authorization: 'Bearer secret' });
  });

  it('sends basic auth', async () => {
    const { client, transport } = setup(undefined, { auth: { username: 'admin', password: 'pw' } });
    await client.version();
    expect(only(transport).headers['authorization']).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });

  it('re-reads a token file once its TTL has passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'one\n');
      const { client, transport, clock } = setup(undefined, { auth: { tokenFile: file } });
      await client.version();
      writeFileSync(file, 'two\n');
      await client.version();
      clock.advance(60_000);
      await client.version();
      expect(transport.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer one', 'Bearer one', 'Bearer two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults the user agent to keelson-client with platform and node version', () => {
    const client = new RestClient({ config, transport: new FakeTransport(() => ({ body: {} })) });
    expect(client.userAgent).toMatch(/^keelson-client\/0\.1\.0 \(\w+\/\w+\) node\/v\d+/);
  });
});

describe('failures', () => {
  it('rebuilds API failures as typed errors naming the object', async () => {
    const { client } = setup((_req, i) =>
      i === 0
        ? { status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "c" not found', details: { name: 'c', kind: 'configmaps' } } }
        : i === 1
          ? { status: 409, body: { kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, message: 'Operation cannot be fulfilled on configmaps "c": the object has been modified' } }
          : { status: 500, body: 'upstream exploded' },
    );
    const cms = client.resource('v1', 'ConfigMap').namespace('n');
    const notFound = await cms.get('c').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect((notFound as NotFoundError).target).toMatchObject({ resource: 'configmaps', name: 'c' });
    const conflict = await cms.update(cm('c')).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).message).toBe('Operation cannot be fulfilled on configmaps "c": the object has been modified');
    const internal = await cms.get('c').catch((e: unknown) => e);
    expect(internal).toBeInstanceOf(InternalError);
    expect((internal as Error).message).toContain('upstream exploded');
  });

  it('times out on the injected clock, without sleeping', async () => {
    const { client, clock } = setup(() => ({ hang: true }));
    const pending = client.resource('v1', 'Pod').namespace('n').get('p').catch((e: unknown) => e);
    await clock.advanceAsync(4999);
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advanceAsync(0);
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    const err = await pending;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect((err as RequestTimeoutError).message).toBe('GET https://api.test:6443/api/v1/namespaces/n/pods/p: no response within 5000ms (the client\'s request timeout)');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('honours a per-request timeout and the caller\'s abort signal', async () => {
    const { client, clock } = setup(() => ({ hang: true }));
    const quick = client.version({ timeoutMs: 10 }).catch((e: unknown) => e);
    await clock.advanceAsync(10);
    expect(await quick).toBeInstanceOf(RequestTimeoutError);
    const abort = new AbortController();
    const aborted = client.version({ signal: abort.signal }).catch((e: unknown) => e);
    const reason = new Error('shutting down');
    abort.abort(reason);
    expect(await aborted).toBe(reason);
  });

  it('reports an unanswered request as TransportError', async () => {
    const { client } = setup(() => ({ error: new TransportError('GET', 'https://api.test:6443/version', 'connect ECONNREFUSED') }));
    await expect(client.version()).rejects.toBeInstanceOf(TransportError);
    const { client: c2 } = setup(() => ({ status: 200, body: 'not json' }));
    await expect(c2.version()).rejects.toThrow('the answer (HTTP 200) is not JSON');
  });

  it('close() closes the transport', () => {
    const { client, transport } = setup();
    client.close();
    expect(transport.closed).toBe(true);
  });
});
