// Deployment reconcile end to end over fake caches: creating the new ReplicaSet, rolling, scaling, pausing, adoption, collisions.
import { type Deployment, type ReplicaSet } from '@keelson/api';
import { deployment, ownerRef, replicaSet } from '../testing/builders';
import { deploymentFixture, rsFor } from '../testing/fixtures';
import { computeHash } from '../common/hash';

const written = (f: ReturnType<typeof deploymentFixture>, resource: string) => f.api.writes().filter((a) => a.resource === resource);

describe('syncDeployment: a new Deployment', () => {
  it('creates a ReplicaSet named by pod-template-hash at full size, revision 1, and records progress', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2, annotations: { 'kubernetes.io/change-cause': 'first' } });
    f.deployments(d);
    await f.controller.sync('default/web');
    expect(f.api.summary()).toEqual(['create replicasets', 'patch deployments default/web', 'update deployments/status default/web', 'update deployments/status default/web']);
    const rs = written(f, 'replicasets')[0]!.body as ReplicaSet;
    const hash = computeHash(d.spec!.template);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.replicas).toBe(10);
    expect(rs.metadata?.ownerReferences).toEqual([ownerRef('Deployment', 'web')]);
    expect(rs.metadata?.annotations).toEqual({
      'kubernetes.io/change-cause': 'first',
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '10',
      'deployment.kubernetes.io/max-replicas': '13',
    });
    expect(written(f, 'deployments')[0]!.body).toEqual({ metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } });
    const status = (written(f, 'deployments/status').at(-1)!.body as Deployment).status!;
    expect(status).toMatchObject({ observedGeneration: 1, replicas: 0, updatedReplicas: 0, availableReplicas: 0, unavailableReplicas: 10 });
    expect(status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`)).toEqual(['Progressing=True/NewReplicaSetCreated', 'Available=False/MinimumReplicasUnavailable']);
    expect(f.recorder.events).toContain(`Normal ScalingReplicaSet Scaled up replica set web-${hash} to 10`);
  });

  it('only writes status for a Deployment being deleted', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 3);
    (d.metadata as { deletionTimestamp?: string }).deletionTimestamp = '2024-05-01T12:00:00Z';
    f.deployments(d);
    f.replicaSets(rsFor(d, 3));
    await f.controller.sync('default/web');
    expect(f.api.summary().every((s) => s.startsWith('update deployments/status') || s.startsWith('patch deployments'))).toBe(true);
  });

  it('reports a selector that selects everything and does nothing else', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 3, { generation: 2, status: { observedGeneration: 1 } });
    d.spec!.selector = {};
    f.deployments(d);
    await f.controller.sync('default/web');
    expect(f.api.summary()).toEqual(['update deployments/status default/web']);
    expect(f.recorder.events[0]).toMatch(/^Warning SelectingAll/);
  });
});

describe('syncDeployment: a template change', () => {
  it('creates the next revision at maxSurge and takes the old ReplicaSet down by maxUnavailable', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2, image: 'nginx:2', annotations: { 'deployment.kubernetes.io/revision': '1' } });
    f.deployments(d);
    f.replicaSets(rsFor(d, 10, { image: 'nginx:1', revision: 1 }));
    await f.controller.sync('default/web');
    const created = written(f, 'replicasets').find((a) => a.verb === 'create')!.body as ReplicaSet;
    expect(created.spec?.replicas).toBe(3);
    expect(created.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const scaled = written(f, 'replicasets').filter((a) => a.verb === 'update').map((a) => (a.body as ReplicaSet).spec?.replicas);
    expect(scaled).toEqual([8]);
  });

  it('scales old ReplicaSets down once the new pods are available, and new up within the surge', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2, image: 'nginx:2', annotations: { 'deployment.kubernetes.io/revision': '2' } });
    f.deployments(d);
    const old = rsFor(d, 10, { image: 'nginx:1', revision: 1 });
    f.replicaSets(old, rsFor(d, 3, { revision: 2, available: 0 }));
    await f.controller.sync('default/web');
    // New is at the surge limit: old goes down by maxUnavailable (10 available − 8 minimum).
    const updates = written(f, 'replicasets').filter((a) => a.verb === 'update').map((a) => a.body as ReplicaSet);
    expect(updates.map((r) => `${r.metadata?.name ?? ''}=${r.spec?.replicas ?? ''}`)).toEqual([`${old.metadata!.name!}=8`]);
  });

  it('finds the old ReplicaSet again when the template is set back, and gives it the next revision', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 3, { image: 'nginx:1', annotations: { 'deployment.kubernetes.io/revision': '2' } });
    f.deployments(d);
    const first = rsFor(d, 0, { image: 'nginx:1', revision: 1 });
    const second = rsFor(d, 3, { image: 'nginx:2', revision: 2 });
    f.replicaSets(first, second);
    await f.controller.sync('default/web');
    expect(written(f, 'replicasets').filter((a) => a.verb === 'create')).toEqual([]);
    const raised = written(f, 'replicasets').find((a) => a.name === first.metadata!.name)!.body as ReplicaSet;
    expect(raised.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(raised.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
  });
});

describe('syncDeployment: scaling', () => {
  it('scales the only active ReplicaSet to the new size', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 5);
    f.deployments(d);
    f.replicaSets(rsFor(d, 3, { desired: 3 }));
    await f.controller.sync('default/web');
    const update = written(f, 'replicasets').find((a) => a.verb === 'update')!.body as ReplicaSet;
    expect(update.spec?.replicas).toBe(5);
    expect(update.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('5');
    expect(f.recorder.events.some((e) => e.includes('Scaled up replica set') && e.endsWith('from 3 to 5'))).toBe(true);
  });

  it('scales mid-rollout ReplicaSets in proportion to their sizes', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 20, { image: 'nginx:2', maxSurge: '25%', maxUnavailable: '25%' });
    f.deployments(d);
    const old = rsFor(d, 8, { image: 'nginx:1', revision: 1, desired: 10, maxReplicas: 13 });
    const cur = rsFor(d, 5, { revision: 2, desired: 10, maxReplicas: 13, available: 0 });
    f.replicaSets(old, cur);
    await f.controller.sync('default/web');
    const sizes = Object.fromEntries(written(f, 'replicasets').map((a) => [a.name, (a.body as ReplicaSet).spec?.replicas]));
    // 25 allowed (20 + 5 surge) − 13 now = 12 more: old round(8·25/13) = 15, new round(5·25/13) = 10.
    expect(sizes).toEqual({ [old.metadata!.name!]: 15, [cur.metadata!.name!]: 10 });
  });

  it('scales a paused Deployment but does not roll it, and marks it paused', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 4, { image: 'nginx:2', paused: true });
    f.deployments(d);
    f.replicaSets(rsFor(d, 2, { image: 'nginx:1', desired: 2 }));
    await f.controller.sync('default/web');
    expect(written(f, 'replicasets').filter((a) => a.verb === 'create')).toEqual([]);
    expect((written(f, 'replicasets')[0]!.body as ReplicaSet).spec?.replicas).toBe(4);
    const conditions = (written(f, 'deployments/status')[0]!.body as Deployment).status?.conditions;
    expect(conditions).toEqual([expect.objectContaining({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused' })]);
  });
});

describe('syncDeployment: ownership', () => {
  it('adopts an orphan ReplicaSet the selector matches and releases one that stopped matching', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 1);
    f.deployments(d);
    const orphan = rsFor(d, 1);
    orphan.metadata!.ownerReferences = [];
    const strayed = replicaSet('strayed', 0, { labels: { app: 'other' }, owner: ownerRef('Deployment', 'web') });
    f.replicaSets(orphan, strayed);
    await f.controller.sync('default/web');
    const patches = written(f, 'replicasets').filter((a) => a.verb === 'patch');
    expect(patches.map((a) => a.name)).toEqual([orphan.metadata!.name, 'strayed']);
    expect(patches[1]!.body).toEqual({ metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }], uid: 'uid-strayed' } });
  });

  it('bumps collisionCount when the hash names a ReplicaSet with another template', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 1);
    f.deployments(d);
    const squatter = replicaSet(`web-${computeHash(d.spec!.template)}`, 0, { labels: { other: 'x' } });
    f.replicaSets(squatter);
    await expect(f.controller.sync('default/web')).rejects.toThrow(/already exists/);
    const status = (written(f, 'deployments/status').at(-1)!.body as Deployment).status;
    expect(status?.collisionCount).toBe(1);
  });
});
