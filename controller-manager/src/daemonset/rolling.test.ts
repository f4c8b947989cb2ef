// DaemonSet updates: RollingUpdate within maxUnavailable or maxSurge (numbers and percentages), and OnDelete.
import type { DaemonSet, Pod } from '@keelson/api';
import { t0 } from '../testing/builders';
import { daemonPod, daemonSet, daemonSetFixture, hashOf, node, revisionOf, type DaemonSetOptions } from './fixture';
import { targetNodeName } from './predicates';
import { rollingBounds } from './rolling';
import { hashLabel } from './util';

const key = 'default/agent';
const nodeNames = ['n1', 'n2', 'n3', 'n4'];

/** Four nodes, each with an available pod of agent:1; the DaemonSet now says agent:2. */
function rollout(o: DaemonSetOptions, pods?: (old: DaemonSet, cur: DaemonSet) => Pod[]) {
  const f = daemonSetFixture();
  const old = daemonSet('agent', { image: 'agent:1' });
  const cur = daemonSet('agent', { image: 'agent:2', generation: 2, observedGeneration: 1, ...o });
  f.daemonSets(cur);
  f.revisions(revisionOf(old, 1), revisionOf(cur, 2));
  f.nodes(...nodeNames.map((n) => node(n)));
  f.pods(...(pods ? pods(old, cur) : nodeNames.map((n) => daemonPod(`old-${n}`, old, n))));
  return { f, old, cur };
}

describe('RollingUpdate without surge', () => {
  it('deletes one old pod at a time with the default maxUnavailable of 1', async () => {
    const { f } = rollout({});
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['old-n1']);
    expect(f.created()).toEqual([]);
  });

  it('scales a percentage of desired nodes, rounding up', async () => {
    // 30% of 4 = 1.2 → 2.
    const { f } = rollout({ maxUnavailable: '30%' });
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['old-n1', 'old-n2']);
  });

  it('deletes nothing more while a new pod is not yet available, then moves to the next node', async () => {
    const { f, cur } = rollout({}, (o, c) => [daemonPod('new-n1', c, 'n1', { ready: false }), ...['n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n))]);
    await f.controller.sync(key);
    expect(f.deleted()).toEqual([]);
    // Then the new pod is ready: the next node goes.
    f.pods(daemonPod('new-n1', cur, 'n1'));
    f.api.clearActions();
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['old-n2']);
  });

  it('counts a node whose old pod is being deleted as unavailable; the manage loop then creates its new pod', async () => {
    const { f, cur } = rollout({}, (o) => [daemonPod('old-n1', o, 'n1', { deleting: true }), ...['n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n))]);
    await f.controller.sync(key);
    // n1 still has its terminating pod, so nothing is created there yet and no other node may go.
    expect(f.deleted()).toEqual([]);
    f.removePods('old-n1');
    f.controller.onPodDelete(daemonPod('old-n1', cur, 'n1'));
    f.api.clearActions();
    await f.controller.sync(key);
    const created = f.created();
    expect(created.map((p) => targetNodeName(p))).toEqual(['n1']);
    expect(created[0]?.metadata?.labels?.[hashLabel]).toBe(hashOf(cur));
    expect(f.deleted()).toEqual([]);
  });

  it('replaces unavailable old pods at once, beyond maxUnavailable', async () => {
    const { f } = rollout({}, (o) => [daemonPod('old-n1', o, 'n1', { ready: false }), daemonPod('old-n2', o, 'n2', { ready: false }), ...['n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n))]);
    await f.controller.sync(key);
    expect(f.deleted().sort()).toEqual(['old-n1', 'old-n2']);
  });

  it('waits minReadySeconds before a new pod counts as available', async () => {
    const { f } = rollout({ minReadySeconds: 60 }, (o, c) => [daemonPod('new-n1', c, 'n1', { readySince: t0 - 10_000 }), ...['n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n, { readySince: t0 - 3_600_000 }))]);
    await f.controller.sync(key);
    expect(f.deleted()).toEqual([]);
  });
});

describe('RollingUpdate with surge', () => {
  it('starts new pods beside old ones, up to maxSurge, deleting none yet', async () => {
    const { f } = rollout({ maxSurge: 1, maxUnavailable: 0 });
    await f.controller.sync(key);
    expect(f.deleted()).toEqual([]);
    expect(f.created().map((p) => targetNodeName(p))).toEqual(['n1']);
  });

  it('scales a percentage maxSurge, rounding up', async () => {
    // 26% of 4 = 1.04 → 2.
    const { f } = rollout({ maxSurge: '26%', maxUnavailable: 0 });
    await f.controller.sync(key);
    expect(f.created().map((p) => targetNodeName(p))).toEqual(['n1', 'n2']);
  });

  it('holds further surge while a new pod is not available, then deletes the old pod beside an available one', async () => {
    const { f, cur } = rollout({ maxSurge: 1, maxUnavailable: 0 }, (o, c) => [daemonPod('new-n1', c, 'n1', { ready: false, created: t0 - 1000 }), ...nodeNames.map((n) => daemonPod(`old-${n}`, o, n))]);
    await f.controller.sync(key);
    expect(f.created()).toEqual([]);
    expect(f.deleted()).toEqual([]);
    f.pods(daemonPod('new-n1', cur, 'n1', { created: t0 - 1000 }));
    f.api.clearActions();
    await f.controller.sync(key);
    // manage sees old and new both ready on n1 and, the new one available, deletes the old one.
    expect(f.deleted()).toEqual(['old-n1']);
  });

  it('creates a new pod at once beside an unavailable old one', async () => {
    const { f } = rollout({ maxSurge: 1, maxUnavailable: 0 }, (o) => [daemonPod('old-n1', o, 'n1', { ready: false }), ...['n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n))]);
    await f.controller.sync(key);
    // n1 (unavailable old pod) plus one surge candidate.
    expect(f.created().map((p) => targetNodeName(p))).toEqual(['n1', 'n2']);
  });
});

describe('rollingBounds', () => {
  it('reads maxUnavailable 0 and maxSurge 0 as maxUnavailable 1', () => {
    const ds = daemonSet('agent', { maxUnavailable: 0, maxSurge: 0 });
    expect(rollingBounds(ds, [node('a'), node('b')], new Map())).toEqual({ maxSurge: 0, maxUnavailable: 1, desired: 2 });
  });
});

describe('OnDelete', () => {
  it('leaves old pods alone and creates pods of the new template where one was deleted', async () => {
    const { f, cur } = rollout({ strategy: 'OnDelete' }, (o) => ['n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, o, n)));
    await f.controller.sync(key);
    expect(f.deleted()).toEqual([]);
    const created = f.created();
    expect(created.map((p) => targetNodeName(p))).toEqual(['n1']);
    expect(created[0]?.metadata?.labels?.[hashLabel]).toBe(hashOf(cur));
    expect(created[0]?.spec?.containers[0]?.image).toBe('agent:2');
    const status = f.api.writes().find((a) => a.resource === 'daemonsets/status')?.body as DaemonSet;
    expect(status.status).toMatchObject({ desiredNumberScheduled: 4, currentNumberScheduled: 3, updatedNumberScheduled: 0, observedGeneration: 2 });
  });
});
