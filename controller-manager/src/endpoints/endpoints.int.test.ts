// Endpoints and EndpointSlices against a real API server: they follow pods becoming ready, scaling, and the Service going away.
import type { EndpointSlice, Endpoints } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import { createNamespace, deploymentOf, rolledOut, startCluster, waitFor, type TestCluster } from '../testing/cluster';

const [sqlite] = testBackends();

describe('endpoints on sqlite', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // Pods labelled canary=true run but never become ready.
    cluster = await startCluster(sqlite!.uri(), { agent: { becomesReady: (p) => p.metadata?.labels?.['canary'] !== 'true' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists ready and not-ready pods of a Service, follows scaling, and goes with the Service', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'ep');
    const web = deploymentOf('web', ns, 3, 'nginx:1');
    web.spec!.template.spec!.containers[0]!.ports = [{ name: 'http', containerPort: 8080 }];
    await client.resource('apps/v1', 'Deployment').create(web);
    await waitFor('the rollout', () => rolledOut(client, ns, 'web'));
    const canary = deploymentOf('canary', ns, 1, 'nginx:2');
    canary.spec!.selector = { matchLabels: { app: 'web', canary: 'true' } };
    canary.spec!.template.metadata!.labels = { app: 'web', canary: 'true' };
    canary.spec!.template.spec!.containers[0]!.ports = [{ name: 'http', containerPort: 8080 }];
    await client.resource('apps/v1', 'Deployment').create(canary);
    await client.resource('v1', 'Service').create({ metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });

    const endpoints = client.resource('v1', 'Endpoints').namespace(ns);
    const ep = await waitFor('endpoints for 3 ready pods and 1 not ready', async () => {
      const e: Endpoints = await endpoints.get('web');
      const s = e.subsets?.[0];
      return s?.addresses?.length === 3 && s.notReadyAddresses?.length === 1 ? e : undefined;
    });
    expect(ep.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.name).toMatch(/^canary-/);

    const slices = client.resource('discovery.k8s.io/v1', 'EndpointSlice').namespace(ns);
    await waitFor('a slice with 4 endpoints, 3 ready', async () => {
      const items: EndpointSlice[] = (await slices.list({ labelSelector: 'kubernetes.io/service-name=web' })).items;
      const all = items.flatMap((s) => s.endpoints);
      return all.length === 4 && all.filter((e) => e.conditions?.ready === true).length === 3;
    });

    await client.resource('apps/v1', 'Deployment').namespace(ns).scale('web', 1);
    await waitFor('endpoints for 1 ready pod', async () => (await endpoints.get('web')).subsets?.[0]?.addresses?.length === 1);

    await client.resource('v1', 'Service').namespace(ns).delete('web');
    await waitFor('the Endpoints and slices to go', async () => {
      const e = await endpoints.get('web').catch(() => undefined);
      const s = (await slices.list()).items;
      return e === undefined && s.length === 0;
    });
  });
});
