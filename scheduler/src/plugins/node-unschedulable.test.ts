// NodeUnschedulable filter: cordoned nodes reject pods unless they tolerate the unschedulable taint.
import { makeNode, makePod, snapshotOf, filterReasons } from '../testing';
import { nodeUnschedulable } from './node-unschedulable';

describe('NodeUnschedulable', () => {
  const snap = snapshotOf([makeNode('cordoned', { unschedulable: true }), makeNode('open')]);
  it('rejects a cordoned node', () => {
    expect(filterReasons(nodeUnschedulable(), makePod('p'), snap, 'cordoned')).toEqual(['node(s) were unschedulable']);
    expect(filterReasons(nodeUnschedulable(), makePod('p'), snap, 'open')).toEqual([]);
  });
  it('lets a pod tolerating the unschedulable taint through', () => {
    const p = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(filterReasons(nodeUnschedulable(), p, snap, 'cordoned')).toBe('skip');
  });
});
