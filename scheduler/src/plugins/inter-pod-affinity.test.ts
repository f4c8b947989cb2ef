// InterPodAffinity: required affinity, anti-affinity and existing pods' anti-affinity on kubernetes.io/hostname (filter); preferred terms (score).
import type { Pod, PodAffinityTerm } from '@keelson/api';
import { filterReasons, makeNode, makePod, normalizedScores, snapshotOf } from '../testing';
import { interPodAffinity, interPodAffinityScore } from './inter-pod-affinity';

const host = 'kubernetes.io/hostname';
const term = (labels: Record<string, string>, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey: host, ...extra });

function withAffinity(name: string, labels: Record<string, string>, affinity: NonNullable<Pod['spec']>['affinity']): Pod {
  return makePod(name, { labels, spec: { affinity } });
}

const nodes = [makeNode('n1'), makeNode('n2'), makeNode('n3')];

describe('InterPodAffinity filter', () => {
  const db = makePod('db', { node: 'n1', labels: { app: 'db' } });

  it('requires a matching pod on the node for required affinity', () => {
    const snap = snapshotOf(nodes, [db]);
    const p = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] } });
    expect(filterReasons(interPodAffinity(), p, snap, 'n1')).toEqual([]);
    expect(filterReasons(interPodAffinity(), p, snap, 'n2')).toEqual(["node(s) didn't match pod affinity rules"]);
  });

  it('lets the first pod of a self-affine group go anywhere', () => {
    const snap = snapshotOf(nodes);
    const p = withAffinity('web-0', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } });
    expect(filterReasons(interPodAffinity(), p, snap, 'n2')).toEqual([]);
  });

  it('rejects nodes running pods its required anti-affinity selects', () => {
    const snap = snapshotOf(nodes, [makePod('web-0', { node: 'n1', labels: { app: 'web' } })]);
    const p = withAffinity('web-1', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } });
    expect(filterReasons(interPodAffinity(), p, snap, 'n1')).toEqual(["node(s) didn't match pod anti-affinity rules"]);
    expect(filterReasons(interPodAffinity(), p, snap, 'n2')).toEqual([]);
  });

  it("rejects nodes where an existing pod's required anti-affinity selects the incoming pod", () => {
    const loner = withAffinity('loner', { app: 'loner' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } });
    loner.spec = { ...loner.spec!, nodeName: 'n3' };
    const snap = snapshotOf(nodes, [loner]);
    const p = makePod('web', { labels: { app: 'web' } });
    expect(filterReasons(interPodAffinity(), p, snap, 'n3')).toEqual(["node(s) didn't satisfy existing pods anti-affinity rules"]);
    expect(filterReasons(interPodAffinity(), p, snap, 'n1')).toEqual([]);
  });

  it('only counts pods in the namespaces the term names', () => {
    const other = makePod('db', { node: 'n1', labels: { app: 'db' }, namespace: 'other' });
    const snap = snapshotOf(nodes, [other], { other: { team: 'a' } });
    const sameNs = withAffinity('web', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] } });
    expect(filterReasons(interPodAffinity(), sameNs, snap, 'n1')).toEqual(["node(s) didn't match pod affinity rules"]);
    const named = withAffinity('web', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, { namespaces: ['other'] })] } });
    expect(filterReasons(interPodAffinity(), named, snap, 'n1')).toEqual([]);
    const bySelector = withAffinity('web', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, { namespaceSelector: { matchLabels: { team: 'a' } } })] } });
    expect(filterReasons(interPodAffinity(), bySelector, snap, 'n1')).toEqual([]);
  });

  it('skips pods with no terms when no existing pod has anti-affinity', () => {
    expect(filterReasons(interPodAffinity(), makePod('p'), snapshotOf(nodes, [db]), 'n1')).toBe('skip');
  });
});

describe('InterPodAffinity score', () => {
  it('favours nodes with pods the preferred affinity selects and avoids those the preferred anti-affinity selects', () => {
    const snap = snapshotOf(nodes, [makePod('cache', { node: 'n1', labels: { app: 'cache' } }), makePod('noisy', { node: 'n2', labels: { app: 'noisy' } })]);
    const p = withAffinity('web', {}, {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'cache' }) }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'noisy' }) }] },
    });
    expect(normalizedScores(interPodAffinityScore(), p, snap)).toEqual({ n1: 100, n2: 0, n3: 50 });
  });

  it("counts existing pods' terms that select the incoming pod", () => {
    const friendly = withAffinity('friend', { app: 'friend' }, { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'web' }) }] } });
    friendly.spec = { ...friendly.spec!, nodeName: 'n2' };
    const snap = snapshotOf(nodes, [friendly]);
    expect(normalizedScores(interPodAffinityScore(), makePod('web', { labels: { app: 'web' } }), snap)).toEqual({ n1: 0, n2: 100, n3: 0 });
  });

  it('skips when neither the pod nor any existing pod has affinity terms', () => {
    expect(normalizedScores(interPodAffinityScore(), makePod('p'), snapshotOf(nodes, [makePod('x', { node: 'n1' })]))).toBe('skip');
  });
});
