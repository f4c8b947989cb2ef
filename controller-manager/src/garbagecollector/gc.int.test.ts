// Cascading deletion against a real API server: Background, Foreground and Orphan, and dependents whose owner never existed.
import { testBackends } from '@keelson/apiserver';
import { createNamespace, deploymentOf, podsIn, replicaSetsIn, rolledOut, startCluster, waitFor, type TestCluster } from '../testing/cluster';

describe.each(testBackends())('garbage collection on $name', ({ uri }) => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster(uri());
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function rolledOutDeployment(prefix: string): Promise<string> {
    const ns = await createNamespace(cluster.client, prefix);
    await cluster.client.resource('apps/v1', 'Deployment').create(deploymentOf('web', ns, 3, 'nginx:1'));
    await waitFor('the rollout', () => rolledOut(cluster.client, ns, 'web'));
    return ns;
  }

  it('Background: the Deployment goes at once, its ReplicaSet and pods after it', async () => {
    const { client } = cluster;
    const ns = await rolledOutDeployment('gc-bg');
    const res = await client.resource('apps/v1', 'Deployment').namespace(ns).delete('web', { propagationPolicy: 'Background' });
    expect(res.kind).toBe('Status');
    await waitFor('the ReplicaSet and pods to be collected', async () => (await replicaSetsIn(client, ns)).length === 0 && (await podsIn(client, ns)).length === 0);
  });

  it('Foreground: the Deployment stays, marked, until its ReplicaSet and pods are gone', async () => {
    const { client } = cluster;
    const ns = await rolledOutDeployment('gc-fg');
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.delete('web', { propagationPolicy: 'Foreground' });
    const marked = await deployments.get('web');
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.metadata?.finalizers).toContain('foregroundDeletion');
    // Whenever the Deployment is seen, it may still have dependents; once it is gone, they must be gone too.
    let sawDependentsWhileMarked = false;
    await waitFor('the Deployment to go', async () => {
      const rss = await replicaSetsIn(client, ns);
      const pods = await podsIn(client, ns);
      const gone = await deployments.get('web').then(
        () => false,
        () => true,
      );
      if (!gone && rss.length + pods.length > 0) sawDependentsWhileMarked = true;
      if (!gone) return false;
      expect(await replicaSetsIn(client, ns)).toEqual([]);
      expect(await podsIn(client, ns)).toEqual([]);
      return true;
    });
    expect(sawDependentsWhileMarked).toBe(true);
  });

  it('Orphan: the Deployment goes, its ReplicaSet and pods stay without the owner reference', async () => {
    const { client } = cluster;
    const ns = await rolledOutDeployment('gc-orphan');
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.delete('web', { propagationPolicy: 'Orphan' });
    await waitFor('the Deployment to go', () => deployments.get('web').then(() => false, () => true));
    const rss = await replicaSetsIn(client, ns);
    expect(rss).toHaveLength(1);
    expect(rss[0]?.metadata?.ownerReferences ?? []).toEqual([]);
    const pods = await podsIn(client, ns);
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rss[0]?.metadata?.uid)).toBe(true);
    // Still running as an ordinary ReplicaSet: a deleted pod comes back.
    await client.resource('v1', 'Pod').namespace(ns).delete(pods[0]?.metadata?.name ?? '');
    await waitFor('the pod to be replaced', async () => (await podsIn(client, ns)).filter((p) => p.metadata?.deletionTimestamp === undefined && p.metadata?.name !== pods[0]?.metadata?.name).length === 3);
  });

  it('deletes a dependent whose owner never existed, and keeps one whose owner does', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'gc-dangling');
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const owner = await cms.create({ metadata: { name: 'owner' } });
    const ref = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
    await cms.create({ metadata: { name: 'kept', ownerReferences: [ref('owner', owner.metadata?.uid ?? '')] } });
    await cms.create({ metadata: { name: 'orphaned', ownerReferences: [ref('ghost', '9a3e7c1e-0000-4000-8000-000000000000')] } });
    // Same name as a real owner, another uid: that owner is not this one's.
    await cms.create({ metadata: { name: 'impostor', ownerReferences: [ref('owner', '9a3e7c1e-0000-4000-8000-000000000001')] } });
    await waitFor('the dangling dependents to be collected', async () => {
      const names = (await cms.list()).items.map((c) => c.metadata?.name).sort();
      return names.join(',') === 'kept,owner';
    });
  });

  it('drops the reference to a deleted owner from a dependent that has another owner', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'gc-multi');
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const a = await cms.create({ metadata: { name: 'a' } });
    const b = await cms.create({ metadata: { name: 'b' } });
    await cms.create({ metadata: { name: 'child', ownerReferences: [a, b].map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' })) } });
    await cms.delete('a');
    const child = await waitFor('the reference to go', async () => {
      const c = await cms.get('child');
      return c.metadata?.ownerReferences?.length === 1 ? c : undefined;
    });
    expect(child.metadata?.ownerReferences?.[0]?.name).toBe('b');
  });
});
