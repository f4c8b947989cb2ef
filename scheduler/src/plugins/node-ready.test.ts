// NodeReady filter: nodes whose Ready condition is not True reject pods that do not tolerate it.
import { makeNode, makePod, snapshotOf, filterReasons } from '../testing';
import { nodeReady } from './node-ready';

describe('NodeReady', () => {
  const snap = snapshotOf([makeNode('ready'), makeNode('down', { ready: 'False' }), makeNode('silent', { ready: 'none' })]);
  it('rejects nodes whose Ready condition is not True', () => {
    expect(filterReasons(nodeReady(), makePod('p'), snap, 'ready')).toEqual([]);
    expect(filterReasons(nodeReady(), makePod('p'), snap, 'down')).toEqual(['node(s) were not ready']);
    expect(filterReasons(nodeReady(), makePod('p'), snap, 'silent')).toEqual(['node(s) were not ready']);
  });
  it('accepts pods tolerating the not-ready taint on not-ready nodes only', () => {
    const p = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] });
    expect(filterReasons(nodeReady(), p, snap, 'down')).toEqual([]);
    expect(filterReasons(nodeReady(), p, snap, 'silent')).toEqual(['node(s) were not ready']);
  });
});
