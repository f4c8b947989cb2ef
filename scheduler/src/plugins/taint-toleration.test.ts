// TaintToleration filter: untolerated NoSchedule/NoExecute taints reject, with Kubernetes' reason.
import { makeNode, makePod, snapshotOf, filterReasons, normalizedScores } from '../testing';
import { taintToleration, taintTolerationScore } from './taint-toleration';

describe('TaintToleration', () => {
  const snap = snapshotOf([
    makeNode('cp', { taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] }),
    makeNode('exec', { taints: [{ key: 'gpu', effect: 'NoExecute' }] }),
    makeNode('soft', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
  ]);
  it('names the first untolerated NoSchedule / NoExecute taint', () => {
    expect(filterReasons(taintToleration(), makePod('p'), snap, 'cp')).toEqual(['node(s) had untolerated taint {node-role: control-plane}']);
    expect(filterReasons(taintToleration(), makePod('p'), snap, 'exec')).toEqual(['node(s) had untolerated taint {gpu: }']);
  });
  it('ignores PreferNoSchedule taints', () => {
    expect(filterReasons(taintToleration(), makePod('p'), snap, 'soft')).toEqual([]);
  });
  it('honours Equal and Exists tolerations, with and without effect', () => {
    const eq = makePod('p', { tolerations: [{ key: 'node-role', operator: 'Equal', value: 'control-plane', effect: 'NoSchedule' }] });
    expect(filterReasons(taintToleration(), eq, snap, 'cp')).toEqual([]);
    const wrongValue = makePod('p', { tolerations: [{ key: 'node-role', value: 'worker' }] });
    expect(filterReasons(taintToleration(), wrongValue, snap, 'cp')).toHaveLength(1);
    const everything = makePod('p', { tolerations: [{ operator: 'Exists' }] });
    expect(filterReasons(taintToleration(), everything, snap, 'exec')).toEqual([]);
    const wrongEffect = makePod('p', { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(filterReasons(taintToleration(), wrongEffect, snap, 'exec')).toEqual(['node(s) had untolerated taint {gpu: }']);
  });
});

describe('TaintToleration score', () => {
  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const spot = { key: 'spot', value: 'true', effect: 'PreferNoSchedule' };
    const snap = snapshotOf([makeNode('clean'), makeNode('one', { taints: [spot] }), makeNode('two', { taints: [spot, { key: 'old', effect: 'PreferNoSchedule' }] })]);
    expect(normalizedScores(taintTolerationScore(), makePod('p'), snap)).toEqual({ clean: 100, one: 50, two: 0 });
    const tolerant = makePod('p', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] });
    expect(normalizedScores(taintTolerationScore(), tolerant, snap)).toEqual({ clean: 100, one: 100, two: 0 });
  });
});
