// NodeName filter: a pod naming its node fits that node only.
import { makeNode, makePod, snapshotOf, filterReasons } from '../testing';
import { nodeName } from './node-name';

describe('NodeName', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')]);
  it('accepts only the named node', () => {
    const p = makePod('p', { spec: { nodeName: 'b' } });
    expect(filterReasons(nodeName(), p, snap, 'a')).toEqual(["node(s) didn't match the requested node name"]);
    expect(filterReasons(nodeName(), p, snap, 'b')).toEqual([]);
  });
  it('skips pods that name no node', () => {
    expect(filterReasons(nodeName(), makePod('p'), snap, 'a')).toBe('skip');
  });
});
