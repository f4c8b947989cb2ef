// Unit tests of `why`'s reasoning: each kind of trouble a pod can be in, from the facts the API would hold.
import type { ContainerStatus, Event, Node, Pod } from '@keelson/api';
import { event, node, pod, running } from '../ops/fixtures';
import { diagnosePod, parseSchedulerMessage, type PodFacts } from './diagnose';

const now = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number): string => new Date(now - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ns = 'shop';

function facts(p: Pod, o: Partial<PodFacts> = {}): PodFacts {
  p.metadata = { ...p.metadata, namespace: ns, uid: 'u-1' };
  return { pod: p, events: [], owners: [], now, ...o };
}

function withStatus(p: Pod, status: Pod['status']): Pod {
  return { ...p, status };
}

function ev(reason: string, type: 'Normal' | 'Warning', message: string, o: { count?: number; first?: number; last?: number; component?: string } = {}): Event {
  return event(
    { kind: 'Pod', name: 'p', namespace: ns },
    { name: `p.${reason}`, type, reason, message, component: o.component ?? 'kubelet', first: ago(o.first ?? 60), last: ago(o.last ?? 10), count: o.count ?? 1 },
  );
}

const crashing = (restartCount: number, exitCode: number, reason: string): ContainerStatus => ({
  name: 'app',
  image: 'shop/api:2.1',
  imageID: '',
  ready: false,
  restartCount,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=app pod=p_shop' } },
  lastState: { terminated: { exitCode, reason, startedAt: ago(75), finishedAt: ago(72) } },
});

describe('parseSchedulerMessage', () => {
  it('reads counts and reasons, and sets preemption aside', () => {
    const f = parseSchedulerMessage(
      '0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {node-role: control-plane}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(f).toEqual({
      available: 0,
      total: 3,
      reasons: [
        { count: 2, text: 'Insufficient cpu', short: 'Insufficient cpu' },
        { count: 1, text: 'node(s) had untolerated taint {node-role: control-plane}', short: 'untolerated taint' },
      ],
      preemption: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
  });

  it('shortens the scheduler’s other reasons and knows an empty cluster', () => {
    const f = parseSchedulerMessage("0/4 nodes are available: 1 node(s) were unschedulable, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't have free ports for the requested pod ports, 1 Too many pods.");
    expect(f.reasons.map((r) => `${r.count} ${r.short}`)).toEqual(['1 cordoned', '1 node affinity/selector mismatch', '1 host port conflict', '1 too many pods']);
    expect(parseSchedulerMessage('0/0 nodes are available.')).toEqual({ available: 0, total: 0, reasons: [] });
    expect(parseSchedulerMessage('no nodes available to schedule pods')).toEqual({ available: 0, total: 0, reasons: [] });
    expect(parseSchedulerMessage('something else')).toEqual({ reasons: [] });
  });
});

describe('diagnosePod', () => {
  describe('not scheduled', () => {
    const message = '0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {node-role: control-plane}.';
    const pending = (): Pod =>
      withStatus(pod('p', { cpu: '3' }), { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: ago(300) }] });
    const nodes: Node[] = [
      node('n1'),
      node('n2', { cpu: '4' }),
      node('cp', { cpu: '8', taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] }),
      // A taint the scheduler did not name (this node failed for another reason) is not listed.
      node('db', { cpu: '1', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    ];

    it('says no node fits, with each reason counted, and explains the reasons from the nodes', () => {
      const d = diagnosePod(facts(pending(), { nodes }));
      expect(d).toEqual({
        verdict: 'Pending: no node fits (2 Insufficient cpu, 1 untolerated taint)',
        category: 'Pending',
        health: 'Unhealthy',
        findings: [
          'scheduler: 0/3 nodes are available',
          '2 nodes: not enough free cpu for the pod\'s request of 3 (other pods hold the rest)',
          '1 node: node(s) had untolerated taint {node-role: control-plane}: cp (node-role=control-plane:NoSchedule)',
          'the pod tolerates: nothing',
        ],
        hints: [
          'free cpu (scale something down) or add nodes; a lower request also fits',
          'add a matching toleration to the pod template, or remove the taint (keelctl taint is not available yet; edit the node)',
        ],
      });
    });

    it('says when the request is bigger than any node', () => {
      const p = pending();
      p.spec!.containers[0]!.resources = { requests: { cpu: '16' } };
      const d = diagnosePod(facts(p, { nodes }));
      expect(d.findings[1]).toBe('2 nodes: not enough cpu: the pod requests 16, more than any node can hold (largest allocatable: 8 on cp)');
      expect(d.hints[0]).toBe('lower the pod\'s cpu request, or add a node with more than 16 cpu');
    });

    it('falls back to the FailedScheduling event, and knows an empty cluster', () => {
      const p = withStatus(pod('p'), { phase: 'Pending' });
      const d = diagnosePod(facts(p, { events: [ev('FailedScheduling', 'Warning', '0/0 nodes are available.', { component: 'default-scheduler' })] }));
      expect(d.verdict).toBe('Pending: no nodes in the cluster');
    });

    it('lists cordoned nodes and how to uncordon them', () => {
      const p = withStatus(pod('p'), { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 node(s) were unschedulable.' }] });
      const d = diagnosePod(facts(p, { nodes: [node('n1', { unschedulable: true })] }));
      expect(d.verdict).toBe('Pending: no node fits (1 cordoned)');
      expect(d.hints).toEqual(['keelctl uncordon n1   # once their maintenance is over']);
    });

    it('says when no scheduler has looked at the pod, and when it is gated', () => {
      expect(diagnosePod(facts(withStatus(pod('p'), { phase: 'Pending' }))).verdict).toBe('Pending: not scheduled yet');
      const gated = withStatus({ ...pod('p'), spec: { ...pod('p').spec!, schedulingGates: [{ name: 'example.com/quota' }] } }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }] });
      expect(diagnosePod(facts(gated)).verdict).toBe('Pending: scheduling gated by example.com/quota');
    });
  });

  describe('containers', () => {
    const onNode = (statuses: ContainerStatus[], phase = 'Running', init: ContainerStatus[] = []): Pod =>
      withStatus(pod('p', { nodeName: 'n1' }), { phase, containerStatuses: statuses, initContainerStatuses: init, conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] });

    it('explains a crash loop with the exit code, restarts and where to look', () => {
      const d = diagnosePod(facts(onNode([crashing(5, 1, 'Error')]), { node: node('n1') }));
      expect(d).toEqual({
        verdict: 'CrashLoopBackOff: container "app" exits with code 1 (restarted 5 times)',
        category: 'CrashLoopBackOff',
        health: 'Unhealthy',
        findings: ['container "app" last terminated with exit code 1 (Error) 72s ago, after running 3s', 'kubelet: back-off 2m40s restarting failed container=app pod=p_shop'],
        hints: ['keelctl logs p -c app --previous   # the output of the run that ended'],
      });
    });

    it('names an OOM kill and the memory limit', () => {
      const p = onNode([crashing(3, 137, 'OOMKilled')]);
      p.spec!.containers[0]!.resources = { limits: { memory: '128Mi' } };
      const d = diagnosePod(facts(p, { node: node('n1') }));
      expect(d.verdict).toBe('CrashLoopBackOff: container "app" is OOMKilled (exit code 137, restarted 3 times)');
      expect(d.hints).toContain('raise the memory limit (now 128Mi) or find what grows');
    });

    it('blames a failing liveness probe for restarts', () => {
      const p = onNode([crashing(2, 137, 'Error')]);
      p.spec!.containers[0]!.livenessProbe = { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
      const d = diagnosePod(facts(p, { node: node('n1'), events: [ev('Unhealthy', 'Warning', 'Liveness probe failed: Get "http://10.0.0.5:8080/healthz": context deadline exceeded', { count: 9, first: 300, last: 20 })] }));
      expect(d.findings).toContain('liveness probe failing, so the kubelet restarts it: Liveness probe failed: Get "http://10.0.0.5:8080/healthz": context deadline exceeded (last 20s ago, 9 times in 5m)');
      expect(d.hints[1]).toBe('check the liveness probe (http-get http://:8080/healthz delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=3): a slow start needs a startupProbe or a longer initialDelaySeconds');
    });

    it('explains an image that cannot be pulled', () => {
      const s: ContainerStatus = { name: 'app', image: 'shop/api:nope', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "shop/api:nope"' } } };
      const failed = ev('Failed', 'Warning', 'Failed to pull image "shop/api:nope": manifest unknown', { count: 4 });
      const d = diagnosePod(facts(onNode([s], 'Pending'), { node: node('n1'), events: [failed] }));
      expect(d.verdict).toBe('ImagePullBackOff: container "app" cannot pull image "shop/api:nope"');
      expect(d.findings).toEqual(['kubelet: Back-off pulling image "shop/api:nope"', 'Failed to pull image "shop/api:nope": manifest unknown (last 10s ago, 4 times in 60s)']);
    });

    it('explains a missing ConfigMap or Secret', () => {
      const s: ContainerStatus = { name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db-password" not found' } } };
      expect(diagnosePod(facts(onNode([s], 'Pending'), { node: node('n1') })).verdict).toBe('CreateContainerConfigError: container "app": secret "db-password" not found');
    });

    it('puts a failing init container first', () => {
      const init = { ...crashing(3, 2, 'Error'), name: 'migrate' };
      const app: ContainerStatus = { name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } };
      const d = diagnosePod(facts(onNode([app], 'Pending', [init]), { node: node('n1') }));
      expect(d.verdict).toBe('Init:CrashLoopBackOff: init container "migrate" exits with code 2 (restarted 3 times)');
    });

    it('explains a volume that will not mount', () => {
      const s: ContainerStatus = { name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
      const d = diagnosePod(facts(onNode([s], 'Pending'), { node: node('n1'), events: [ev('FailedMount', 'Warning', 'MountVolume.SetUp failed for volume "config" : configmap "shop-config" not found', { count: 6 })] }));
      expect(d.verdict).toBe('Pending: FailedMount: MountVolume.SetUp failed for volume "config" : configmap "shop-config" not found');
      expect(d.health).toBe('Unhealthy');
    });
  });

  describe('readiness', () => {
    const readyCond = (status: 'True' | 'False'): NonNullable<Pod['status']>['conditions'] => [{ type: 'Ready', status, ...(status === 'False' ? { reason: 'ContainersNotReady', message: 'containers with unready status: [app]' } : {}) }];

    it('says a healthy pod is Healthy, mentioning restarts', () => {
      const p = withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Running', conditions: readyCond('True'), containerStatuses: [{ ...running('app', ago(600)), restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: ago(601) } } }] });
      const d = diagnosePod(facts(p, { node: node('n1') }));
      expect(d.verdict).toBe('Healthy');
      expect(d.findings).toEqual(['container "app" restarted once; last exit code 137 (OOMKilled) 10m ago']);
    });

    it('blames a failing readiness probe', () => {
      const p = withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Running', conditions: readyCond('False'), containerStatuses: [running('app', ago(600), { ready: false })] });
      p.spec!.containers[0]!.readinessProbe = { httpGet: { path: '/ready', port: 80, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
      const d = diagnosePod(facts(p, { node: node('n1'), events: [ev('Unhealthy', 'Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 503', { count: 40, first: 240, last: 5 })] }));
      expect(d.verdict).toBe('Running but not Ready: readiness probe failing');
      expect(d.findings).toEqual([
        'Readiness probe failed: HTTP probe failed with statuscode: 503 (last 5s ago, 40 times in 4m)',
        'readiness probe of "app": http-get http://:80/ready delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3',
      ]);
    });

    it('names a readiness gate that is not True', () => {
      const p = withStatus({ ...pod('p', { nodeName: 'n1' }), spec: { ...pod('p', { nodeName: 'n1' }).spec!, readinessGates: [{ conditionType: 'example.com/lb-ready' }] } }, { phase: 'Running', conditions: readyCond('False'), containerStatuses: [running('app', ago(60))] });
      expect(diagnosePod(facts(p, { node: node('n1') })).verdict).toBe('Running but not Ready: readiness gate "example.com/lb-ready" is not True');
    });
  });

  describe('nodes and lifecycle', () => {
    it('blames a NotReady node for a pod that is not ready', () => {
      const p = withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [running('app', ago(3600))] });
      const d = diagnosePod(facts(p, { node: node('n1', { ready: false, since: ago(300) }) }));
      expect(d.verdict).toBe('NodeNotReady: node "n1" is NotReady for 5m (NodeStatusUnknown: Kubelet stopped posting node status.)');
    });

    it('says when the node is gone', () => {
      const p = withStatus(pod('p', { nodeName: 'gone' }), { phase: 'Running' });
      expect(diagnosePod(facts(p, { node: 'missing' })).verdict).toBe('Unknown: node "gone" does not exist');
    });

    it('explains a pod stuck terminating on a NotReady node', () => {
      const p = withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Running' });
      p.metadata = { ...p.metadata, deletionTimestamp: ago(90), deletionGracePeriodSeconds: 30 };
      const d = diagnosePod(facts(p, { node: node('n1', { ready: false, since: ago(600) }) }));
      expect(d.verdict).toBe('Terminating: deletion requested 2m ago; node "n1" is NotReady for 10m');
      expect(d.hints).toEqual(["keelctl delete pod p --grace-period=0 --force   # removes it from the API without the kubelet's confirmation"]);
    });

    it('reports finished pods', () => {
      expect(diagnosePod(facts(withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Succeeded' }))).verdict).toBe('Completed: all containers exited successfully');
      expect(diagnosePod(facts(withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }))).verdict).toBe('Failed: Evicted: The node was low on resource: memory.');
      const failed = withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Failed', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } }] });
      expect(diagnosePod(facts(failed)).verdict).toBe('Failed: container "app" exited with code 3 (Error)');
    });

    it('waits for the kubelet of a freshly bound pod', () => {
      expect(diagnosePod(facts(withStatus(pod('p', { nodeName: 'n1' }), { phase: 'Pending' }), { node: node('n1') })).verdict).toBe('Pending: scheduled to node "n1"; waiting for its kubelet to start the pod');
    });
  });
});
