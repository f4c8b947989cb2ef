// The scheduling algorithm: how many nodes it samples, rotation, scoring and tie-breaks, and the failure message with preemption's verdict.
import { makeNode, makePod, snapshotOf } from '../testing';
import { defaultPlugins } from '../plugins/registry';
import { Framework, numFeasibleNodesToFind } from './framework';
import { podInfo } from './pod-info';
import type { NodeInfo } from './node-info';
import type { Plugins, ScorePlugin } from './types';

describe('numFeasibleNodesToFind', () => {
  it.each([
    [0, 50, 50],
    [0, 99, 99],
    [0, 100, 100],
    [0, 1000, 420], // 50 − 8 = 42%
    [0, 5000, 500], // 50 − 40 = 10%
    [0, 6000, 300], // 50 − 48 = 2% → floor 5%
    [0, 200, 100], // 48% of 200 = 96 → at least 100
    [30, 1000, 300],
    [100, 1000, 1000],
  ])('percentage %i of %i nodes → %i', (pct, nodes, want) => {
    expect(numFeasibleNodesToFind(pct, nodes)).toBe(want);
  });
});

function manyNodes(n: number) {
  return Array.from({ length: n }, (_, i) => makeNode(`n${String(i).padStart(4, '0')}`));
}

describe('Framework.schedule', () => {
  it('filters only until enough feasible nodes are found, and starts the next cycle where this one stopped', () => {
    const fw = new Framework(defaultPlugins(), { random: () => 0 });
    const snap = snapshotOf(manyNodes(1000));
    const first = fw.schedule(podInfo(makePod('a')), snap);
    expect(first).toMatchObject({ kind: 'scheduled', evaluatedNodes: 420, feasibleNodes: 420 });
    // The first cycle looked at n0000…n0419; the second starts at n0420.
    const seen: string[] = [];
    const spy: Plugins = {
      filters: [{ name: 'Spy', preFilter: () => (node: NodeInfo) => void seen.push(node.name) }, ...defaultPlugins().filters],
      scores: [],
    };
    const fw2 = new Framework(spy, { random: () => 0 });
    fw2.schedule(podInfo(makePod('a')), snap);
    seen.length = 0;
    fw2.schedule(podInfo(makePod('b')), snap);
    expect(seen[0]).toBe('n0420');
    expect(seen).toHaveLength(420);
  });

  it('picks the node with the highest weighted score', () => {
    const snap = snapshotOf([makeNode('busy'), makeNode('idle'), makeNode('mid')], [makePod('x', { node: 'busy', cpu: '3' }), makePod('y', { node: 'mid', cpu: '1' })]);
    const fw = new Framework(defaultPlugins(), { random: () => 0.99 });
    expect(fw.schedule(podInfo(makePod('p', { cpu: '500m', memory: '1Gi' })), snap)).toMatchObject({ kind: 'scheduled', node: 'idle' });
  });

  it('breaks ties with the injected randomness, each tied node being possible', () => {
    const flat: ScorePlugin = { name: 'Flat', preScore: () => ({ score: () => 50 }) };
    const plugins: Plugins = { filters: [], scores: [{ plugin: flat, weight: 1 }] };
    const snap = snapshotOf([makeNode('a'), makeNode('b'), makeNode('c')]);
    const chosen = new Set<string>();
    for (const r of [0, 0.3, 0.6, 0.9]) {
      const res = new Framework(plugins, { random: () => r }).schedule(podInfo(makePod('p')), snap);
      if (res.kind === 'scheduled') chosen.add(res.node);
    }
    expect(chosen.size).toBeGreaterThan(1);
  });

  it('reports no nodes as an error', () => {
    expect(new Framework(defaultPlugins()).schedule(podInfo(makePod('p')), snapshotOf([]))).toEqual({ kind: 'error', message: 'no nodes available to schedule pods' });
  });
});

describe('the failure message', () => {
  function fail(nodes: ReturnType<typeof makeNode>[], pods: ReturnType<typeof makePod>[], pod: ReturnType<typeof makePod>): string {
    const res = new Framework(defaultPlugins()).schedule(podInfo(pod), snapshotOf(nodes, pods));
    if (res.kind !== 'unschedulable') throw new Error(`expected unschedulable, got ${res.kind}`);
    return res.error.message;
  }

  it("counts reasons per node, sorted, with preemption's verdict, in Kubernetes' words", () => {
    const msg = fail(
      [makeNode('w1', { cpu: '1' }), makeNode('w2', { cpu: '1' }), makeNode('cp', { taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] })],
      [],
      makePod('p', { cpu: '2' }),
    );
    expect(msg).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role: control-plane}, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('re-runs the filters without lower-priority pods for the preemption verdict', () => {
    const nodes = [makeNode('w1', { cpu: '1', memory: '1Gi' })];
    const low = makePod('low', { node: 'w1', cpu: '500m', priority: -10 });
    // Even without the low-priority pod, 2 cpu do not fit in 1.
    expect(fail(nodes, [low], makePod('p', { cpu: '2' }))).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.');
    // Without it, 800m would fit: Kubernetes would preempt; Keelson says so and that it does not.
    expect(fail(nodes, [low], makePod('p', { cpu: '800m' }))).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 1 node(s) would fit once lower-priority pods were evicted, but this scheduler does not preempt.',
    );
  });

  it('reports preemptionPolicy Never', () => {
    const p = makePod('p', { cpu: '2', spec: { preemptionPolicy: 'Never' } });
    expect(fail([makeNode('w1', { cpu: '1' })], [], p)).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('reports a pod whose selector cannot be parsed once, not per node', () => {
    const p = makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'x', labelSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }] } } } });
    expect(fail([makeNode('a'), makeNode('b')], [], p)).toMatch(/^0\/2 nodes are available: parsing pod: .*\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\.$/);
  });
});
