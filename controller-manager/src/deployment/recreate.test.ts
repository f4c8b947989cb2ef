// Recreate: old ReplicaSets to zero first; the new one only once no old pod is left, then at full size.
import type { ReplicaSet } from '@keelson/api';
import { deployment, ownerRef, pod } from '../testing/builders';
import { deploymentFixture, rsFor } from '../testing/fixtures';

describe('Recreate', () => {
  const d = deployment('web', 3, { strategy: 'Recreate', image: 'nginx:2', annotations: { 'deployment.kubernetes.io/revision': '1' } });

  it('scales old ReplicaSets to zero and creates nothing yet', async () => {
    const f = deploymentFixture();
    f.deployments(d);
    const old = rsFor(d, 3, { image: 'nginx:1' });
    f.replicaSets(old);
    await f.controller.sync('default/web');
    const writes = f.api.writes().filter((a) => a.resource === 'replicasets');
    expect(writes.map((a) => `${a.verb} ${(a.body as ReplicaSet).spec?.replicas ?? ''}`)).toEqual(['update 0']);
  });

  it('waits while an old pod still exists, even one being deleted', async () => {
    const f = deploymentFixture();
    f.deployments(d);
    const old = rsFor(d, 0, { image: 'nginx:1' });
    f.replicaSets(old);
    f.pods(pod('old-1', { labels: old.spec!.template!.metadata!.labels!, owner: ownerRef('ReplicaSet', old.metadata!.name!), ready: true, deleting: true }));
    await f.controller.sync('default/web');
    expect(f.api.writes().filter((a) => a.resource === 'replicasets')).toEqual([]);
  });

  it('creates the new ReplicaSet at full size once the old pods are gone', async () => {
    const f = deploymentFixture();
    f.deployments(d);
    f.replicaSets(rsFor(d, 0, { image: 'nginx:1' }));
    await f.controller.sync('default/web');
    const created = f.api.writes().find((a) => a.verb === 'create')?.body as ReplicaSet;
    expect(created.spec?.replicas).toBe(3);
    expect(created.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('is woken by the deletion of an old pod', () => {
    const f = deploymentFixture();
    f.deployments(d);
    const old = rsFor(d, 0, { image: 'nginx:1' });
    f.replicaSets(old);
    f.controller.onPodDelete(pod('old-1', { owner: ownerRef('ReplicaSet', old.metadata!.name!) }));
    expect(f.controller.queue.len()).toBe(1);
  });
});
