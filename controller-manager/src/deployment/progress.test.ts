// Progress: Progressing refreshed on progress, NewReplicaSetAvailable when complete, ProgressDeadlineExceeded after a stall, and the requeue.
import type { Deployment } from '@keelson/api';
import { deployment, t0 } from '../testing/builders';
import { deploymentFixture, rsFor } from '../testing/fixtures';
import { timestamp } from '../common/time';
import { syncDeployment } from './sync';

function progressing(reason: string, lastUpdateMs: number): NonNullable<NonNullable<Deployment['status']>['conditions']>[number] {
  return { type: 'Progressing', status: 'True', reason, message: '', lastUpdateTime: timestamp(lastUpdateMs), lastTransitionTime: timestamp(lastUpdateMs) };
}

function lastStatus(f: ReturnType<typeof deploymentFixture>): NonNullable<Deployment['status']> | undefined {
  return (f.api.writes().filter((a) => a.resource === 'deployments/status').at(-1)?.body as Deployment | undefined)?.status;
}

describe('rollout progress', () => {
  it('reports ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 2, { image: 'nginx:2', progressDeadlineSeconds: 60, maxSurge: 1, maxUnavailable: 0, annotations: { 'deployment.kubernetes.io/revision': '2' } });
    const old = rsFor(d, 2, { image: 'nginx:1', revision: 1 });
    const cur = rsFor(d, 1, { revision: 2, available: 0 });
    (d as { status?: unknown }).status = { observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [progressing('ReplicaSetUpdated', t0 - 61_000)] };
    f.deployments(d);
    f.replicaSets(old, cur);
    await f.controller.sync('default/web');
    const cond = lastStatus(f)?.conditions?.find((c) => c.type === 'Progressing');
    expect(cond).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${cur.metadata!.name!}" has timed out progressing.` });
  });

  it('looks again when the deadline will have passed, if nothing changed', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 2, { image: 'nginx:2', progressDeadlineSeconds: 60, maxSurge: 1, maxUnavailable: 0, annotations: { 'deployment.kubernetes.io/revision': '2' } });
    const old = rsFor(d, 2, { image: 'nginx:1', revision: 1 });
    const cur = rsFor(d, 1, { revision: 2, available: 0 });
    (d as { status?: unknown }).status = {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [progressing('ReplicaSetUpdated', t0 - 20_000), { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: timestamp(t0 - 99_000), lastTransitionTime: timestamp(t0 - 99_000) }],
    };
    f.deployments(d);
    f.replicaSets(old, cur);
    await syncDeployment(f.deps, 'default/web');
    expect(f.api.writes()).toEqual([]);
    // 60 s deadline − 20 s since the last progress, + 1 s.
    expect(f.delayed).toEqual([{ key: 'default/web', delayMs: 41_000 }]);
  });

  it('refreshes Progressing (keeping its transition time) when more pods are available', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 2, { image: 'nginx:2', progressDeadlineSeconds: 60, maxSurge: 1, maxUnavailable: 0, annotations: { 'deployment.kubernetes.io/revision': '2' } });
    const old = rsFor(d, 2, { image: 'nginx:1', revision: 1 });
    const cur = rsFor(d, 1, { revision: 2, available: 1 });
    (d as { status?: unknown }).status = { observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, conditions: [progressing('ReplicaSetUpdated', t0 - 50_000)] };
    f.deployments(d);
    f.replicaSets(old, cur);
    await f.controller.sync('default/web');
    const cond = lastStatus(f)?.conditions?.find((c) => c.type === 'Progressing');
    expect(cond).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: timestamp(t0), lastTransitionTime: timestamp(t0 - 50_000) });
  });

  it('reports NewReplicaSetAvailable and Available once every replica is updated and available', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 2, { annotations: { 'deployment.kubernetes.io/revision': '1' } });
    (d as { status?: unknown }).status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, conditions: [progressing('ReplicaSetUpdated', t0 - 5_000)] };
    f.deployments(d);
    f.replicaSets(rsFor(d, 2, { revision: 1 }));
    await f.controller.sync('default/web');
    const status = lastStatus(f)!;
    expect(status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 0 });
    expect(status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`).sort()).toEqual(['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
  });

  it('prunes old ReplicaSets beyond revisionHistoryLimit once complete, oldest first, only empty ones', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 1, { revisionHistoryLimit: 1, annotations: { 'deployment.kubernetes.io/revision': '4' } });
    (d as { status?: unknown }).status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 };
    f.deployments(d);
    const v1 = rsFor(d, 0, { image: 'a:1', revision: 1, created: t0 - 4000_000 });
    const v2 = rsFor(d, 0, { image: 'a:2', revision: 2, created: t0 - 3000_000, statusReplicas: 1 });
    const v3 = rsFor(d, 0, { image: 'a:3', revision: 3, created: t0 - 2000_000 });
    f.replicaSets(v1, v2, v3, rsFor(d, 1, { revision: 4 }));
    await f.controller.sync('default/web');
    // Two over the limit: v1 and v2; v2 still reports a pod, so only v1 goes.
    expect(f.api.summary().filter((s) => s.startsWith('delete'))).toEqual([`delete replicasets default/${v1.metadata!.name!}`]);
  });
});
