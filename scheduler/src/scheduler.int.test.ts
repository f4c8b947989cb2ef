// The scheduler against a real API server (sqlite, and etcd): every filter, the unschedulable path, assumed-pod accounting, metrics and leader election.
import { testBackends, type TestServer } from '@keelson/apiserver';
import { Harness, withServer } from './int-harness';
import { nodeReasonsAnnotation, type NodeReasons } from './scheduler';

const host = 'kubernetes.io/hostname';
const zone = 'topology.kubernetes.io/zone';

/** `0/N nodes are available: <a>, <b>. preemption: …` → the two histograms as maps. */
function histograms(message: string): { main: Map<string, number>; preemption: Map<string, number> } {
  const m = /^0\/\d+ nodes are available: (.*?)\. preemption: 0\/\d+ nodes are available: (.*)\.$/.exec(message);
  if (m === null) throw new Error(`unexpected message: ${message}`);
  const parse = (s: string) => new Map(s.split(', ').map((part) => [part.slice(part.indexOf(' ') + 1), Number(part.slice(0, part.indexOf(' ')))] as [string, number]));
  return { main: parse(m[1] ?? ''), preemption: parse(m[2] ?? '') };
}

/** The preemption histogram without the nodes it calls not helpful (which include other suites' nodes). */
function own(h: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...h].filter(([reason]) => reason !== 'Preemption is not helpful for scheduling'));
}

describe.each(testBackends())('scheduler against the API server on $name', ({ name: backend, uri }) => {
  let server: TestServer;
  let h: Harness;

  beforeAll(async () => {
    server = await withServer(uri);
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    h = new Harness(server);
  });

  afterEach(async () => {
    await h.stop();
  });

  it('serves /healthz, /readyz and the scheduler metrics', async () => {
    await h.node('n1');
    await h.start();
    await h.pod('p', { cpu: '100m' });
    await h.untilBound('p');
    const url = h.running!.url();
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`scheduler_schedule_attempts_total\\{result="scheduled",profile="${h.schedulerName}"\\} 1`));
    expect(metrics).toContain('scheduler_scheduling_attempt_duration_seconds_bucket');
    expect(metrics).toContain('scheduler_pending_pods{queue="active"} 0');
    expect(metrics).toContain('scheduler_pod_scheduling_sli_duration_seconds_count{attempts="1"} 1');
  });

  it('fits pods by free cpu, memory and pod count, counting init containers', async () => {
    await h.node('small', { cpu: '1', memory: '1Gi', pods: '2' });
    await h.node('big', { cpu: '4', memory: '8Gi', pods: '2' });
    await h.start();
    await h.pod('large', { cpu: '2' });
    await h.pod('init-heavy', { cpu: '100m', spec: { initContainers: [{ name: 'i', image: 'i', resources: { requests: { cpu: '1500m' } } }] } });
    await h.untilBound('large', 'init-heavy');
    expect([h.boundTo('large'), h.boundTo('init-heavy')]).toEqual(['big', 'big']);
    // big is now full by pod count (2/2): the next pods go to small.
    await h.pod('tiny1', { cpu: '100m' });
    await h.pod('tiny2', { cpu: '100m' });
    await h.untilBound('tiny1', 'tiny2');
    expect([h.boundTo('tiny1'), h.boundTo('tiny2')]).toEqual(['small', 'small']);
    await h.pod('no-room', { cpu: '100m' });
    await h.untilUnschedulable('no-room');
    expect(await h.ownReasons('no-room')).toEqual({ 'Too many pods': 2 });
  });

  it('skips cordoned and not-ready nodes', async () => {
    await h.node('cordoned', { unschedulable: true, cpu: '64' });
    await h.node('down', { ready: 'False', cpu: '64' });
    await h.node('ok', { cpu: '1' });
    await h.start();
    for (let i = 0; i < 3; i++) await h.pod(`p${i}`, { cpu: '100m' });
    await h.untilBound('p0', 'p1', 'p2');
    expect(['p0', 'p1', 'p2'].map((p) => h.boundTo(p))).toEqual(['ok', 'ok', 'ok']);
    await h.pod('big', { cpu: '2' });
    await h.untilUnschedulable('big');
    expect(await h.ownReasons('big')).toEqual({ 'Insufficient cpu': 1, 'node(s) were not ready': 1, 'node(s) were unschedulable': 1 });
  });

  it('keeps pods off tainted nodes unless they tolerate the taint', async () => {
    await h.node('cp', { cpu: '64', taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] });
    await h.node('w', { cpu: '1' });
    await h.start();
    await h.pod('plain', { cpu: '100m' });
    await h.pod('tolerant', { cpu: '2', tolerations: [{ key: 'node-role', operator: 'Exists', effect: 'NoSchedule' }] });
    await h.untilBound('plain', 'tolerant');
    expect([h.boundTo('plain'), h.boundTo('tolerant')]).toEqual(['w', 'cp']);
  });

  it('leaves a pod with spec.nodeName alone but counts it on its node', async () => {
    await h.node('a', { cpu: '1' });
    await h.node('b', { cpu: '1' });
    await h.start();
    await h.pod('pinned', { node: 'a', cpu: '900m' });
    await h.pod('free', { cpu: '500m' });
    await h.untilBound('free');
    expect([h.boundTo('pinned'), h.boundTo('free')]).toEqual(['a', 'b']);
    expect(h.eventsFor('pinned', 'Scheduled')).toHaveLength(0);
  });

  it('honours nodeSelector and required node affinity', async () => {
    await h.node('ssd', { labels: { disk: 'ssd', gen: '5' } });
    await h.node('hdd', { labels: { disk: 'hdd', gen: '5' } });
    await h.node('old', { labels: { disk: 'ssd', gen: '2' } });
    await h.start();
    await h.pod('selector', { nodeSelector: { disk: 'hdd' } });
    await h.pod('affinity', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gen', operator: 'Gt', values: ['3'] }] }],
            },
          },
        },
      },
    });
    await h.untilBound('selector', 'affinity');
    expect([h.boundTo('selector'), h.boundTo('affinity')]).toEqual(['hdd', 'ssd']);
  });

  it('gives pods with the same host port different nodes', async () => {
    await h.node('a');
    await h.node('b');
    await h.start();
    for (const p of ['web1', 'web2', 'web3']) await h.pod(p, { hostPort: 8080 });
    await h.untilBound('web1', 'web2');
    await h.untilUnschedulable('web3');
    expect(new Set([h.boundTo('web1'), h.boundTo('web2')])).toEqual(new Set(['a', 'b']));
    expect(await h.ownReasons('web3')).toEqual({ "node(s) didn't have free ports for the requested pod ports": 2 });
  });

  it('places pods by required pod affinity and anti-affinity on kubernetes.io/hostname', async () => {
    for (const n of ['a', 'b', 'c']) await h.node(n);
    await h.start();
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: host }] } };
    for (let i = 0; i < 4; i++) await h.pod(`db${i}`, { labels: { app: 'db' }, spec: { affinity: anti } });
    await h.untilBound('db0', 'db1', 'db2');
    await h.untilUnschedulable('db3');
    expect(new Set(['db0', 'db1', 'db2'].map((p) => h.boundTo(p)))).toEqual(new Set(['a', 'b', 'c']));
    expect(await h.ownReasons('db3')).toEqual({ "node(s) didn't match pod anti-affinity rules": 3 });
    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: host }] } };
    await h.pod('cache', { spec: { affinity: near } });
    await h.untilBound('cache');
    expect(['a', 'b', 'c']).toContain(h.boundTo('cache'));
  });

  it('spreads pods across zones within maxSkew (DoNotSchedule)', async () => {
    await h.node('a1', { labels: { [zone]: 'a' } });
    await h.node('a2', { labels: { [zone]: 'a' } });
    await h.node('b1', { labels: { [zone]: 'b' }, cpu: '1' });
    await h.start();
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] };
    // b1 can hold two of these; then zone b is full and zone a may run at most one ahead.
    for (let i = 0; i < 6; i++) await h.pod(`web${i}`, { labels: { app: 'web' }, cpu: '400m', spec: spread });
    await h.until(() => ['web0', 'web1', 'web2', 'web3', 'web4', 'web5'].filter((p) => h.boundTo(p) !== undefined || h.scheduledCondition(p)?.reason === 'Unschedulable').length === 6, 'all six decided');
    const inZone = (z: string) => ['web0', 'web1', 'web2', 'web3', 'web4', 'web5'].filter((p) => h.boundTo(p)?.startsWith(z)).length;
    expect([inZone('a'), inZone('b')]).toEqual([3, 2]);
    const rejected = ['web0', 'web1', 'web2', 'web3', 'web4', 'web5'].find((p) => h.boundTo(p) === undefined) ?? '';
    expect(await h.ownReasons(rejected)).toEqual({ 'Insufficient cpu': 1, "node(s) didn't match pod topology spread constraints": 2 });
  });

  it('reports an unschedulable pod (condition, event, per-node reasons) and schedules it once a node fits', async () => {
    await h.node('w1', { cpu: '1' });
    await h.node('w2', { cpu: '1' });
    await h.node('cp', { cpu: '8', taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] });
    await h.start();
    await h.pod('big', { cpu: '2' });
    await h.untilUnschedulable('big');
    await h.until(() => h.eventsFor('big', 'FailedScheduling').length > 0, 'FailedScheduling event');
    const condition = h.scheduledCondition('big');
    expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    const message = condition?.message ?? '';
    // Other suites' nodes (on the shared etcd) all fail as unresolvable, so preemption calls them not helpful.
    expect(own(histograms(message).preemption)).toEqual({ 'No preemption victims found for incoming pod': 2 });
    expect(await h.ownReasons('big')).toEqual({ 'Insufficient cpu': 2, 'node(s) had untolerated taint {node-role: control-plane}': 1 });
    if (backend === 'sqlite') {
      // A cluster of our own: the message is exactly Kubernetes'.
      expect(message).toBe(
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role: control-plane}, 2 Insufficient cpu. ' +
          'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
      );
    }
    const event = h.eventsFor('big', 'FailedScheduling')[0];
    expect(event).toMatchObject({ type: 'Warning', message, source: { component: h.schedulerName } });
    await h.until(() => h.get('big')?.metadata?.annotations?.[nodeReasonsAnnotation] !== undefined, 'node reasons annotation');
    const reasons = JSON.parse(h.get('big')?.metadata?.annotations?.[nodeReasonsAnnotation] ?? '{}') as NodeReasons;
    const cpu = reasons.reasons.find((r) => r.reason === 'Insufficient cpu');
    expect(cpu).toMatchObject({ plugin: 'NodeResourcesFit', count: 2 });
    expect(cpu?.nodes.map((n) => h.short(n)).sort()).toEqual(['w1', 'w2']);
    // A node that fits appears: the pod is retried and bound, and the stale reasons go.
    await h.node('w3', { cpu: '4' });
    await h.untilBound('big');
    expect(h.boundTo('big')).toBe('w3');
    await h.until(() => h.get('big')?.metadata?.annotations?.[nodeReasonsAnnotation] === undefined, 'node reasons cleared');
    expect(h.scheduledCondition('big')?.status).toBe('True');
  });

  it('never overcommits: 100 pods onto 3 small nodes', async () => {
    for (const n of ['a', 'b', 'c']) await h.node(n, { cpu: '1', memory: '1Gi', pods: '110' });
    await h.start();
    const names = Array.from({ length: 100 }, (_, i) => `p${i}`);
    await Promise.all(names.map((n) => h.pod(n, { cpu: '100m', memory: '64Mi' })));
    const decided = () => names.filter((n) => h.boundTo(n) !== undefined || h.scheduledCondition(n)?.reason === 'Unschedulable').length;
    await h.until(() => decided() === 100, 'every pod bound or reported unschedulable', 40_000);
    const perNode = (node: string) => names.filter((n) => h.boundTo(n) === node).length;
    expect([perNode('a'), perNode('b'), perNode('c')]).toEqual([10, 10, 10]);
    const scheduler = h.running!.scheduler()!;
    for (const n of ['a', 'b', 'c']) expect(scheduler.cache.getNode(h.nodeName(n))?.requested.milliCPU).toBe(1000);
    expect(scheduler.queue.counts().unschedulable + scheduler.queue.counts().backoff + scheduler.queue.counts().active).toBe(70);
  });

  it('schedules with only one of two replicas leading, and the other takes over when it stops', async () => {
    await h.node('n1', { cpu: '8' });
    const lease = { leaderElect: true, leaseName: `${h.suite}-lease`, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };
    await h.start({ ...lease, identity: 'first' });
    const secondAbort = new AbortController();
    const second = h.startScheduler({ ...lease, identity: 'second' }, secondAbort);
    await second.ready;
    await h.pod('p1');
    await h.untilBound('p1');
    const first = h.running!;
    expect([first.isLeader(), second.isLeader()].filter(Boolean)).toHaveLength(1);
    // The leader stops (and releases the Lease): the other one takes over.
    const survivor = first.isLeader() ? second : first;
    if (first.isLeader()) await h.stopScheduler();
    else {
      secondAbort.abort();
      await second.done;
    }
    await h.pod('p2');
    await h.untilBound('p2');
    expect(survivor.isLeader()).toBe(true);
    secondAbort.abort();
    await second.done;
  });
});
