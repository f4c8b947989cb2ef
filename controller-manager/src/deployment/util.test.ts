// Deployment arithmetic: fenceposts and their rounding, proportions, surge and availability bounds, revision annotations.
import { deployment, replicaSet } from '../testing/builders';
import {
  availableThatStay,
  equalIgnoreHash,
  getProportion,
  lastRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from './util';

describe('resolveFenceposts', () => {
  it.each([
    // desired, maxSurge, maxUnavailable → surge (rounded up), unavailable (rounded down)
    [10, '25%', '25%', 3, 2],
    [4, '25%', '25%', 1, 1],
    [10, 3, 2, 3, 2],
    [1, '25%', '25%', 1, 0],
    [2, '0%', '1%', 0, 1], // both round to zero: maxUnavailable becomes 1
    [2, '1%', '25%', 1, 0],
    [2, 0, '0%', 0, 1],
    [100, '10%', '33%', 10, 33],
    [3, '50%', '50%', 2, 1],
  ])('%i replicas, maxSurge %s, maxUnavailable %s → %i surge, %i unavailable', (desired, surge, unavailable, wantSurge, wantUnavailable) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({ surge: wantSurge, unavailable: wantUnavailable });
  });

  it('caps maxUnavailable at the replica count and is zero for Recreate or no replicas', () => {
    expect(maxUnavailable(deployment('d', 2, { maxUnavailable: 5, maxSurge: 0 }))).toBe(2);
    expect(maxUnavailable(deployment('d', 0))).toBe(0);
    expect(maxUnavailable(deployment('d', 4, { strategy: 'Recreate' }))).toBe(0);
    expect(maxSurge(deployment('d', 4, { strategy: 'Recreate' }))).toBe(0);
  });

  it('refuses a value that is neither a number nor a percentage', () => {
    expect(() => resolveFenceposts('lots', 1, 10)).toThrow('must be an integer or a percentage');
  });
});

describe('newRSNewReplicas', () => {
  it.each([
    // replicas, maxSurge, old spec, new spec → new
    [10, 0, 10, 0, 0],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, 2],
    [10, 2, 0, 2, 10],
  ])('%i replicas, maxSurge %i, old %i, new %i → new %i', (replicas, surge, oldSpec, newSpec, want) => {
    const d = deployment('web', replicas, { maxSurge: surge, maxUnavailable: 1 });
    const oldRS = replicaSet('old', oldSpec, { status: { replicas: oldSpec } });
    const newRS = replicaSet('new', newSpec);
    expect(newRSNewReplicas(d, [oldRS, newRS], newRS)).toBe(want);
  });

  it('counts pods an old ReplicaSet still reports after being scaled down, so real pods never exceed the surge', () => {
    const d = deployment('web', 10, { maxSurge: 3, maxUnavailable: 2 });
    // Just scaled from 10 to 8; its controller has not deleted the two pods yet.
    const oldRS = replicaSet('old', 8, { status: { replicas: 10 } });
    const newRS = replicaSet('new', 3, { status: { replicas: 3 } });
    expect(newRSNewReplicas(d, [oldRS, newRS], newRS)).toBe(3);
    const caughtUp = replicaSet('old', 8, { status: { replicas: 8 } });
    expect(newRSNewReplicas(d, [caughtUp, newRS], newRS)).toBe(5);
  });

  it('is the full size for Recreate', () => {
    const d = deployment('web', 4, { strategy: 'Recreate' });
    expect(newRSNewReplicas(d, [], replicaSet('new', 0))).toBe(4);
  });
});

describe('availableThatStay', () => {
  it('never counts more available pods for a ReplicaSet than it asks for', () => {
    expect(availableThatStay([replicaSet('a', 8, { status: { replicas: 10, availableReplicas: 10 } }), replicaSet('b', 3, { status: { replicas: 3, availableReplicas: 2 } })])).toBe(10);
  });
});

describe('getProportion', () => {
  const mid = (name: string, replicas: number) => replicaSet(name, replicas, { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } });

  it('shares a scale-up by each ReplicaSet’s share of the old size, capped by what is left', () => {
    const d = deployment('web', 20, { maxSurge: '25%' }); // allowed 25, was 13
    expect(getProportion(mid('old', 8), d, 12, 0)).toBe(7); // round(8·25/13) − 8 = 15 − 8
    expect(getProportion(mid('new', 5), d, 12, 7)).toBe(5); // round(5·25/13) − 5 = 10 − 5
    expect(getProportion(mid('new', 5), d, 12, 10)).toBe(2); // only 2 left to add
  });

  it('shares a scale-down, never removing more than asked', () => {
    const d = deployment('web', 5, { maxSurge: 1 }); // allowed 6, was 13
    expect(getProportion(mid('old', 8), d, -7, 0)).toBe(-4); // round(8·6/13) − 8 = 4 − 8
    expect(getProportion(mid('new', 5), d, -7, -4)).toBe(-3); // round(5·6/13) − 5 = −3
  });

  it('scales everything away for a Deployment scaled to zero, and nothing from zero', () => {
    expect(getProportion(mid('old', 8), deployment('web', 0), -8, 0)).toBe(-8);
    expect(getProportion(mid('zero', 0), deployment('web', 10), 5, 0)).toBe(0);
  });
});

describe('revision annotations', () => {
  it('gives a new ReplicaSet the next revision, the Deployment’s change-cause and its size annotations', () => {
    const d = deployment('web', 10, { annotations: { 'kubernetes.io/change-cause': 'image 2', 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    const rs = replicaSet('web-abc', 0);
    expect(setNewReplicaSetAnnotations(d, rs, 2, false)).toBe(true);
    expect(rs.metadata?.annotations).toEqual({
      'kubernetes.io/change-cause': 'image 2',
      'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '10',
      'deployment.kubernetes.io/max-replicas': '13',
    });
  });

  it('keeps the revisions a ReplicaSet served in revision-history when it becomes new again (a rollback)', () => {
    const d = deployment('web', 1);
    const rs = replicaSet('web-abc', 0, { annotations: { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' } });
    setNewReplicaSetAnnotations(d, rs, 5, true);
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    expect(setNewReplicaSetAnnotations(d, rs, 5, true)).toBe(false);
  });

  it('finds the previous revision', () => {
    const rss = [1, 4, 2].map((r) => replicaSet(`rs${r}`, 0, { annotations: { 'deployment.kubernetes.io/revision': String(r) } }));
    expect(lastRevision(rss)).toBe(2);
  });

  it('compares templates ignoring pod-template-hash', () => {
    const a = replicaSet('a', 1).spec?.template;
    const b = structuredClone(a)!;
    b.metadata!.labels = { ...b.metadata!.labels, 'pod-template-hash': 'xyz' };
    expect(equalIgnoreHash(a, b)).toBe(true);
    b.spec!.containers[0]!.image = 'nginx:2';
    expect(equalIgnoreHash(a, b)).toBe(false);
  });
});
