// Daemon pod placement: taints against the daemon tolerations, nodeSelector and node affinity, the per-node affinity of created pods.
import type { DaemonSet, PodSpec } from '@keelson/api';
import { daemonSet, node } from './fixture';
import { addDaemonTolerations, matchesNodeAffinity, nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName, toleratesTaint } from './predicates';

function withSpec(ds: DaemonSet, spec: Partial<PodSpec>): DaemonSet {
  const out = structuredClone(ds);
  Object.assign(out.spec!.template.spec!, spec);
  return out;
}

describe('nodeShouldRunDaemonPod', () => {
  const ds = daemonSet('agent');

  it('runs on a plain node', () => {
    expect(nodeShouldRunDaemonPod(node('n1'), ds)).toEqual({ shouldRun: true, shouldContinueRunning: true });
  });

  it('does not start on a NoSchedule-tainted node but lets a pod already there keep running', () => {
    const n = node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(n, ds)).toMatchObject({ shouldRun: false, shouldContinueRunning: true, reason: 'Taint' });
  });

  it('neither starts nor keeps a pod on a node with an untolerated NoExecute taint', () => {
    const n = node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    expect(nodeShouldRunDaemonPod(n, ds)).toMatchObject({ shouldRun: false, shouldContinueRunning: false });
  });

  it('ignores PreferNoSchedule taints and honours the template tolerations', () => {
    expect(nodeShouldRunDaemonPod(node('n1', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), ds).shouldRun).toBe(true);
    const tolerant = withSpec(ds, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), tolerant).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n1', { taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] }), tolerant).shouldRun).toBe(false);
  });

  it('tolerates what Kubernetes adds to daemon pods: not-ready, unreachable, pressure, cordoned', () => {
    for (const taint of [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]) {
      expect([taint.key, nodeShouldRunDaemonPod(node('n1', { taints: [taint] }), ds).shouldRun]).toEqual([taint.key, true]);
    }
  });

  it('tolerates network-unavailable only for hostNetwork pods', () => {
    const n = node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(n, ds).shouldRun).toBe(false);
    expect(nodeShouldRunDaemonPod(n, withSpec(ds, { hostNetwork: true })).shouldRun).toBe(true);
  });

  it('follows nodeSelector and required node affinity; neither lets a pod stay', () => {
    const sel = daemonSet('agent', { nodeSelector: { disk: 'ssd' } });
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { disk: 'ssd' } }), sel).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n2', { labels: { disk: 'hdd' } }), sel)).toMatchObject({ shouldRun: false, shouldContinueRunning: false, reason: 'NodeAffinity' });
    const aff = withSpec(ds, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }] } } } });
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { zone: 'b' } }), aff).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { gpu: '' } }), aff).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { zone: 'c' } }), aff).shouldRun).toBe(false);
  });

  it('honours a template nodeName', () => {
    const pinned = withSpec(ds, { nodeName: 'n2' });
    expect(nodeShouldRunDaemonPod(node('n1'), pinned).shouldRun).toBe(false);
    expect(nodeShouldRunDaemonPod(node('n2'), pinned).shouldRun).toBe(true);
  });
});

describe('node affinity terms', () => {
  const spec = (expr: { key: string; operator: string; values?: string[] }): PodSpec => ({
    containers: [],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } },
  });
  it('implements NotIn, DoesNotExist, Gt and Lt as Kubernetes does', () => {
    expect(matchesNodeAffinity(spec({ key: 'zone', operator: 'NotIn', values: ['a'] }), node('n', {}))).toBe(true);
    expect(matchesNodeAffinity(spec({ key: 'zone', operator: 'NotIn', values: ['a'] }), node('n', { labels: { zone: 'a' } }))).toBe(false);
    expect(matchesNodeAffinity(spec({ key: 'zone', operator: 'DoesNotExist' }), node('n', { labels: { zone: 'a' } }))).toBe(false);
    expect(matchesNodeAffinity(spec({ key: 'cores', operator: 'Gt', values: ['4'] }), node('n', { labels: { cores: '8' } }))).toBe(true);
    expect(matchesNodeAffinity(spec({ key: 'cores', operator: 'Lt', values: ['4'] }), node('n', { labels: { cores: '8' } }))).toBe(false);
    expect(matchesNodeAffinity(spec({ key: 'cores', operator: 'Gt', values: ['4'] }), node('n', { labels: { cores: 'many' } }))).toBe(false);
  });
  it('matches a node by metadata.name field and an empty term matches nothing', () => {
    const pod = { containers: [], affinity: replaceNodeNameAffinity(undefined, 'n2') };
    expect(matchesNodeAffinity(pod, node('n2'))).toBe(true);
    expect(matchesNodeAffinity(pod, node('n1'))).toBe(false);
    expect(matchesNodeAffinity({ containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }, node('n1'))).toBe(false);
  });
});

describe('daemon pod affinity and tolerations', () => {
  it('replaces the required terms with the node-name term and keeps preferred terms', () => {
    const a = replaceNodeNameAffinity(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
        },
      },
      'n3',
    );
    expect(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] }] });
    expect(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(targetNodeName({ spec: { containers: [], affinity: a } })).toBe('n3');
    expect(targetNodeName({ spec: { containers: [], nodeName: 'n9', affinity: a } })).toBe('n9');
  });

  it('replaces a user toleration of not-ready with the unbounded one and keeps others', () => {
    const spec: PodSpec = {
      containers: [],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'team', operator: 'Equal', value: 'a', effect: 'NoSchedule' },
      ],
    };
    addDaemonTolerations(spec);
    const notReady = spec.tolerations?.filter((t) => t.key === 'node.kubernetes.io/not-ready');
    expect(notReady).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
    expect(spec.tolerations?.some((t) => t.key === 'team')).toBe(true);
    expect(spec.tolerations).toHaveLength(7);
    addDaemonTolerations(spec);
    expect(spec.tolerations).toHaveLength(7);
  });

  it('matches tolerations to taints by key, value, operator and effect', () => {
    expect(toleratesTaint({ operator: 'Exists' }, { key: 'any', effect: 'NoExecute' })).toBe(true);
    expect(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, { key: 'k', effect: 'NoExecute' })).toBe(false);
    expect(toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(true);
    expect(toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' })).toBe(false);
  });
});
