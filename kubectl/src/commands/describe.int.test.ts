// keelctl describe against a real API server: kubectl's sections for pods, deployments, replica sets, services, nodes, namespaces, config maps and other kinds, with events.
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import type { Event } from '@keelson/api';
import { frozenAt, frozenClientClock, frozenServerClock, normalize } from '../goldens';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

// describe prints local times: pin the zone so the goldens hold anywhere.
process.env['TZ'] = 'UTC';

const ago = (seconds: number): string => new Date(frozenAt - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe.each(testBackends())('keelctl describe on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let ns: string;
  let node: string;
  let client: RestClient;

  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await keelctl(kc.path, args, '', { clock: frozenClientClock });
    return { code: r.code, out: normalize(r.out), err: normalize(r.err) };
  };

  const event = (o: { kind: string; name: string; uid: string; namespaced?: boolean; type?: string; reason: string; message: string; component: string; first: number; last?: number; count?: number }): Event => ({
    metadata: { name: `${o.name}.${o.reason.toLowerCase()}${o.first}`, namespace: ns },
    involvedObject: { kind: o.kind, name: o.name, uid: o.uid, ...(o.namespaced === false ? {} : { namespace: ns }) },
    type: o.type ?? 'Normal',
    reason: o.reason,
    message: o.message,
    source: { component: o.component },
    firstTimestamp: ago(o.first),
    lastTimestamp: ago(o.last ?? o.first),
    count: o.count ?? 1,
  });

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    node = uniqueName('node');
    kc = writeKubeconfig(srv.url, ns);
    client = RestClient.fromKubeconfig({ kubeconfig: kc.path });
    await client.resource('v1', 'Namespace').create({ metadata: { name: ns, labels: { team: 'payments' }, annotations: { owner: 'alice' } } });

    await client.resource('v1', 'Node').create({
      metadata: { name: node, labels: { 'kubernetes.io/hostname': node, 'node-role.kubernetes.io/worker': '' } },
      spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    const nodes = client.resource('v1', 'Node');
    const n = await nodes.get(node);
    await nodes.updateStatus({
      ...n,
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ago(10), lastTransitionTime: ago(3600) }],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.7' },
          { type: 'Hostname', address: node },
        ],
        nodeInfo: {
          machineID: 'm-1',
          systemUUID: 'u-1',
          bootID: 'b-1',
          kernelVersion: '6.1.0',
          osImage: 'Debian GNU/Linux 12',
          operatingSystem: 'linux',
          architecture: 'amd64',
          containerRuntimeVersion: 'keelson://0.1.0',
          kubeletVersion: 'v1.30.0-keelson',
          kubeProxyVersion: '',
        },
      },
    });

    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    const template = {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'MODE', value: 'prod' }],
            resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
          },
        ],
      },
    };
    const d = await deployments.create({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } });
    await deployments.updateStatus({
      ...d,
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-7c5d8b9f6d" has successfully progressed.' },
        ],
      },
    });
    const owner = (kind: string, name: string, uid: string) => [{ apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true }];
    const replicaSets = client.resource('apps/v1', 'ReplicaSet').namespace(ns);
    const rsLabels = { app: 'web', 'pod-template-hash': '7c5d8b9f6d' };
    const rs = await replicaSets.create({
      metadata: { name: 'web-7c5d8b9f6d', labels: rsLabels, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: owner('Deployment', 'web', d.metadata?.uid ?? '') },
      spec: { replicas: 1, selector: { matchLabels: rsLabels }, template: { ...template, metadata: { labels: rsLabels } } },
    });
    await replicaSets.updateStatus({ ...rs, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 1 } });

    const pods = client.resource('v1', 'Pod').namespace(ns);
    const pod = await pods.create({
      metadata: { name: 'web-7c5d8b9f6d-x2v4q', labels: rsLabels, ownerReferences: owner('ReplicaSet', 'web-7c5d8b9f6d', rs.metadata?.uid ?? '') },
      spec: { ...template.spec, nodeName: node, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
    });
    await pods.updateStatus({
      ...pod,
      status: {
        phase: 'Running',
        hostIP: '10.0.0.7',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        startTime: ago(120),
        qosClass: 'Burstable',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
        containerStatuses: [
          {
            name: 'web',
            ready: true,
            restartCount: 1,
            image: 'nginx:1.25',
            imageID: 'keelson://nginx@sha256:abc',
            containerID: 'keelson://web-1',
            started: true,
            state: { running: { startedAt: ago(100) } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(119), finishedAt: ago(101) } },
          },
        ],
      },
    });

    await client.resource('v1', 'Service').namespace(ns).create({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await client.resource('v1', 'Endpoints').namespace(ns).create({
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'http', port: 8080 }] }],
    });
    await client.resource('v1', 'ConfigMap').namespace(ns).create({ metadata: { name: 'settings' }, data: { color: 'blue', 'app.conf': 'a=1\nb=2' } });
    await client.resource('coordination.k8s.io/v1', 'Lease').namespace(ns).create({ metadata: { name: 'leader' }, spec: { holderIdentity: 'web-1', leaseDurationSeconds: 15 } });

    const events = client.resource('v1', 'Event').namespace(ns);
    for (const e of [
      event({ kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', reason: 'Scheduled', message: `Successfully assigned ${ns}/${pod.metadata?.name ?? ''} to ${node}`, component: 'default-scheduler', first: 120 }),
      event({ kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', reason: 'Pulled', message: 'Container image "nginx:1.25" already present on machine', component: 'kubelet', first: 119, last: 101, count: 2 }),
      event({ kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container web', component: 'kubelet', first: 105 }),
      event({ kind: 'Deployment', name: 'web', uid: d.metadata?.uid ?? '', reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7c5d8b9f6d to 1', component: 'deployment-controller', first: 125 }),
      // Same name, another object: must not show up.
      event({ kind: 'Deployment', name: 'web', uid: 'someone-else', reason: 'Other', message: 'not this one', component: 'x', first: 5 }),
    ]) {
      await events.create(e);
    }
  });
  afterAll(async () => {
    // Nodes are cluster-wide and the etcd is shared with other suites: leave none behind.
    await client?.resource('v1', 'Node').delete(node);
    client?.close();
    kc?.cleanup();
    await srv?.stop();
  });

  it('describes a pod: containers with state, conditions, QoS, tolerations and events', async () => {
    expect(await run('describe', 'pod', 'web-7c5d8b9f6d-x2v4q')).toEqual({ code: 0, out: `Name:         web-7c5d8b9f6d-x2v4q
Namespace:    kc-xxxxxxxx
Priority:     0
Node:         node-xxxxxxxx/10.0.0.7
Start Time:   Wed, 01 May 2024 09:58:00 +0000
Labels:       app=web
              pod-template-hash=7c5d8b9f6d
Annotations:  <none>
Status:       Running
IP:           10.244.1.5
IPs:
  IP:           10.244.1.5
Controlled By:  ReplicaSet/web-7c5d8b9f6d
Containers:
  web:
    Container ID:   keelson://web-1
    Image:          nginx:1.25
    Image ID:       keelson://nginx@sha256:abc
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Wed, 01 May 2024 09:58:20 +0000
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Wed, 01 May 2024 09:58:01 +0000
      Finished:     Wed, 01 May 2024 09:58:19 +0000
    Ready:          True
    Restart Count:  1
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Readiness:  http-get http://:80/healthz delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3
    Environment:
      MODE:  prod
    Mounts:  <none>
Conditions:
  Type              Status
  Initialized       True 
  Ready             True 
  ContainersReady   True 
  PodScheduled      True 
Volumes:            <none>
QoS Class:          Burstable
Node-Selectors:     <none>
Tolerations:        node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                  From               Message
  ----     ------     ----                 ----               -------
  Normal   Scheduled  2m                   default-scheduler  Successfully assigned kc-xxxxxxxx/web-7c5d8b9f6d-x2v4q to node-xxxxxxxx
  Warning  BackOff    105s                 kubelet            Back-off restarting failed container web
  Normal   Pulled     101s (x2 over 119s)  kubelet            Container image "nginx:1.25" already present on machine
`, err: '' });
  });

  it('describes a deployment with its replica sets and events', async () => {
    expect(await run('describe', 'deployment', 'web')).toEqual({ code: 0, out: `Name:                   web
Namespace:              kc-xxxxxxxx
CreationTimestamp:      Wed, 01 May 2024 10:00:00 +0000
Labels:                 app=web
Annotations:            <none>
Selector:               app=web
Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   web:
    Image:      nginx:1.25
    Port:       80/TCP
    Host Port:  0/TCP
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Readiness:  http-get http://:80/healthz delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3
    Environment:
      MODE:        prod
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   web-7c5d8b9f6d (1/1 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  2m5s  deployment-controller  Scaled up replica set web-7c5d8b9f6d to 1
`, err: '' });
  });

  it('describes a replica set with pod counts', async () => {
    expect(await run('describe', 'rs/web-7c5d8b9f6d', '--show-events=false')).toEqual({ code: 0, out: `Name:           web-7c5d8b9f6d
Namespace:      kc-xxxxxxxx
Selector:       app=web,pod-template-hash=7c5d8b9f6d
Labels:         app=web
                pod-template-hash=7c5d8b9f6d
Annotations:    deployment.kubernetes.io/revision: 1
Controlled By:  Deployment/web
Replicas:       1 current / 1 desired
Pods Status:    1 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
           pod-template-hash=7c5d8b9f6d
  Containers:
   web:
    Image:      nginx:1.25
    Port:       80/TCP
    Host Port:  0/TCP
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Readiness:  http-get http://:80/healthz delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3
    Environment:
      MODE:        prod
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
`, err: '' });
  });

  it('describes a service with its endpoints', async () => {
    // The ClusterIP is allocated by the API server: its value is the allocator's, its shape the describer's.
    const described = await run('describe', 'svc', 'web');
    const ip = /^IP:\s+(10\.\d+\.\d+\.\d+)$/m.exec(described.out)?.[1] ?? 'none';
    expect(ip).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect({ ...described, out: described.out.split(ip).join('10.96.x.x') }).toEqual({ code: 0, out: `Name:                     web
Namespace:                kc-xxxxxxxx
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.x.x
IPs:                      10.96.x.x
Port:                     http  80/TCP
TargetPort:               8080/TCP
Endpoints:                10.244.1.5:8080
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
`, err: '' });
  });

  it('describes a node with capacity and the pods on it', async () => {
    expect(await run('describe', 'node', node)).toEqual({ code: 0, out: `Name:               node-xxxxxxxx
Roles:              worker
Labels:             kubernetes.io/hostname=node-xxxxxxxx
                    node-role.kubernetes.io/worker=
Annotations:        <none>
CreationTimestamp:  Wed, 01 May 2024 10:00:00 +0000
Taints:             dedicated=db:NoSchedule
Unschedulable:      false
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Wed, 01 May 2024 09:59:50 +0000   Wed, 01 May 2024 09:00:00 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  10.0.0.7
  Hostname:    node-xxxxxxxx
Capacity:
  cpu:     4
  memory:  8Gi
  pods:    110
Allocatable:
  cpu:     4
  memory:  8Gi
  pods:    110
System Info:
  Machine ID:                 m-1
  System UUID:                u-1
  Boot ID:                    b-1
  Kernel Version:             6.1.0
  OS Image:                   Debian GNU/Linux 12
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  keelson://0.1.0
  Kubelet Version:            v1.30.0-keelson
PodCIDR:                      10.244.1.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name                    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                    ------------  ----------  ---------------  -------------  ---
  kc-xxxxxxxx                 web-7c5d8b9f6d-x2v4q    250m (6%)     500m (12%)  64Mi (0%)        128Mi (1%)     0s
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                250m (6%)  500m (12%)
  memory             64Mi (0%)  128Mi (1%)
  ephemeral-storage  0 (0%)     0 (0%)
Events:              <none>
`, err: '' });
  });

  it('describes a namespace, a config map, and other kinds generically', async () => {
    expect(await run('describe', 'ns', ns)).toEqual({ code: 0, out: `Name:         kc-xxxxxxxx
Labels:       kubernetes.io/metadata.name=kc-xxxxxxxx
              team=payments
Annotations:  owner: alice
Status:       Active

No resource quota.

No LimitRange resource.
`, err: '' });
    expect(await run('describe', 'cm', 'settings')).toEqual({ code: 0, out: `Name:         settings
Namespace:    kc-xxxxxxxx
Labels:       <none>
Annotations:  <none>

Data
====
app.conf:
----
a=1
b=2
color:
----
blue

BinaryData
====

Events:  <none>
`, err: '' });
    expect(await run('describe', 'lease', 'leader')).toEqual({ code: 0, out: `Name:         leader
Namespace:    kc-xxxxxxxx
Labels:       <none>
Annotations:  <none>
API Version:  coordination.k8s.io/v1
Kind:         Lease
Metadata:
  Creation Timestamp:  <time>
  Resource Version:    <rv>
  UID:                 <uid>
Spec:
  Holder Identity:         web-1
  Lease Duration Seconds:  15
Events:                    <none>
`, err: '' });
  });

  it('describes by name prefix, all of a type, and reports missing objects', async () => {
    const prefixed = await run('describe', 'pods', 'web-7c5d');
    expect(prefixed.code).toBe(0);
    expect(prefixed.out).toBe((await run('describe', 'pod', 'web-7c5d8b9f6d-x2v4q')).out);
    const all = await run('describe', 'cm,lease');
    expect(all.out.split('\n\n\nName:')).toHaveLength(2);
    expect(await run('describe', 'pod', 'nope')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): pods "nope" not found\n' });
    expect(await run('describe', 'cm', '-l', 'none=here')).toEqual({ code: 0, out: '', err: 'No resources found in kc-xxxxxxxx namespace.\n' });
    expect(await run('describe', 'widgets', 'x')).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type "widgets"\n' });
  });
});
