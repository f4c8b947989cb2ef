// Rolling update steps as tables: how far the new ReplicaSet goes up and old ones go down for given sizes and availability.
import type { ReplicaSet } from '@keelson/api';
import { deployment, replicaSet } from '../testing/builders';
import { deploymentFixture } from '../testing/fixtures';
import { reconcileNewReplicaSet, reconcileOldReplicaSets } from './rolling';

function rs(name: string, replicas: number, available: number, statusReplicas = replicas): ReplicaSet {
  return replicaSet(name, replicas, { status: { replicas: statusReplicas, availableReplicas: available, readyReplicas: available } });
}

function sizes(f: ReturnType<typeof deploymentFixture>): Record<string, number | undefined> {
  return Object.fromEntries(f.api.writes().map((a) => [a.name ?? '', (a.body as ReplicaSet).spec?.replicas]));
}

describe('reconcileNewReplicaSet', () => {
  it.each([
    // replicas, maxSurge, old, new → scaled new size (undefined: no scale)
    [10, 0, 10, 0, undefined],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, undefined],
    [2, 2, 2, 4, 2], // more than desired: down to the desired size
  ])('%i replicas, maxSurge %i, old %i, new %i → %s', async (replicas, surge, oldSize, newSize, want) => {
    const f = deploymentFixture();
    const d = deployment('web', replicas, { maxSurge: surge, maxUnavailable: 1 });
    const oldRS = rs('old', oldSize, oldSize);
    const newRS = rs('new', newSize, 0);
    f.replicaSets(oldRS, newRS);
    const scaled = await reconcileNewReplicaSet(f.deps, [oldRS, newRS], newRS, d);
    expect(scaled).toBe(want !== undefined);
    expect(sizes(f)['new']).toBe(want);
  });
});

describe('reconcileOldReplicaSets (10 replicas, maxSurge 3, maxUnavailable 2)', () => {
  it.each([
    // old spec, old available, new spec, new available → old size after (undefined: untouched)
    ['start of a rollout: down by maxUnavailable', 10, 10, 3, 0, 8],
    ['new pods not yet available: wait', 8, 8, 5, 0, undefined],
    ['three new pods available: three more old go', 8, 8, 5, 3, 5],
    ['unhealthy old pods go first, at no cost', 10, 7, 0, 0, 8],
    ['nothing left to scale down', 0, 0, 10, 10, undefined],
  ])('%s', async (_name, oldSpec, oldAvail, newSpec, newAvail, want) => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2 });
    const oldRS = rs('old', oldSpec, oldAvail);
    const newRS = rs('new', newSpec, newAvail);
    f.replicaSets(oldRS, newRS);
    const scaled = await reconcileOldReplicaSets(f.deps, [oldRS, newRS], oldSpec > 0 ? [oldRS] : [], newRS, d);
    expect(scaled).toBe(want !== undefined);
    expect(sizes(f)['old']).toBe(want);
  });

  it('does not count pods an old ReplicaSet is deleting as available, so availability stays above the minimum', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2 });
    // Scaled to 8 a moment ago; its status still shows the 10 pods it had.
    const oldRS = rs('old', 8, 10, 10);
    const newRS = rs('new', 5, 3);
    f.replicaSets(oldRS, newRS);
    await reconcileOldReplicaSets(f.deps, [oldRS, newRS], [oldRS], newRS, d);
    // 8 + 3 = 11 available that stay, minimum 8: three may go (counting 10 would have taken five).
    expect(sizes(f)['old']).toBe(5);
  });

  it('takes old ReplicaSets down oldest first', async () => {
    const f = deploymentFixture();
    const d = deployment('web', 10, { maxSurge: 0, maxUnavailable: 3 });
    const older = replicaSet('older', 5, { created: Date.parse('2024-01-01T00:00:00Z'), status: { replicas: 5, availableReplicas: 5 } });
    const newer = replicaSet('newer', 5, { created: Date.parse('2024-02-01T00:00:00Z'), status: { replicas: 5, availableReplicas: 5 } });
    const newRS = rs('new', 0, 0);
    f.replicaSets(older, newer, newRS);
    await reconcileOldReplicaSets(f.deps, [newer, older, newRS], [newer, older], newRS, d);
    expect(sizes(f)).toEqual({ older: 2 });
  });
});
