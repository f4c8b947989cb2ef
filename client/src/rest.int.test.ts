// The REST client against a real Keelson API server (sqlite, and etcd when the jest setup started one).
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  InvalidError,
  NotFoundError,
  type ConfigMap,
  type Deployment,
  type Node,
  type Pod,
  type Status,
} from '@keelson/api';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { isStatus } from './errors';
import { RestClient } from './rest';

function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' }, userAgent: 'client-int-test/1' });
}

function deployment(name: string, replicas = 2): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox:1.36' }] },
      },
    },
  };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e: unknown) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe.each(testBackends())('client against the API server on $name', ({ uri }) => {
  let srv: TestServer;
  let client: RestClient;
  let ns: string;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    client = clientFor(srv.url);
  });

  afterAll(async () => {
    client?.close();
    await srv?.stop();
  });

  beforeEach(async () => {
    ns = uniqueName('client');
    await client.resource('v1', 'Namespace').create({ metadata: { name: ns } });
  });

  it('creates, reads, lists, replaces and deletes a namespaced object', async () => {
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const created = await cms.create({ metadata: { name: 'cfg', labels: { app: 'a' } }, data: { k: '1' } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns } });

    const read = await cms.get('cfg');
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const list = await cms.list();
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['cfg']);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));

    const replaced = await cms.update({ ...read, data: { k: '2' } });
    expect(replaced.data).toEqual({ k: '2' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

    const gone = await cms.delete('cfg');
    expect(isStatus(gone) && gone.status).toBe('Success');
    const err = await failure(cms.get('cfg'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe('configmaps "cfg" not found');
  });

  it('handles cluster-scoped kinds: namespaces and nodes, with their status', async () => {
    const namespaces = await client.resource('v1', 'Namespace').list();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', ns]));
    expect((await client.resource('v1', 'Namespace').get(ns)).status?.phase).toBe('Active');

    const nodes = client.resource('v1', 'Node');
    const name = uniqueName('node');
    const node = await nodes.create({ metadata: { name, labels: { zone: 'a' } }, spec: { podCIDR: '10.244.1.0/24' } });
    expect(node.metadata?.namespace).toBeUndefined();
    // -n is ignored for cluster-scoped kinds, as kubectl ignores it.
    const fetched = await nodes.namespace(ns).get(name);
    const withStatus: Node = { ...fetched, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } };
    const updated = await nodes.updateStatus(withStatus);
    expect(updated.status?.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect((await nodes.list({ labelSelector: { zone: 'a' } })).items.map((n) => n.metadata?.name)).toContain(name);
    await nodes.delete(name);
    expect(await failure(nodes.get(name))).toBeInstanceOf(NotFoundError);
  });

  it('reports conflicts, duplicates and invalid objects as typed errors', async () => {
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const cm = await cms.create({ metadata: { name: 'c' }, data: { a: '1' } });
    await cms.update({ ...cm, data: { a: '2' } });
    const conflict = await failure(cms.update({ ...cm, data: { a: '3' } }));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).code).toBe(409);
    expect((conflict as ConflictError).message).toContain('the object has been modified');
    expect((conflict as ConflictError).toStatus()).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });

    const dup = await failure(cms.create({ metadata: { name: 'c' } }));
    expect(dup).toBeInstanceOf(AlreadyExistsError);
    expect((dup as AlreadyExistsError).message).toBe('configmaps "c" already exists');

    const bad = deployment('bad', -1);
    const invalid = await failure(client.resource('apps/v1', 'Deployment').namespace(ns).create(bad));
    expect(invalid).toBeInstanceOf(InvalidError);
    expect((invalid as InvalidError).errors.map((e) => e.field)).toContain('spec.replicas');
    expect((invalid as InvalidError).message).toContain('Deployment.apps "bad" is invalid');

    const missingNs = await failure(client.resource('v1', 'ConfigMap').namespace(uniqueName('nope')).create({ metadata: { name: 'x' } }));
    expect(missingNs).toBeInstanceOf(NotFoundError);
  });

  it('patches with JSON patch, merge patch, strategic merge patch and server-side apply', async () => {
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.create(deployment('web'));

    const jsonPatched = await deployments.patch('web', 'json', [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ]);
    expect(jsonPatched.spec?.replicas).toBe(3);
    const failedTest = await failure(deployments.patch('web', 'json', [{ op: 'test', path: '/spec/replicas', value: 99 }]));
    expect(failedTest).toHaveProperty('code');

    const merged = await deployments.patch('web', 'merge', { metadata: { labels: { tier: 'fe' } } });
    expect(merged.metadata?.labels).toEqual({ app: 'web', tier: 'fe' });

    // Strategic merge: containers merge by name, so the sidecar survives.
    const strategic = await deployments.patch('web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } });
    expect(strategic.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image ?? ''}`)).toEqual(['web=nginx:1.26', 'sidecar=busybox:1.36']);

    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const applied = await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { owner: 'alice' } }, { fieldManager: 'alice' });
    expect(applied.data).toEqual({ owner: 'alice' });
    expect(applied.metadata?.managedFields?.map((m) => m.manager)).toContain('alice');
    const clash = await failure(cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { owner: 'bob' } }, { fieldManager: 'bob' }));
    expect(clash).toBeInstanceOf(ConflictError);
    const forced = await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { owner: 'bob' } }, { fieldManager: 'bob', force: true });
    expect(forced.data).toEqual({ owner: 'bob' });
    const noManager = await failure(cms.patch('ssa', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' } }));
    expect(noManager).toBeInstanceOf(InvalidError);
  });

  it('writes status only through /status, and scales through /scale', async () => {
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    const d = await deployments.create(deployment('web', 2));

    const withStatus = await deployments.updateStatus({ ...d, status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 } });
    expect(withStatus.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    // A main-resource write cannot change status.
    const spec = await deployments.update({ ...withStatus, status: { replicas: 99 } });
    expect(spec.status?.replicas).toBe(2);
    const patchedStatus = await deployments.patch('web', 'merge', { status: { readyReplicas: 2 } }, { subresource: 'status' });
    expect(patchedStatus.status?.readyReplicas).toBe(2);

    const scale = await deployments.getScale('web');
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
    const rescaled = await deployments.updateScale('web', { ...scale, spec: { replicas: 4 } });
    expect(rescaled.spec?.replicas).toBe(4);
    const stale = await failure(deployments.updateScale('web', { ...scale, spec: { replicas: 6 } }));
    expect(stale).toBeInstanceOf(ConflictError);
    await deployments.scale('web', 5);
    expect((await deployments.get('web')).spec?.replicas).toBe(5);
  });

  it('binds a pod to a node once through pods/binding', async () => {
    const pods = client.resource('v1', 'Pod').namespace(ns);
    await pods.create({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const res = await pods.createSubresource<object, Status>('p', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-1' } });
    expect(res.status).toBe('Success');
    const bound: Pod = await pods.get('p');
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const again = await failure(pods.createSubresource('p', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-2' } }));
    expect(again).toBeInstanceOf(ConflictError);
    expect((await pods.list({ fieldSelector: { 'spec.nodeName': 'node-1' } })).items).toHaveLength(1);
    expect((await pods.list({ fieldSelector: { 'spec.nodeName': 'node-2' } })).items).toHaveLength(0);
  });

  it('honours delete options: preconditions, dry run, propagation, and delete by selector', async () => {
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const cm = await cms.create({ metadata: { name: 'c', labels: { batch: 'x' } } });
    await cms.create({ metadata: { name: 'd', labels: { batch: 'x' } } });
    await cms.create({ metadata: { name: 'e', labels: { batch: 'y' } } });

    const wrongUid = await failure(cms.delete('c', { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } }));
    expect(wrongUid).toBeInstanceOf(ConflictError);
    const staleRv = await failure(cms.delete('c', { preconditions: { resourceVersion: '1' } }));
    expect(staleRv).toBeInstanceOf(ConflictError);
    await cms.delete('c', { dryRun: true });
    expect((await cms.get('c')).metadata?.uid).toBe(cm.metadata?.uid);
    await cms.delete('c', { preconditions: { uid: cm.metadata?.uid ?? '' }, propagationPolicy: 'Background', gracePeriodSeconds: 0 });
    expect(await failure(cms.get('c'))).toBeInstanceOf(NotFoundError);

    const deleted = await cms.deleteCollection({ labelSelector: 'batch=x' });
    expect(deleted.items.map((o: ConfigMap) => o.metadata?.name)).toEqual(['d']);
    expect((await cms.list()).items.map((o) => o.metadata?.name)).toEqual(['e']);
  });

  it('pages lists with limit and continue, and lists by label and field selectors', async () => {
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    for (const i of [1, 2, 3, 4, 5]) await cms.create({ metadata: { name: `c${i}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } } });
    const first = await cms.list({ limit: 2 });
    expect(first.items.map((c) => c.metadata?.name)).toEqual(['c1', 'c2']);
    expect(first.metadata.continue).toBeTruthy();
    const second = await cms.list({ limit: 2, continue: first.metadata.continue });
    expect(second.items.map((c) => c.metadata?.name)).toEqual(['c3', 'c4']);
    const all = await cms.listAll({ limit: 2 });
    expect(all.items.map((c) => c.metadata?.name)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(all.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect((await cms.list({ labelSelector: { parity: 'even' } })).items.map((c) => c.metadata?.name)).toEqual(['c2', 'c4']);
    expect((await cms.list({ labelSelector: 'parity!=even', fieldSelector: 'metadata.name!=c1' })).items.map((c) => c.metadata?.name)).toEqual(['c3', 'c5']);
    const across = await client.resource('v1', 'ConfigMap').list({ fieldSelector: { 'metadata.namespace': ns } });
    expect(across.items).toHaveLength(5);
    const badField = await failure(cms.list({ fieldSelector: 'data.x=1' }));
    expect(badField).toBeInstanceOf(BadRequestError);
  });

  it('asks for server-side printed Tables', async () => {
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.create(deployment('web'));
    const table = await deployments.table();
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(expect.arrayContaining(['Name', 'Ready', 'Age']));
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]?.cells[0]).toBe('web');
    const one = await deployments.getTable('web', { includeObject: 'None' });
    expect(one.rows[0]?.object).toBeUndefined();
  });

  it('reads /version', async () => {
    expect((await client.version()).major).toBe('1');
  });
});
