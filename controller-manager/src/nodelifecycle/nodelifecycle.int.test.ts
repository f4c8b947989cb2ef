// Node lifecycle and node IPAM against a real API server: a node whose Lease stops is tainted, its ReplicaSet pods evicted and replaced; nodes get distinct pod CIDRs.
import type { Lease, Node, Pod, ReplicaSet } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import { microTime, type RestClient } from '@keelson/client';
import { FakeNodeAgent } from '../testing/agent';
import { createNamespace, podsIn, startCluster, testLogger, waitFor, type TestCluster } from '../testing/cluster';
import { timestamp } from '../common/time';

const backend = testBackends().at(-1)!;

async function readyNode(client: RestClient, name: string): Promise<void> {
  await client.resource('v1', 'Node').create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  await heartbeat(client, name);
}

/** Posts Ready=True with a fresh heartbeat, as a kubelet does (re-reading when the controllers wrote the Node meanwhile). */
async function heartbeat(client: RestClient, name: string): Promise<void> {
  const nodes = client.resource('v1', 'Node');
  await waitFor(`a heartbeat of ${name}`, async () => {
    const node: Node = await nodes.get(name);
    const now = timestamp(Date.now());
    const conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }];
    await nodes.updateStatus({ ...node, status: { ...node.status, conditions } });
    return true;
  });
}

/** Creates or renews `kube-node-lease/<name>`. */
async function renew(client: RestClient, name: string): Promise<void> {
  const leases = client.resource('coordination.k8s.io/v1', 'Lease').namespace('kube-node-lease');
  const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) };
  const current = await leases.get(name).catch(() => undefined);
  if (current === undefined) await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec } satisfies Lease);
  else await leases.update({ ...current, spec: { ...current.spec, ...spec } });
}

describe(`node lifecycle and IPAM on ${backend.name}`, () => {
  let cluster: TestCluster;
  const renewing = new Set<string>();
  let renewer: NodeJS.Timeout | undefined;
  const extraAgents: FakeNodeAgent[] = [];
  const suffix = Math.random().toString(36).slice(2, 7);
  const nodeA = `lost-${suffix}`;
  const nodeB = `healthy-${suffix}`;

  beforeAll(async () => {
    cluster = await startCluster(backend.uri(), {
      manager: {
        controllers: ['replicaset', 'node-lifecycle', 'nodeipam'],
        nodeMonitorGracePeriodMs: 2_000,
        nodeMonitorPeriodMs: 250,
        defaultNotReadyTolerationSeconds: 1,
        defaultUnreachableTolerationSeconds: 1,
      },
      agent: { nodeName: nodeA },
    });
    const { client } = cluster;
    await client.resource('v1', 'Namespace').create({ metadata: { name: 'kube-node-lease' } }).catch(() => undefined);
    for (const n of [nodeA, nodeB]) {
      await readyNode(client, n);
      await renew(client, n);
      renewing.add(n);
    }
    renewer = setInterval(() => {
      for (const n of renewing) renew(client, n).catch(() => undefined);
    }, 300);
  });

  afterAll(async () => {
    if (renewer !== undefined) clearInterval(renewer);
    for (const a of extraAgents) await a.stop();
    // Nodes and Leases are cluster-wide and etcd is shared by the whole run: leave none behind.
    if (cluster !== undefined) {
      for (const n of [nodeA, nodeB, `late-${suffix}`]) {
        await cluster.client.resource('v1', 'Node').delete(n).catch(() => undefined);
        await cluster.client.resource('coordination.k8s.io/v1', 'Lease').namespace('kube-node-lease').delete(n).catch(() => undefined);
      }
    }
    await cluster?.stop();
  });

  it('gives every node its own pod CIDR from 10.42.0.0/16', async () => {
    const { client } = cluster;
    const third = `late-${suffix}`;
    await client.resource('v1', 'Node').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: third } });
    const cidrs = await waitFor('pod CIDRs on all three nodes', async () => {
      const nodes = await Promise.all([nodeA, nodeB, third].map((n) => client.resource('v1', 'Node').get(n)));
      const got = nodes.map((n) => n.spec?.podCIDR);
      return got.every((c) => c !== undefined) ? nodes : undefined;
    });
    const values = cidrs.map((n) => n.spec?.podCIDR ?? '');
    expect(new Set(values).size).toBe(3);
    for (const n of cidrs) {
      expect(n.spec?.podCIDR).toMatch(/^10\.42\.\d{1,3}\.0\/24$/);
      expect(n.spec?.podCIDRs).toEqual([n.spec?.podCIDR]);
    }
    await client.resource('v1', 'Node').delete(third);
  });

  it('marks a node whose Lease stops Unknown and unreachable, evicts its ReplicaSet pods and the ReplicaSet replaces them elsewhere', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'evict');
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    await client.resource('apps/v1', 'ReplicaSet').create(rs);
    const running = (p: Pod, node: string): boolean => p.spec?.nodeName === node && p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined;
    const first = await waitFor('two pods running on the doomed node', async () => {
      const pods = (await podsIn(client, ns)).filter((p) => running(p, nodeA));
      return pods.length === 2 ? pods : undefined;
    });

    // The kubelet of nodeA dies: no more Lease renewals, no more pod handling there.
    renewing.delete(nodeA);
    await cluster.agent.stop();
    const agentB = new FakeNodeAgent(client, { nodeName: nodeB, namespace: ns, logger: testLogger() });
    extraAgents.push(agentB);
    await agentB.start();

    const lost = await waitFor('the node to be Unknown and tainted', async () => {
      const n = await client.resource('v1', 'Node').get(nodeA);
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      const tainted = n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') === true;
      return ready?.status === 'Unknown' && tainted ? n : undefined;
    });
    expect(lost.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(lost.spec?.taints?.find((t) => t.effect === 'NoExecute')?.timeAdded).toBeDefined();

    const replaced = await waitFor('the evicted pods to be replaced on the healthy node', async () => {
      const pods = await podsIn(client, ns);
      const originals = pods.filter((p) => first.some((o) => o.metadata?.uid === p.metadata?.uid));
      const fresh = pods.filter((p) => running(p, nodeB));
      return originals.length === 0 && fresh.length === 2 ? fresh : undefined;
    });
    expect(replaced.map((p) => p.metadata?.ownerReferences?.[0]?.name)).toEqual(['web', 'web']);
    // Events are written in the background by the recorder: wait for both.
    const wanted = first.map((p) => `Marking for deletion Pod ${ns}/${p.metadata?.name ?? ''}`).sort();
    const messages = await waitFor('both eviction events', async () => {
      const events = (await client.resource('v1', 'Event').namespace(ns).list()).items;
      const found = events.filter((e) => e.reason === 'TaintManagerEviction').map((e) => e.message ?? '').sort();
      return found.length >= wanted.length ? found : undefined;
    });
    expect(messages).toEqual(wanted);
    const healthy = await client.resource('v1', 'Node').get(nodeB);
    expect(healthy.spec?.taints ?? []).toEqual([]);

    // The kubelet comes back: Lease renewed and Ready posted; the taints go.
    renewing.add(nodeA);
    await renew(client, nodeA);
    await heartbeat(client, nodeA);
    await waitFor('the taints to be removed', async () => ((await client.resource('v1', 'Node').get(nodeA)).spec?.taints ?? []).length === 0);
  });
});
