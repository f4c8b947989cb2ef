// Namespace deletion against a real API server: everything in it is deleted, then the namespace itself goes.
import type { Namespace } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import { createNamespace, deploymentOf, podsIn, rolledOut, startCluster, waitFor, type TestCluster } from '../testing/cluster';

describe.each(testBackends())('namespace deletion on $name', ({ uri }) => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster(uri());
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('deletes the content of a namespace, waits for terminating pods, then removes the namespace', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'doomed');
    await client.resource('apps/v1', 'Deployment').create(deploymentOf('web', ns, 3, 'nginx:1'));
    await client.resource('v1', 'ConfigMap').create({ metadata: { name: 'settings', namespace: ns }, data: { a: '1' } });
    await client.resource('v1', 'Service').create({ metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    await waitFor('the rollout', () => rolledOut(client, ns, 'web'));

    const namespaces = client.resource('v1', 'Namespace');
    // Every stored version of the namespace from here on.
    const versions: Namespace[] = [];
    const watch = namespaces.watch({ name: ns, resourceVersion: (await namespaces.get(ns)).metadata?.resourceVersion ?? '' });
    const watching = (async () => {
      for await (const ev of watch) {
        if (ev.type !== 'BOOKMARK') versions.push(ev.object);
        if (ev.type === 'DELETED') break;
      }
    })();
    const deleting = (await namespaces.delete(ns)) as Namespace;
    expect(deleting.status?.phase).toBe('Terminating');
    // Nothing new may be created meanwhile.
    await expect(client.resource('v1', 'ConfigMap').create({ metadata: { name: 'late', namespace: ns } })).rejects.toThrow(/being terminated/);

    await waitFor('the namespace to go', async () => (await namespaces.get(ns).catch(() => undefined)) === undefined);
    await watching;
    watch.stop();
    // The controller reported its progress in the deletion conditions before finalizing.
    const reported = versions.flatMap((v) => v.status?.conditions ?? []).map((c) => c.type);
    expect(new Set(reported)).toEqual(new Set(['NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining']));
    expect(await podsIn(client, ns)).toEqual([]);
    expect((await client.resource('v1', 'ConfigMap').namespace(ns).list()).items).toEqual([]);
    expect((await client.resource('apps/v1', 'ReplicaSet').namespace(ns).list()).items).toEqual([]);
  });

  it('removes an empty namespace promptly', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'empty');
    await client.resource('v1', 'Namespace').delete(ns);
    await waitFor('the namespace to go', async () => (await client.resource('v1', 'Namespace').get(ns).catch(() => undefined)) === undefined, 10_000);
  });
});
