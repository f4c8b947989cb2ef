// Node lifecycle over fake caches and a fake clock: grace-period expiry → Unknown + taints, recovery, and taint-based eviction timing.
import type { Lease, Node, Pod, Taint, Toleration } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { pod as podOf, t0 } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { timestamp } from '../common/time';
import { NodeLifecycleController, type NodeLifecycleControllerOptions } from './controller';
import { DurationError, parseDurationMs } from './duration';
import { matchingTolerations, minTolerationMs, tolerates, withDefaultTolerations } from './taints';

type Extra = Partial<Pick<NodeLifecycleControllerOptions, 'gracePeriodMs' | 'defaultTolerationSeconds'>>;

function fixture(extra: Extra = {}) {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const nodes = factory.forKind('v1', 'Node');
  const leases = factory.forKind('coordination.k8s.io/v1', 'Lease');
  const pods = factory.forKind('v1', 'Pod');
  const recorder = new FakeEventRecorder();
  const c = new NodeLifecycleController({ client: api.client, nodes, leases, pods, recorder, logger: quietLogger, clock: api.clock, ...extra });
  const addNode = (n: Node): void => {
    seed(nodes, n);
    api.seed(n);
  };
  const addLease = (l: Lease): void => {
    seed(leases, l);
    api.seed(l);
  };
  const addPods = (...ps: Pod[]): void => {
    seed(pods, ...ps);
    api.seed(...ps);
  };
  const lastNode = (resource: 'nodes' | 'nodes/status'): Node | undefined => api.writes().filter((a) => a.resource === resource).at(-1)?.body as Node | undefined;
  return { api, c, recorder, addNode, addLease, addPods, lastNode, nodes };
}

function node(name: string, ready: 'True' | 'False' | 'Unknown' | undefined, taints: Taint[] = []): Node {
  const hb = timestamp(t0 - 10_000);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '3', creationTimestamp: timestamp(t0 - 3600_000) },
    spec: { taints },
    status:
      ready === undefined
        ? {}
        : {
            conditions: [
              { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: hb, lastTransitionTime: hb },
              { type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady', lastHeartbeatTime: hb, lastTransitionTime: hb },
            ],
          },
  };
}

function lease(name: string, renewedAt: number): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease', resourceVersion: String(renewedAt) }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(renewedAt).toISOString() } };
}

function podOn(name: string, nodeName: string, tolerations?: Toleration[]): Pod {
  const p = podOf(name, { nodeName, ready: true });
  return tolerations ? { ...p, spec: { ...p.spec!, tolerations } } : p;
}

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(t0) };
const noDefaults = { defaultTolerationSeconds: { notReady: null, unreachable: null } };

describe('node health', () => {
  it('leaves a node alone within the grace period and looks again when it would run out', async () => {
    const f = fixture();
    f.addNode(node('n1', 'True'));
    f.addLease(lease('n1', t0));
    await f.c.syncNode('n1');
    expect(f.api.writes()).toEqual([]);
    expect(f.api.clock.nextTimerIn()).toBe(40_000);
  });

  it('marks a node whose Lease stopped being renewed Unknown after 40 s, taints it unreachable and unreadies its pods', async () => {
    const f = fixture();
    f.addNode(node('n1', 'True'));
    f.addLease(lease('n1', t0));
    f.addPods(podOn('web-1', 'n1'), podOn('other', 'n2'));
    await f.c.syncNode('n1');
    f.api.clock.advance(39_999);
    await f.c.syncNode('n1');
    expect(f.api.writes()).toEqual([]);
    f.api.clock.advance(1);
    await f.c.syncNode('n1');
    const status = f.lastNode('nodes/status')!.status!;
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: timestamp(t0 + 40_000), lastHeartbeatTime: timestamp(t0 - 10_000) });
    expect(status.conditions?.find((c) => c.type === 'MemoryPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(status.conditions?.find((c) => c.type === 'DiskPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    expect(f.lastNode('nodes')!.spec!.taints).toEqual([
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(t0 + 40_000) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
    expect(f.recorder.events).toEqual(['Normal NodeNotReady Node n1 status is now: NodeNotReady']);
    const podWrites = f.api.writes().filter((a) => a.resource === 'pods/status');
    expect(podWrites.map((a) => a.name)).toEqual(['web-1']);
    expect((podWrites[0]!.body as Pod).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('restarts the grace period whenever the Lease is renewed', async () => {
    const f = fixture();
    f.addNode(node('n1', 'True'));
    f.addLease(lease('n1', t0));
    await f.c.syncNode('n1');
    f.api.clock.advance(30_000);
    f.addLease(lease('n1', t0 + 30_000));
    await f.c.syncNode('n1');
    f.api.clock.advance(30_000);
    await f.c.syncNode('n1');
    expect(f.api.writes()).toEqual([]);
    f.api.clock.advance(10_000);
    await f.c.syncNode('n1');
    expect(f.lastNode('nodes/status')).toBeDefined();
  });

  it('with no Lease, goes by the Ready heartbeat', async () => {
    const f = fixture({ gracePeriodMs: 10_000 });
    const n = node('n1', 'True');
    f.addNode(n);
    await f.c.syncNode('n1');
    f.api.clock.advance(8_000);
    const beat = structuredClone(n);
    beat.status!.conditions![1]!.lastHeartbeatTime = timestamp(t0 + 8_000);
    f.addNode(beat);
    await f.c.syncNode('n1');
    f.api.clock.advance(8_000);
    await f.c.syncNode('n1');
    expect(f.api.writes()).toEqual([]);
  });

  it('taints a node its kubelet reports Ready=False not-ready (NoExecute and NoSchedule) without touching its pods', async () => {
    const f = fixture();
    f.addNode(node('n1', 'False'));
    f.addLease(lease('n1', t0));
    f.addPods(podOn('web-1', 'n1'));
    await f.c.syncNode('n1');
    expect(f.api.summary()).toEqual(['update nodes n1']);
    expect(f.lastNode('nodes')!.spec!.taints!.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  });

  it('removes its taints when the node is Ready again, keeping the user\'s', async () => {
    const f = fixture();
    const user: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    f.addNode(node('n1', 'True', [unreachable, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, user]));
    f.addLease(lease('n1', t0));
    await f.c.syncNode('n1');
    expect(f.lastNode('nodes')!.spec!.taints).toEqual([user]);
  });

  it('marks a node that never posted status NeverUpdated after the grace period', async () => {
    const f = fixture();
    f.addNode(node('n1', undefined));
    await f.c.syncNode('n1');
    expect(f.api.writes()).toEqual([]);
    f.api.clock.advance(40_000);
    await f.c.syncNode('n1');
    expect(f.lastNode('nodes/status')!.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated' });
    expect(f.lastNode('nodes')!.spec!.taints!.map((t) => t.key)).toContain('node.kubernetes.io/unreachable');
  });
});

describe('taint-based eviction', () => {
  it('deletes a pod that does not tolerate the taint at once, marking it a DisruptionTarget first', async () => {
    const f = fixture(noDefaults);
    f.addNode(node('n1', 'Unknown', [unreachable]));
    f.addPods(podOn('web-1', 'n1'));
    await f.c.syncPod('default/web-1');
    expect(f.api.summary()).toEqual(['update pods/status default/web-1', 'delete pods default/web-1']);
    expect((f.api.writes()[0]!.body as Pod).status?.conditions?.at(-1)).toEqual({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: timestamp(t0) });
    expect(f.api.writes()[1]!.body).toMatchObject({ preconditions: { uid: 'uid-web-1' } });
    expect(f.recorder.events).toEqual(['Normal TaintManagerEviction Marking for deletion Pod default/web-1']);
  });

  it('gives pods without their own toleration the default 300 s (DefaultTolerationSeconds)', async () => {
    const f = fixture();
    f.addNode(node('n1', 'Unknown', [unreachable]));
    f.addPods(podOn('web-1', 'n1'));
    await f.c.syncPod('default/web-1');
    expect(f.api.writes()).toEqual([]);
    expect(f.api.clock.nextTimerIn()).toBe(300_000);
    f.api.clock.advance(299_999);
    await f.c.syncPod('default/web-1');
    expect(f.api.writes()).toEqual([]);
    f.api.clock.advance(1);
    expect(f.c.podQueue.len()).toBe(1);
    await f.c.syncPod('default/web-1');
    expect(f.api.summary()).toContain('delete pods default/web-1');
  });

  it('keeps a pod for its own tolerationSeconds, and forever when it has none', async () => {
    const f = fixture();
    f.addNode(node('n1', 'Unknown', [unreachable]));
    f.addPods(
      podOn('brief', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]),
      podOn('forever', 'n1', [{ operator: 'Exists' }]),
    );
    await f.c.syncPod('default/brief');
    await f.c.syncPod('default/forever');
    f.api.clock.advance(60_000);
    await f.c.syncPod('default/brief');
    await f.c.syncPod('default/forever');
    expect(f.api.summary().filter((s) => s.startsWith('delete'))).toEqual(['delete pods default/brief']);
  });

  it('evicts at once for a NoExecute taint the pod does not tolerate, even with default tolerations', async () => {
    const f = fixture();
    f.addNode(node('n1', 'True', [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]));
    f.addPods(podOn('web-1', 'n1'));
    await f.c.syncPod('default/web-1');
    expect(f.api.summary()).toContain('delete pods default/web-1');
  });

  it('cancels a pending eviction when the taint goes away', async () => {
    const f = fixture();
    f.addNode(node('n1', 'Unknown', [unreachable]));
    f.addPods(podOn('web-1', 'n1'));
    await f.c.syncPod('default/web-1');
    f.api.clock.advance(100_000);
    f.addNode(node('n1', 'True'));
    await f.c.syncPod('default/web-1');
    expect(f.recorder.events).toEqual(['Normal TaintManagerEviction Cancelling deletion of Pod default/web-1']);
    f.api.clock.advance(300_000);
    await f.c.syncPod('default/web-1');
    expect(f.api.writes()).toEqual([]);
  });
});

describe('tolerations', () => {
  it('match by key, value, operator and effect', () => {
    const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
    expect(tolerates({ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', value: 'v' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', value: 'w' }, taint)).toBe(false);
    expect(tolerates({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint)).toBe(false);
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });

  it('take the shortest tolerationSeconds of those used; negative means now', () => {
    const taints: Taint[] = [{ key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoExecute' }];
    const m = matchingTolerations(taints, [{ key: 'a', operator: 'Exists', tolerationSeconds: 30 }, { key: 'b', operator: 'Exists', tolerationSeconds: 10 }, { key: 'c', operator: 'Exists', tolerationSeconds: 1 }]);
    expect(m.all).toBe(true);
    expect(minTolerationMs(m.used)).toBe(10_000);
    expect(minTolerationMs([{ key: 'a', tolerationSeconds: -5 }])).toBe(0);
    expect(minTolerationMs([{ key: 'a' }])).toBeUndefined();
    expect(matchingTolerations(taints, [{ key: 'a', operator: 'Exists' }]).all).toBe(false);
  });

  it('get the admission defaults only where the pod has no not-ready/unreachable toleration of its own', () => {
    const d = { notReady: 300, unreachable: 200 };
    expect(withDefaultTolerations([], d).map((t) => `${t.key}=${t.tolerationSeconds}`)).toEqual(['node.kubernetes.io/not-ready=300', 'node.kubernetes.io/unreachable=200']);
    expect(withDefaultTolerations([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], d).map((t) => `${t.key}=${t.tolerationSeconds}`)).toEqual(['node.kubernetes.io/unreachable=5', 'node.kubernetes.io/not-ready=300']);
    expect(withDefaultTolerations([{ operator: 'Exists' }], d)).toHaveLength(1);
  });
});

describe('durations', () => {
  it('parse Go-style durations as kube-controller-manager flags take them', () => {
    expect(parseDurationMs('40s')).toBe(40_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('7')).toBe(7_000);
    for (const bad of ['', 'forty', '5d', '-1s', '1s2']) expect(() => parseDurationMs(bad)).toThrow(DurationError);
  });
});
