// PodTopologySpread filter: maxSkew over domains, minDomains, missing topology labels, node inclusion policies.
import type { TopologySpreadConstraint } from '@keelson/api';
import { filterReasons, makeNode, makePod, snapshotOf } from '../testing';
import { podTopologySpread } from './pod-topology-spread';

const zone = 'topology.kubernetes.io/zone';
const nodes = [makeNode('a1', { labels: { [zone]: 'a' } }), makeNode('a2', { labels: { [zone]: 'a' } }), makeNode('b1', { labels: { [zone]: 'b' } }), makeNode('nolabel')];
const web = (name: string, node?: string) => makePod(name, { labels: { app: 'web' }, ...(node !== undefined ? { node } : {}) });

function spread(c: Partial<TopologySpreadConstraint> = {}) {
  return makePod('new', {
    labels: { app: 'web' },
    spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }] },
  });
}

describe('PodTopologySpread filter', () => {
  it('rejects domains that would exceed maxSkew', () => {
    const snap = snapshotOf(nodes, [web('w1', 'a1'), web('w2', 'a2')]);
    // zone a has 2, b has 0: a would become 3 − 0 = 3 > 1.
    expect(filterReasons(podTopologySpread(), spread(), snap, 'a1')).toEqual(["node(s) didn't match pod topology spread constraints"]);
    expect(filterReasons(podTopologySpread(), spread(), snap, 'b1')).toEqual([]);
    expect(filterReasons(podTopologySpread(), spread({ maxSkew: 3 }), snap, 'a1')).toEqual([]);
  });

  it('rejects nodes without the topology label as unresolvable', () => {
    const snap = snapshotOf(nodes);
    expect(filterReasons(podTopologySpread(), spread(), snap, 'nolabel')).toEqual(["node(s) didn't match pod topology spread constraints (missing required label)"]);
  });

  it('treats the global minimum as 0 while there are fewer domains than minDomains', () => {
    const snap = snapshotOf(nodes, [web('w1', 'a1'), web('w2', 'b1')]);
    expect(filterReasons(podTopologySpread(), spread(), snap, 'a1')).toEqual([]);
    expect(filterReasons(podTopologySpread(), spread({ minDomains: 3 }), snap, 'a1')).toEqual(["node(s) didn't match pod topology spread constraints"]);
  });

  it('only counts pods the selector matches, in the same namespace', () => {
    const snap = snapshotOf(nodes, [makePod('x', { node: 'a1', labels: { app: 'other' } }), makePod('y', { node: 'a2', labels: { app: 'web' }, namespace: 'elsewhere' })]);
    expect(filterReasons(podTopologySpread(), spread(), snap, 'a1')).toEqual([]);
  });

  it('leaves out nodes the pod cannot use under nodeAffinityPolicy Honor', () => {
    // Only zone a is eligible, so zone b's zero count does not hold the minimum down.
    const snap = snapshotOf(nodes, [web('w1', 'a1')]);
    const p = spread();
    p.spec = { ...p.spec!, nodeSelector: { [zone]: 'a' } };
    expect(filterReasons(podTopologySpread(), p, snap, 'a2')).toEqual([]);
    const ignore = spread({ nodeAffinityPolicy: 'Ignore' });
    ignore.spec = { ...ignore.spec!, nodeSelector: { [zone]: 'a' } };
    expect(filterReasons(podTopologySpread(), ignore, snap, 'a1')).toEqual(["node(s) didn't match pod topology spread constraints"]);
  });

  it('ignores ScheduleAnyway constraints and pods without constraints', () => {
    expect(filterReasons(podTopologySpread(), spread({ whenUnsatisfiable: 'ScheduleAnyway' }), snapshotOf(nodes), 'a1')).toBe('skip');
    expect(filterReasons(podTopologySpread(), makePod('p'), snapshotOf(nodes), 'a1')).toBe('skip');
  });
});
