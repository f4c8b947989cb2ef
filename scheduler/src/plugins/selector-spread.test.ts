// SelectorSpread score: pods of one controller spread over nodes, and over zones when nodes have zone labels.
import { makeNode, makePod, normalizedScores, snapshotOf } from '../testing';
import { selectorSpreadScore } from './selector-spread';

describe('SelectorSpread score', () => {
  it('prefers nodes with fewer pods of the same controller', () => {
    const snap = snapshotOf(
      [makeNode('a'), makeNode('b'), makeNode('c')],
      [makePod('r1', { node: 'a', owner: 'rs' }), makePod('r2', { node: 'a', owner: 'rs' }), makePod('r3', { node: 'b', owner: 'rs' }), makePod('x', { node: 'c', owner: 'other' })],
    );
    expect(normalizedScores(selectorSpreadScore(), makePod('new', { owner: 'rs' }), snap)).toEqual({ a: 0, b: 50, c: 100 });
  });

  it('weighs zones 2/3 when nodes carry zone labels', () => {
    const z = (zone: string) => ({ labels: { 'topology.kubernetes.io/zone': zone } });
    const snap = snapshotOf([makeNode('a1', z('a')), makeNode('a2', z('a')), makeNode('b1', z('b'))], [makePod('r1', { node: 'a1', owner: 'rs' })]);
    // a1: node 0, zone 0 → 0; a2: node 100, zone 0 → 33; b1: node 100, zone 100 → 100.
    expect(normalizedScores(selectorSpreadScore(), makePod('new', { owner: 'rs' }), snap)).toEqual({ a1: 0, a2: 33, b1: 100 });
  });

  it('skips pods without a controller', () => {
    expect(normalizedScores(selectorSpreadScore(), makePod('p'), snapshotOf([makeNode('a')]))).toBe('skip');
  });
});
