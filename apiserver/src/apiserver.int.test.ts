// The API server driven by the official Kubernetes JavaScript client, on sqlite and on a real etcd.
import * as k8s from '@kubernetes/client-node';
import { request, startTestServer, testBackends, uniqueName, type TestServer } from './testing';

function kubeConfig(url: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return kc;
}

/** The Status body of a failed call, parsed. */
async function failure(p: Promise<unknown>): Promise<{ code: number; body: { kind?: string; reason?: string; message?: string; code?: number; details?: { causes?: { field?: string; reason?: string }[] } } }> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof k8s.ApiException) {
      const raw = e.body as unknown;
      const body = typeof raw === 'string' ? (JSON.parse(raw) as object) : (raw as object);
      return { code: e.code, body };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

function deployment(name: string, replicas = 2): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }, { name: 'sidecar', image: 'busybox:1.36' }] },
      },
    },
  };
}

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
const strategicPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const applyPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

describe.each(testBackends())('API server on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let ns: string;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    kc = kubeConfig(srv.url);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  beforeEach(async () => {
    ns = uniqueName('t');
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  it('serves the built-in namespaces and discovery', async () => {
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.major).toBe('1');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io']));
  });

  it('creates, reads, lists, replaces and deletes through the typed clients', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.spec?.strategy?.rollingUpdate?.maxSurge).toBe('25%');
    expect(created.spec?.revisionHistoryLimit).toBe(10);

    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const list = await apps.listNamespacedDeployment({ namespace: ns });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['web']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));

    read.spec!.replicas = 5;
    const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: read });
    expect(replaced.spec?.replicas).toBe(5);
    expect(replaced.metadata?.generation).toBe(2);
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

    replaced.metadata!.labels = { app: 'web', extra: 'label' };
    const relabelled = await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: replaced });
    expect(relabelled.metadata?.generation).toBe(2);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns });
    const gone = await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }));
    expect(gone.code).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'deployments.apps "web" not found', code: 404 });
  });

  it('answers stale updates with 409 Conflict and duplicate creates with 409 AlreadyExists', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c' }, data: { a: '1' } } });
    const stale = structuredClone(cm);
    cm.data = { a: '2' };
    await core.replaceNamespacedConfigMap({ name: 'c', namespace: ns, body: cm });
    stale.data = { a: '3' };
    const conflict = await failure(core.replaceNamespacedConfigMap({ name: 'c', namespace: ns, body: stale }));
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');
    expect(conflict.body.message).toContain('the object has been modified');

    // Without a resourceVersion a PUT is unconditional.
    delete stale.metadata!.resourceVersion;
    const forced = await core.replaceNamespacedConfigMap({ name: 'c', namespace: ns, body: stale });
    expect(forced.data).toEqual({ a: '3' });

    const dup = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c' } } }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "c" already exists' });
  });

  it('generates names from generateName', async () => {
    const a = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'cfg-' } } });
    const b = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'cfg-' } } });
    expect(a.metadata?.name).toMatch(/^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b.metadata?.name).not.toBe(a.metadata?.name);
  });

  it('rejects invalid objects with 422 and the offending field', async () => {
    const bad = deployment('bad');
    bad.spec!.template.spec!.containers[0]!.image = '';
    bad.spec!.replicas = -1;
    const res = await failure(apps.createNamespacedDeployment({ namespace: ns, body: bad }));
    expect(res.code).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.details?.causes?.map((c) => c.field).sort()).toEqual(['spec.replicas', 'spec.template.spec.containers[0].image']);
    expect(res.body.message).toContain('Deployment.apps "bad" is invalid');
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const res = await failure(core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: { metadata: { name: 'x' } } }));
    expect(res.code).toBe(404);
    expect(res.body.message).toBe('namespaces "no-such-ns" not found');
  });

  it('changes status only through the status subresource', async () => {
    const d = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    d.status = { replicas: 2, readyReplicas: 1, observedGeneration: 1 };
    d.spec!.replicas = 9;
    const viaStatus = await apps.replaceNamespacedDeploymentStatus({ name: 'web', namespace: ns, body: d });
    expect(viaStatus.status?.readyReplicas).toBe(1);
    expect(viaStatus.spec?.replicas).toBe(2);
    expect(viaStatus.metadata?.generation).toBe(1);

    viaStatus.status = { replicas: 0 };
    viaStatus.spec!.replicas = 3;
    const viaMain = await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: viaStatus });
    expect(viaMain.spec?.replicas).toBe(3);
    expect(viaMain.status?.readyReplicas).toBe(1);
  });

  it('reads and writes the scale subresource', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 2) });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status?.selector).toBe('app=web');
    scale.spec!.replicas = 4;
    await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: ns, body: scale });
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.replicas).toBe(4);
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 1 } } }, mergePatch);
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.replicas).toBe(1);
  });

  it('applies the four patch types', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });

    const merged = await apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: { metadata: { labels: { tier: 'front' } } } }, mergePatch);
    expect(merged.metadata?.labels).toEqual({ app: 'web', tier: 'front' });

    const jsonPatched = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: [{ op: 'test', path: '/spec/replicas', value: 2 }, { op: 'replace', path: '/spec/replicas', value: 3 }] },
      jsonPatch,
    );
    expect(jsonPatched.spec?.replicas).toBe(3);
    const failedTest = await failure(
      apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'test', path: '/spec/replicas', value: 99 }] }, jsonPatch),
    );
    expect(failedTest.code).toBeGreaterThanOrEqual(400);
    expect(failedTest.code).toBeLessThan(500);

    // Strategic merge: one container's image changes by name, the other container stays.
    const smp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } } },
      strategicPatch,
    );
    expect(smp.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['web=nginx:1.27', 'sidecar=busybox:1.36']);
    expect(smp.metadata?.generation).toBe(3);

    const applied = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        fieldManager: 'test-apply',
        force: true,
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 6 } },
      },
      applyPatch,
    );
    expect(applied.spec?.replicas).toBe(6);
    expect(applied.metadata?.managedFields?.some((m) => m.manager === 'test-apply' && m.operation === 'Apply')).toBe(true);
  });

  it('records who changed which fields in managedFields', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, fieldManager: 'creator', body: { metadata: { name: 'owned' }, data: { a: '1' } } });
    expect(created.metadata?.managedFields).toEqual([expect.objectContaining({ manager: 'creator', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' })]);
    expect(JSON.stringify(created.metadata?.managedFields?.[0]?.fieldsV1)).toContain('"f:a"');
    const patched = await core.patchNamespacedConfigMap({ name: 'owned', namespace: ns, fieldManager: 'editor', body: { data: { b: '2' } } }, mergePatch);
    expect(patched.metadata?.managedFields?.map((m) => m.manager).sort()).toEqual(['creator', 'editor']);
  });

  it('creates objects with server-side apply', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: ns }, data: { k: 'v' } };
    const created = await core.patchNamespacedConfigMap({ name: 'applied', namespace: ns, fieldManager: 'me', body }, applyPatch);
    expect(created.data).toEqual({ k: 'v' });
  });

  it('binds pods to nodes once', async () => {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await core.createNamespacedPodBinding({ name: 'p', namespace: ns, body: { metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-1' } } });
    const pod = await core.readNamespacedPod({ name: 'p', namespace: ns });
    expect(pod.spec?.nodeName).toBe('node-1');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const again = await failure(core.createNamespacedPodBinding({ name: 'p', namespace: ns, body: { metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-2' } } }));
    expect(again.code).toBe(409);
  });

  it('deletes pods on a node gracefully and unscheduled pods at once', async () => {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'floating' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await core.deleteNamespacedPod({ name: 'floating', namespace: ns });
    expect((await failure(core.readNamespacedPod({ name: 'floating', namespace: ns }))).code).toBe(404);

    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'bound' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } } });
    await core.deleteNamespacedPod({ name: 'bound', namespace: ns });
    const terminating = await core.readNamespacedPod({ name: 'bound', namespace: ns });
    expect(terminating.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(30);
    await core.deleteNamespacedPod({ name: 'bound', namespace: ns, gracePeriodSeconds: 0 });
    expect((await failure(core.readNamespacedPod({ name: 'bound', namespace: ns }))).code).toBe(404);
  });

  it('keeps objects with finalizers until the last finalizer is removed', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace: ns, propagationPolicy: 'Foreground' });
    const held = await core.readNamespacedConfigMap({ name: 'held', namespace: ns });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata?.finalizers).toEqual(['example.com/hold', 'foregroundDeletion']);
    await core.patchNamespacedConfigMap({ name: 'held', namespace: ns, body: [{ op: 'remove', path: '/metadata/finalizers' }] }, jsonPatch);
    expect((await failure(core.readNamespacedConfigMap({ name: 'held', namespace: ns }))).code).toBe(404);
  });

  it('filters lists by label and field selectors and pages them', async () => {
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } } } });
    }
    const even = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'parity=even' });
    expect(even.items.map((c) => c.metadata?.name)).toEqual(['cm-0', 'cm-2', 'cm-4', 'cm-6']);
    const notIn = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'parity notin (even)' });
    expect(notIn.items).toHaveLength(3);
    const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=cm-3' });
    expect(byName.items.map((c) => c.metadata?.name)).toEqual(['cm-3']);
    const badField = await failure(core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'spec.nope=1' }));
    expect(badField.code).toBe(400);

    const page1 = await core.listNamespacedConfigMap({ namespace: ns, limit: 3 });
    expect(page1.items).toHaveLength(3);
    expect(page1.metadata?._continue).toBeTruthy();
    expect(page1.metadata?.remainingItemCount).toBe(4);
    // A write between pages does not show up: later pages read the first page's revision.
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-9' } } });
    const page2 = await core.listNamespacedConfigMap({ namespace: ns, limit: 3, _continue: page1.metadata!._continue! });
    const page3 = await core.listNamespacedConfigMap({ namespace: ns, limit: 3, _continue: page2.metadata!._continue! });
    expect([...page1.items, ...page2.items, ...page3.items].map((c) => c.metadata?.name)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
    expect(page3.metadata?._continue).toBeFalsy();

    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=nowhere,status.phase=Pending' });
    expect(pods.items).toEqual([]);
  });

  it('watches from a resourceVersion and resumes where it left off', async () => {
    const start = await core.listNamespacedConfigMap({ namespace: ns });
    const rv = start.metadata!.resourceVersion!;
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    let lastRv = rv;
    let resolveFirst: () => void = () => undefined;
    const firstTwo = new Promise<void>((r) => (resolveFirst = r));
    const ctrl = await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv }, (type, obj: k8s.V1ConfigMap) => {
      seen.push(`${type} ${obj.metadata?.name}`);
      lastRv = obj.metadata?.resourceVersion ?? lastRv;
      if (seen.length === 2) resolveFirst();
    }, () => undefined);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b' } } });
    await firstTwo;
    ctrl.abort();
    expect(seen).toEqual(['ADDED a', 'ADDED b']);

    // Changes while nobody watches are delivered to the next watch from the last seen revision.
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: ns });
    await core.patchNamespacedConfigMap({ name: 'b', namespace: ns, body: { data: { x: 'y' } } }, mergePatch);
    const resumed: string[] = [];
    let resolveRest: () => void = () => undefined;
    const rest = new Promise<void>((r) => (resolveRest = r));
    const ctrl2 = await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: lastRv }, (type, obj: k8s.V1ConfigMap) => {
      resumed.push(`${type} ${obj.metadata?.name}`);
      if (resumed.length === 2) resolveRest();
    }, () => undefined);
    await rest;
    ctrl2.abort();
    expect(resumed).toEqual(['DELETED a', 'MODIFIED b']);
  });

  it('keeps an informer in sync through list and watch', async () => {
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    const added: string[] = [];
    informer.on('add', (obj) => added.push(obj.metadata?.name ?? ''));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before' } } });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after' } } });
    const deadline = Date.now() + 10_000;
    while (added.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await informer.stop();
    expect(added.sort()).toEqual(['after', 'before']);
    expect(informer.list(ns).map((o) => o.metadata?.name).sort()).toEqual(['after', 'before']);
  });

  it('answers malformed requests with a 4xx Status', async () => {
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const cases: [string, string, string | undefined, Record<string, string>, number][] = [
      ['POST', base, '{not json', { 'content-type': 'application/json' }, 400],
      ['POST', base, '[]', { 'content-type': 'application/json' }, 400],
      ['POST', base, '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}', { 'content-type': 'application/json' }, 400],
      ['POST', base, '{"metadata":{"name":"x","namespace":"other"}}', { 'content-type': 'application/json' }, 400],
      ['POST', base, 'kind: [', { 'content-type': 'application/yaml' }, 400],
      ['POST', base, '{}', { 'content-type': 'application/vnd.kubernetes.protobuf' }, 415],
      ['POST', base, JSON.stringify({ metadata: { name: 'big' }, data: { k: 'x'.repeat(4 * 1024 * 1024) } }), { 'content-type': 'application/json' }, 413],
      ['PUT', `${base}/x`, '{"metadata":{"name":"y"}}', { 'content-type': 'application/json' }, 400],
      ['GET', `/api/v1/namespaces/${ns}/nothings`, undefined, {}, 404],
      ['GET', `${base}?labelSelector=a%20in%20(`, undefined, {}, 400],
      ['GET', `${base}?limit=abc`, undefined, {}, 400],
      ['PATCH', `${base}/x`, '{}', { 'content-type': 'text/plain' }, 415],
    ];
    for (const [method, path, body, headers, code] of cases) {
      const res = await request(srv.url, method, path, body, headers);
      expect({ method, path: path.slice(0, 60), status: res.status }).toEqual({ method, path: path.slice(0, 60), status: code });
      expect(res.json()).toMatchObject({ kind: 'Status', status: 'Failure', code });
    }
    const health = await request(srv.url, 'GET', '/readyz');
    expect(health.status).toBe(200);
  });

  it('returns a Table when asked for one', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'shown' }, data: { a: '1', b: '2' } } });
    const res = await request(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(res.status).toBe(200);
    const table = res.json() as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.rows[0]?.cells.slice(0, 2)).toEqual(['shown', 2]);
  });

  it('exposes request metrics', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    let seen: () => void = () => undefined;
    const event = new Promise<void>((r) => (seen = r));
    const ctrl = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: list.metadata!.resourceVersion! }, () => seen(), () => undefined);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' } } });
    await event;
    ctrl.abort();
    const res = await request(srv.url, 'GET', '/metrics');
    expect(res.text).toMatch(/apiserver_request_total\{[^}]*verb="LIST"[^}]*resource="configmaps"[^}]*\} \d+/);
    expect(res.text).toContain('apiserver_request_duration_seconds_bucket');
    expect(res.text).toMatch(/apiserver_watch_events_total\{[^}]*kind="ConfigMap"[^}]*\} [1-9]/);
  });
});

describe.each(testBackends())('watch expiry on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    // A small watch cache, so a few writes push old revisions out of it.
    srv = await startTestServer(storage, cleanup, { watchCacheCapacity: 5 });
    kc = kubeConfig(srv.url);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  it('answers a watch from a revision the cache no longer holds with an ERROR event 410, and an informer relists', async () => {
    const ns = uniqueName('exp');
    await core.createNamespace({ body: { metadata: { name: ns } } });
    // Start the cache for configmaps, then take a list whose revision will expire.
    const stale = await core.listNamespacedConfigMap({ namespace: ns });
    const watch = new k8s.Watch(kc);
    const warm = await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: stale.metadata!.resourceVersion! }, () => undefined, () => undefined);
    warm.abort();
    for (let i = 0; i < 12; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}` } } });

    const events: { type: string; code?: number }[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: stale.metadata!.resourceVersion! },
        (type, obj: { code?: number }) => events.push({ type, code: obj.code }),
        () => resolve(),
      );
    });
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);

    // An informer whose first list is stale gets the 410 and lists again: it ends up complete.
    let lists = 0;
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, async () => {
      lists++;
      return lists === 1 ? stale : core.listNamespacedConfigMap({ namespace: ns });
    });
    informer.on('error', () => undefined);
    await informer.start();
    const deadline = Date.now() + 15_000;
    while (informer.list(ns).length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await informer.stop();
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(informer.list(ns).map((o) => o.metadata?.name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `cm-${i}`).sort());
  });
});

describe.each(testBackends())('pod eviction on $name', ({ uri }) => {
  let srv: TestServer;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    core = kubeConfig(srv.url).makeApiClient(k8s.CoreV1Api);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('evicts a pod as a graceful delete', async () => {
    const ns = uniqueName('ev');
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } } });
    await core.createNamespacedPodEviction({ name: 'p', namespace: ns, body: { metadata: { name: 'p', namespace: ns }, deleteOptions: { gracePeriodSeconds: 5 } } });
    const pod = await core.readNamespacedPod({ name: 'p', namespace: ns });
    expect(pod.metadata?.deletionGracePeriodSeconds).toBe(5);
  });
});

describe.each(testBackends())('concurrent patches on $name', ({ uri }) => {
  let srv: TestServer;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    core = kubeConfig(srv.url).makeApiClient(k8s.CoreV1Api);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('applies every one of many racing merge patches (the server retries its compare-and-swap)', async () => {
    const ns = uniqueName('race');
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c' }, data: {} } });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => core.patchNamespacedConfigMap({ name: 'c', namespace: ns, body: { data: { [`k${i}`]: String(i) } } }, mergePatch)),
    );
    const cm = await core.readNamespacedConfigMap({ name: 'c', namespace: ns });
    expect(Object.keys(cm.data ?? {})).toHaveLength(20);
    // A patch that demands a stale resourceVersion still fails.
    const stale = await failure(core.patchNamespacedConfigMap({ name: 'c', namespace: ns, body: { metadata: { resourceVersion: '1' }, data: { x: 'y' } } }, mergePatch));
    expect(stale.code).toBe(409);
  });
});
