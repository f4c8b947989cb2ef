// NodeResourcesBalancedAllocation score: nodes where cpu and memory would be used in equal shares score highest.
import { makeNode, makePod, normalizedScores, snapshotOf } from '../testing';
import { balancedAllocationScore } from './balanced-allocation';

describe('NodeResourcesBalancedAllocation score', () => {
  it('scores (1 − std of the cpu and memory fractions) × 100', () => {
    const snap = snapshotOf(
      [makeNode('even', { cpu: '4', memory: '4Gi' }), makeNode('cpuheavy', { cpu: '4', memory: '4Gi' })],
      [makePod('x', { node: 'cpuheavy', cpu: '3' })],
    );
    // even: 1/4 cpu, 1/4 memory → 100. cpuheavy: 4/4 cpu, 1/4 memory → std 0.375 → 62.
    expect(normalizedScores(balancedAllocationScore(), makePod('p', { cpu: '1', memory: '1Gi' }), snap)).toEqual({ even: 100, cpuheavy: 62 });
  });

  it('skips pods that request nothing', () => {
    expect(normalizedScores(balancedAllocationScore(), makePod('p'), snapshotOf([makeNode('a')]))).toBe('skip');
  });
});
