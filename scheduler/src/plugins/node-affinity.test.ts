// NodeAffinity filter: nodeSelector and required node affinity terms.
import { makeNode, makePod, snapshotOf, filterReasons, normalizedScores } from '../testing';
import { nodeAffinity, nodeAffinityScore } from './node-affinity';

describe('NodeAffinity', () => {
  const snap = snapshotOf([makeNode('ssd', { labels: { disk: 'ssd', gen: '5' } }), makeNode('hdd', { labels: { disk: 'hdd', gen: '3' } })]);
  const reason = ["node(s) didn't match Pod's node affinity/selector"];
  it('requires every nodeSelector label', () => {
    const p = makePod('p', { nodeSelector: { disk: 'ssd' } });
    expect(filterReasons(nodeAffinity(), p, snap, 'ssd')).toEqual([]);
    expect(filterReasons(nodeAffinity(), p, snap, 'hdd')).toEqual(reason);
  });
  it('ORs required terms and ANDs their expressions, with In/NotIn/Exists/DoesNotExist/Gt/Lt and metadata.name', () => {
    const p = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gen', operator: 'Gt', values: ['4'] }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['nowhere'] }] },
              ],
            },
          },
        },
      },
    });
    expect(filterReasons(nodeAffinity(), p, snap, 'ssd')).toEqual([]);
    expect(filterReasons(nodeAffinity(), p, snap, 'hdd')).toEqual(reason);
    const byName = makePod('q', {
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd'] }] }] } } } },
    });
    expect(filterReasons(nodeAffinity(), byName, snap, 'hdd')).toEqual([]);
    const absent = makePod('r', {
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }, { key: 'gen', operator: 'Lt', values: ['4'] }] }] } } } },
    });
    expect(filterReasons(nodeAffinity(), absent, snap, 'hdd')).toEqual([]);
    expect(filterReasons(nodeAffinity(), absent, snap, 'ssd')).toEqual(reason);
  });
  it('skips pods without selector or required affinity', () => {
    expect(filterReasons(nodeAffinity(), makePod('p'), snap, 'ssd')).toBe('skip');
  });
});

describe('NodeAffinity score', () => {
  it('sums the weights of matching preferred terms, scaled to the best node', () => {
    const snap = snapshotOf([makeNode('ssd', { labels: { disk: 'ssd', zone: 'z1' } }), makeNode('hdd', { labels: { disk: 'hdd', zone: 'z1' } }), makeNode('far', { labels: { zone: 'z2' } })]);
    const p = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
              { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
            ],
          },
        },
      },
    });
    expect(normalizedScores(nodeAffinityScore(), p, snap)).toEqual({ ssd: 100, hdd: 25, far: 0 });
    expect(normalizedScores(nodeAffinityScore(), makePod('q'), snap)).toBe('skip');
  });
});
