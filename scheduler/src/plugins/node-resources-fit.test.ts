// NodeResourcesFit filter: requests (init containers, overhead, extended resources) and pod count against free allocatable.
import { makeNode, makePod, snapshotOf, filterReasons, normalizedScores } from '../testing';
import { leastAllocatedScore, nodeResourcesFit } from './node-resources-fit';

describe('NodeResourcesFit', () => {
  const nodes = [makeNode('small', { cpu: '1', memory: '1Gi', pods: '2' }), makeNode('big', { cpu: '8', memory: '32Gi', ephemeralStorage: '10Gi' })];
  const snap = snapshotOf(nodes, [makePod('used', { node: 'small', cpu: '600m', memory: '512Mi' })]);
  it('lists each insufficient resource', () => {
    expect(filterReasons(nodeResourcesFit(), makePod('p', { cpu: '500m', memory: '600Mi' }), snap, 'small')).toEqual(['Insufficient cpu', 'Insufficient memory']);
    expect(filterReasons(nodeResourcesFit(), makePod('p', { cpu: '400m', memory: '512Mi' }), snap, 'small')).toEqual([]);
    expect(filterReasons(nodeResourcesFit(), makePod('p', { cpu: '500m' }), snap, 'big')).toEqual([]);
  });
  it('counts pods against allocatable pods, before anything else', () => {
    const full = snapshotOf(nodes, [makePod('a', { node: 'small' }), makePod('b', { node: 'small' })]);
    expect(filterReasons(nodeResourcesFit(), makePod('p', { cpu: '2' }), full, 'small')).toEqual(['Too many pods', 'Insufficient cpu']);
    expect(filterReasons(nodeResourcesFit(), makePod('p'), full, 'small')).toEqual(['Too many pods']);
  });
  it('counts init containers and overhead as Kubernetes does', () => {
    const init = makePod('p', { cpu: '100m', spec: { initContainers: [{ name: 'i', image: 'i', resources: { requests: { cpu: '500m' } } }] } });
    expect(filterReasons(nodeResourcesFit(), init, snap, 'small')).toEqual(['Insufficient cpu']);
    const overhead = makePod('p', { cpu: '300m', spec: { overhead: { cpu: '200m' } } });
    expect(filterReasons(nodeResourcesFit(), overhead, snap, 'small')).toEqual(['Insufficient cpu']);
  });
  it('checks ephemeral storage and extended resources the node does not have', () => {
    const storage = makePod('p', { spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { 'ephemeral-storage': '20Gi' } } }] } });
    expect(filterReasons(nodeResourcesFit(), storage, snap, 'big')).toEqual(['Insufficient ephemeral-storage']);
    const gpu = makePod('p', { spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { 'nvidia.com/gpu': '1' } } }] } });
    expect(filterReasons(nodeResourcesFit(), gpu, snap, 'big')).toEqual(['Insufficient nvidia.com/gpu']);
  });
});

describe('NodeResourcesFit score (LeastAllocated)', () => {
  it('scores the share of cpu and memory left free once the pod is placed, counting 100m/200Mi for requestless containers', () => {
    const snap = snapshotOf([makeNode('empty', { cpu: '4', memory: '4Gi' }), makeNode('half', { cpu: '4', memory: '4Gi' })], [makePod('x', { node: 'half', cpu: '2', memory: '2Gi' })]);
    // empty: cpu (4000−1000)/4000 = 75, memory (4Gi−1Gi)/4Gi = 75 → 75; half: cpu 25, memory 25 → 25.
    expect(normalizedScores(leastAllocatedScore(), makePod('p', { cpu: '1', memory: '1Gi' }), snap)).toEqual({ empty: 75, half: 25 });
    // No requests: 100m of 4 cores → 97, 200Mi of 4Gi → 95 → 96.
    expect(normalizedScores(leastAllocatedScore(), makePod('p'), snap)).toMatchObject({ empty: 96 });
  });
});
