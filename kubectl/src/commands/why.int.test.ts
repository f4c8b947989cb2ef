// keelctl why against a real API server: what it says about pods and deployments set up as the scheduler and kubelet leave them.
import { systemClock } from '@keelson/client';
import { testBackends, uniqueName } from '@keelson/apiserver';
import type { ContainerStatus, Event, Pod, PodStatus } from '@keelson/api';
import { keelctl } from '../testing';
import { deployment, event, node, pod, replicaSet, running } from '../ops/fixtures';
import { fixedNow, startCluster, startKeelctl, type TestCluster } from '../ops/testing';

const now = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number): string => new Date(now - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const schedulerMessage =
  '0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {node-role: control-plane}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

describe.each(testBackends())('keelctl why on $name', ({ uri }) => {
  let k: TestCluster;
  let ns = '';
  const workers = [uniqueName('worker'), uniqueName('worker')] as const;
  const controlPlane = uniqueName('cp');
  const pods = () => k.client.resource('v1', 'Pod').namespace(ns);
  /** keelctl why, with "now" fixed so that ages in the answer do not drift. */
  const why = async (...args: string[]) => startKeelctl(k.kubeconfig, ['why', ...args], { clock: fixedNow(now, systemClock) }).done;

  async function podWith(p: Pod, status: PodStatus): Promise<Pod> {
    const created = await pods().create(p);
    return pods().updateStatus({ ...created, status });
  }
  async function events(...list: ((ns: string) => Event)[]): Promise<void> {
    for (const e of list) await k.client.resource('v1', 'Event').namespace(ns).create(e(ns));
  }
  const crashing: ContainerStatus = {
    name: 'app',
    image: 'shop/api:2.1',
    imageID: '',
    ready: false,
    restartCount: 5,
    started: false,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=app' } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(75), finishedAt: ago(72) } },
  };

  beforeAll(async () => {
    k = await startCluster(uri(), 'why');
    ns = k.namespace;
    const nodes = k.client.resource('v1', 'Node');
    for (const w of workers) await nodes.create(node(w, { cpu: '2' }));
    await nodes.create(node(controlPlane, { cpu: '8', taints: [{ key: 'node-role', value: 'control-plane', effect: 'NoSchedule' }] }));

    // Pending: the scheduler found no node.
    await podWith(pod('pending', { cpu: '3' }), { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: schedulerMessage, lastTransitionTime: ago(600) }] });
    await events((n) =>
      event({ kind: 'Pod', name: 'pending', namespace: n }, { name: 'pending.1', type: 'Warning', reason: 'FailedScheduling', message: schedulerMessage, component: 'default-scheduler', first: ago(600), last: ago(30), count: 12 }),
    );

    // A Deployment whose ReplicaSet runs one crashing pod and one healthy pod.
    const d = await k.client.resource('apps/v1', 'Deployment').namespace(ns).create(deployment('web', 2, 'shop/api:2.1'));
    const rs = await k.client.resource('apps/v1', 'ReplicaSet').namespace(ns).create(replicaSet(d, '7d9f', 1, 'shop/api:2.1'));
    const owner = { kind: 'ReplicaSet', name: 'web-7d9f', uid: rs.metadata?.uid ?? '' };
    const labels = { app: 'web', 'pod-template-hash': '7d9f' };
    const crash = await podWith(pod('web-7d9f-crash', { nodeName: workers[0], labels, owner, image: 'shop/api:2.1' }), {
      phase: 'Running',
      podIP: '10.1.0.4',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' },
      ],
      containerStatuses: [crashing],
    });
    await podWith(pod('web-7d9f-fine', { nodeName: workers[1], labels, owner, image: 'shop/api:2.1' }), {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [running('app', ago(3600), { image: 'shop/api:2.1' })],
    });
    const about = { kind: 'Pod', name: 'web-7d9f-crash', namespace: ns, uid: crash.metadata?.uid ?? '' };
    await events(
      () => event(about, { name: 'crash.1', type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-7d9f-crash', component: 'kubelet', first: ago(540), last: ago(20), count: 21 }),
      () => event(about, { name: 'crash.2', type: 'Normal', reason: 'Pulled', message: 'Container image "shop/api:2.1" already present on machine', component: 'kubelet', first: ago(600), last: ago(75), count: 6 }),
      () => event({ ...about, uid: 'an-older-pod-of-the-same-name' }, { name: 'crash.3', type: 'Warning', reason: 'Failed', message: 'not about this pod', component: 'kubelet', first: ago(900), last: ago(900) }),
    );
    const dep = await k.client.resource('apps/v1', 'Deployment').namespace(ns).get('web');
    await k.client.resource('apps/v1', 'Deployment').namespace(ns).updateStatus({
      ...dep,
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        unavailableReplicas: 1,
        conditions: [
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-7d9f" has successfully progressed.' },
        ],
      },
    });
    await events((n) => event({ kind: 'Deployment', name: 'web', namespace: n }, { name: 'web.1', type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7d9f to 2', component: 'deployment-controller', first: ago(900), last: ago(900) }));

    // Running but failing its readiness probe.
    const unready = pod('unready', { nodeName: workers[1] });
    unready.spec!.containers[0]!.readinessProbe = { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5 };
    const u = await podWith(unready, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' }], containerStatuses: [running('app', ago(300), { ready: false })] });
    await events(() =>
      event({ kind: 'Pod', name: 'unready', namespace: ns, uid: u.metadata?.uid ?? '' }, { name: 'unready.1', type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', component: 'kubelet', first: ago(290), last: ago(5), count: 58 }),
    );
  });
  afterAll(async () => {
    await k?.stop();
  });

  const w0 = (): string => workers[0];
  const w1 = (): string => workers[1];

  it('explains a pod no node fits, from the scheduler’s reasons and the nodes', async () => {
    expect(await why('pending')).toEqual({
      code: 0,
      err: '',
      out: `pod/pending in namespace ${ns}, phase Pending
Verdict: Pending: no node fits (2 Insufficient cpu, 1 untolerated taint)

Why:
  - scheduler: 0/3 nodes are available
  - 2 nodes: not enough free cpu for the pod's request of 3 (other pods hold the rest)
  - 1 node: node(s) had untolerated taint {node-role: control-plane}: ${controlPlane} (node-role=control-plane:NoSchedule)
  - the pod tolerates: nothing
  - preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
Try:
  - free cpu (scale something down) or add nodes; a lower request also fits
  - add a matching toleration to the pod template, or remove the taint (keelctl taint is not available yet; edit the node)
Containers:
  NAME   STATE           READY   RESTARTS   LAST TERMINATION
  app    no status yet
Conditions:
  TYPE           STATUS   REASON          MESSAGE
  PodScheduled   False    Unschedulable   ${schedulerMessage}
Events (warnings first, newest first):
  TYPE      REASON             AGE                  FROM                MESSAGE
  Warning   FailedScheduling   30s (x12 over 10m)   default-scheduler   ${schedulerMessage}
Owner: none (a bare pod: nothing replaces it if it is deleted or its node fails)
Node: none (not scheduled)
`,
    });
  });

  it('explains a crash loop: exit code, restarts, events (not an older namesake’s), owners and node', async () => {
    expect(await why('pod/web-7d9f-crash')).toEqual({
      code: 0,
      err: '',
      out: `pod/web-7d9f-crash in namespace ${ns}, phase Running
Verdict: CrashLoopBackOff: container "app" exits with code 1 (restarted 5 times)

${crashBody(w0())}`,
    });
  });

  it('explains a pod that runs but fails its readiness probe', async () => {
    expect(await why('unready')).toEqual({
      code: 0,
      err: '',
      out: `pod/unready in namespace ${ns}, phase Running
Verdict: Running but not Ready: readiness probe failing

Why:
  - Readiness probe failed: HTTP probe failed with statuscode: 503 (last 5s ago, 58 times in 4m50s)
  - readiness probe of "app": http-get http://:80/ready delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3
Try:
  - the pod gets no Service traffic until the probe passes: check the endpoint it probes, and the app's own logs
Containers:
  NAME   STATE        READY   RESTARTS   LAST TERMINATION
  app    running 5m   false   0
Conditions:
  TYPE    STATUS   REASON               MESSAGE
  Ready   False    ContainersNotReady   containers with unready status: [app]
Events (warnings first, newest first):
  TYPE      REASON      AGE                   FROM      MESSAGE
  Warning   Unhealthy   5s (x58 over 4m50s)   kubelet   Readiness probe failed: HTTP probe failed with statuscode: 503
Owner: none (a bare pod: nothing replaces it if it is deleted or its node fails)
Node: ${w1()} (Ready)
`,
    });
  });

  it('says Healthy, briefly', async () => {
    expect(await why('web-7d9f-fine')).toEqual({
      code: 0,
      err: '',
      out: `pod/web-7d9f-fine in namespace ${ns}, phase Running
Verdict: Healthy

Containers:
  NAME   STATE         READY   RESTARTS   LAST TERMINATION
  app    running 60m   true    0
Conditions:
  TYPE    STATUS   REASON   MESSAGE
  Ready   True
Events: none about this pod (events expire after an hour)
Owner: ReplicaSet/web-7d9f → Deployment/web
Node: ${w1()} (Ready)
`,
    });
  });

  it('explains a deployment through its pods, the worst one in full', async () => {
    expect(await why('deployment/web')).toEqual({
      code: 0,
      err: '',
      out: `deployment.apps/web in namespace ${ns}
Verdict: Unhealthy: 1 of 2 pods not ready (1 CrashLoopBackOff)

Replicas: 2 desired, 2 current, 2 updated, 1 ready, 1 available
Conditions:
  TYPE          STATUS   REASON                       MESSAGE
  Available     False    MinimumReplicasUnavailable   Deployment does not have minimum availability.
  Progressing   True     NewReplicaSetAvailable       ReplicaSet "web-7d9f" has successfully progressed.
Pods (2):
  NAME             NODE${' '.repeat(w0().length - 1)}VERDICT
  web-7d9f-crash   ${w0()}   CrashLoopBackOff: container "app" exits with code 1 (restarted 5 times)
  web-7d9f-fine    ${w1()}   Healthy
Events (warnings first, newest first):
  TYPE     REASON              AGE   FROM                    MESSAGE
  Normal   ScalingReplicaSet   15m   deployment-controller   Scaled up replica set web-7d9f to 2

The first pod not ready, pod/web-7d9f-crash:
Verdict: CrashLoopBackOff: container "app" exits with code 1 (restarted 5 times)

${crashBody(w0())}`,
    });
  });

  it('explains a deployment with no pods, and a paused one', async () => {
    await k.client.resource('apps/v1', 'Deployment').namespace(ns).create(deployment('empty', 3));
    const r = await why('deploy/empty');
    expect(r.out.split('\n').slice(0, 5)).toEqual([
      `deployment.apps/empty in namespace ${ns}`,
      'Verdict: No pods: 3 wanted, none exist',
      '',
      'Try:',
      '  - no pod has been created: is the controller-manager running? Its events on the workload say why it could not create pods',
    ]);
    await k.client.resource('apps/v1', 'Deployment').namespace(ns).patch('empty', 'merge', { spec: { paused: true } });
    expect((await why('deploy/empty')).out.split('\n')[1]).toBe('Verdict: Paused: the rollout is paused; template changes are not rolled out');
  });

  it("fails with kubectl's messages for what it cannot explain", async () => {
    expect(await keelctl(k.kubeconfig, ['why', 'ghost'])).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): pods "ghost" not found\n' });
    expect(await keelctl(k.kubeconfig, ['why', 'deployment/ghost'])).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): deployments.apps "ghost" not found\n' });
    expect(await keelctl(k.kubeconfig, ['why', 'svc/web'])).toEqual({
      code: 1,
      out: '',
      err: 'error: keelctl why explains pods and the workloads that run them (deployments, replicasets, statefulsets, daemonsets), not services\n',
    });
  });
});

/** What `why` says under the verdict of the crashing pod, on its own or as a deployment's worst pod. */
function crashBody(node: string): string {
  return `Why:
  - container "app" last terminated with exit code 1 (Error) 72s ago, after running 3s
  - kubelet: back-off 2m40s restarting failed container=app
Try:
  - keelctl logs web-7d9f-crash -c app --previous   # the output of the run that ended
Containers:
  NAME   STATE                       READY   RESTARTS   LAST TERMINATION
  app    waiting: CrashLoopBackOff   false   5          exit 1 (Error) 72s ago
Conditions:
  TYPE           STATUS   REASON               MESSAGE
  PodScheduled   True
  Ready          False    ContainersNotReady   containers with unready status: [app]
Events (warnings first, newest first):
  TYPE      REASON    AGE                 FROM      MESSAGE
  Warning   BackOff   20s (x21 over 9m)   kubelet   Back-off restarting failed container app in pod web-7d9f-crash
  Normal    Pulled    75s (x6 over 10m)   kubelet   Container image "shop/api:2.1" already present on machine
Owner: ReplicaSet/web-7d9f → Deployment/web
Node: ${node} (Ready)
`;
}
