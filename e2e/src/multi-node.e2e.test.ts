// End-to-end on a real multi-node cluster: a control plane on the host plus workers in their own network namespaces, pod traffic routed between them.
import { join } from 'node:path';
import type { DaemonSet, Deployment, Node, Pod } from '@keelson/api';
import { Cluster, REPO_ROOT, ServicePoller, until } from './harness';
import { createNamespace, greetingOf, helloManifest, isReady, pods, readyPods, rolloutStatus, type List } from './scenarios';

// Scenarios wait on real rollouts, node joins and node failure detection.
jest.setTimeout(300_000);

let c: Cluster;

beforeAll(async () => {
  c = await Cluster.start({ workers: 2, nodeMonitorGracePeriod: '25s', keepLogsIn: process.env.KEELSON_E2E_LOGS });
}, 240_000);

afterAll(async () => {
  await c?.stop();
}, 240_000);

const spread = (d: Deployment): void => {
  d.spec!.template.spec!.topologySpreadConstraints = [
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'hello' } } },
  ];
};

const nodeOf = (p: Pod): string => p.spec?.nodeName ?? '';

describe('multi-node cluster', () => {
  it('joins every node with its own pod CIDR and routes pod traffic between nodes', async () => {
    const nodes = await c.getJson<List<Node>>(['nodes']);
    const names = [...c.nodes.values()].map((n) => n.name).sort();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(names);
    const cidrs = nodes.items.map((n) => n.spec?.podCIDR ?? '');
    const prefix = c.clusterCIDR.split('.').slice(0, 2).join('.');
    expect(cidrs.every((x) => x.startsWith(`${prefix}.`) && x.endsWith('/24'))).toBe(true);
    expect(new Set(cidrs).size).toBe(3);
    expect(await c.keelctl(['get', 'nodes'])).toMatch(new RegExp(`${c.nodes.get('w2')!.name}\\s+Ready`));

    const ns = 'spread';
    await createNamespace(c, ns);
    await c.keelctl(['apply', '-n', ns, '-f', '-'], { input: helloManifest(3, 'spread', spread) });
    const list = await readyPods(c, ns, 'app=hello', 3);
    expect(new Set(list.map(nodeOf))).toEqual(new Set(names));
    // Every pod reaches every other pod by its IP, across nodes.
    for (const from of list) {
      for (const to of list) {
        if (from === to) continue;
        // nc, not wget: Debian's static busybox wget segfaults without glibc's NSS modules in the image.
        const reply = await c.keelctl(['exec', '-n', ns, from.metadata!.name!, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${to.status!.podIP!} 8080`]);
        expect(reply).toMatch(/^HTTP\/1\.[01] 200/);
        expect(reply.trim().split('\n').pop()?.trim()).toBe(`spread (${to.metadata!.name!})`);
      }
    }
  });

  it('reaches a Service across nodes by its ClusterIP and by its DNS name', async () => {
    const ns = 'spread';
    const list = await readyPods(c, ns, 'app=hello', 3);
    const clusterIP = (await c.keelctl(['get', 'service', 'hello', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const client = list.find((p) => nodeOf(p) === c.nodes.get('w1')!.name)!;
    // From a pod on w1 the ClusterIP balances over the pods of every node.
    const answered = new Set<string>();
    await until('answers from all three pods through the ClusterIP', async () => {
      const reply = await c.keelctl(['exec', '-n', ns, client.metadata!.name!, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${clusterIP} 80`]);
      const m = /spread \((hello-[^)]+)\)/.exec(reply);
      if (m?.[1] !== undefined) answered.add(m[1]);
      return answered.size === 3 ? true : undefined;
    }, 60_000, 100);
    expect([...answered].sort()).toEqual(list.map((p) => p.metadata!.name!).sort());
    // The Service's DNS name resolves to the ClusterIP through the pod's cluster DNS.
    const lookup = await c.keelctl(['exec', '-n', ns, client.metadata!.name!, '--', 'nslookup', `hello.${ns}.svc.cluster.local`]);
    expect(lookup).toContain(`Address: ${clusterIP}`);
  });

  it('runs a DaemonSet pod on every node, and on a node that joins later', async () => {
    const ns = 'daemons';
    await createNamespace(c, ns);
    await c.keelctl(['apply', '-n', ns, '-f', join(REPO_ROOT, 'manifests/examples/daemonset.yaml')]);
    await rolloutStatus(c, ns, 'daemonset/node-reporter');
    const onNodes = async (): Promise<string[]> => (await readyPods(c, ns, 'app=node-reporter', c.nodes.size)).map(nodeOf).sort();
    expect(await onNodes()).toEqual([...c.nodes.values()].map((n) => n.name).sort());

    const joined = await c.addWorker();
    await until('a reporter on the new node', async () => {
      const ds = await c.getJson<DaemonSet>(['daemonset', 'node-reporter', '-n', ns]);
      return ds.status?.desiredNumberScheduled === 4 && ds.status.numberReady === 4 ? true : undefined;
    }, 120_000);
    expect(await onNodes()).toContain(joined);
    const logs = await c.keelctl(['logs', '-n', ns, (await pods(c, ns, 'app=node-reporter')).find((p) => nodeOf(p) === joined)!.metadata!.name!]);
    expect(logs).toContain(`alive on ${joined}`);
  });

  it('recreates the pods of a killed worker on the other nodes', async () => {
    const ns = 'survive';
    await createNamespace(c, ns);
    const tolerate = (d: Deployment): void => {
      spread(d);
      d.spec!.template.spec!.topologySpreadConstraints![0]!.whenUnsatisfiable = 'ScheduleAnyway';
      // Like a user who wants fast failover: leave an unreachable node after 2 s instead of the default 300 s.
      d.spec!.template.spec!.tolerations = [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
      ];
    };
    await c.keelctl(['apply', '-n', ns, '-f', '-'], { input: helloManifest(4, 'survivor', tolerate) });
    const before = await readyPods(c, ns, 'app=hello', 4);
    const victim = c.nodes.get('w1')!;
    expect(before.some((p) => nodeOf(p) === victim.name)).toBe(true);

    await c.killWorker('w1');
    await until(`${victim.name} NotReady`, async () => {
      const table = await c.keelctl(['get', 'nodes']);
      return new RegExp(`${victim.name}\\s+NotReady`).test(table) ? true : undefined;
    }, 60_000);
    const after = await until('4 ready pods on the surviving nodes', async () => {
      const live = (await pods(c, ns, 'app=hello')).filter((p) => p.metadata?.deletionTimestamp === undefined);
      return live.length === 4 && live.every((p) => isReady(p) && nodeOf(p) !== victim.name) ? live : undefined;
    }, 120_000);
    expect(after.every((p) => nodeOf(p) !== victim.name)).toBe(true);
    expect(await c.keelctl(['get', 'deployment', 'hello', '-n', ns])).toMatch(/hello\s+4\/4/);
  });

  it('completes a rollout when the control plane restarts in the middle of it, without failed requests', async () => {
    const ns = 'restart';
    await createNamespace(c, ns);
    // While the control plane is down nothing takes a terminating pod out of the endpoints (upstream alike): its
    // preStop pause must outlast the outage, not only the usual endpoint propagation (the quickstart's 5 s).
    const outlastRestart = (d: Deployment): void => {
      d.spec!.template.spec!.containers[0]!.lifecycle = { preStop: { exec: { command: ['sleep', '20'] } } };
    };
    await c.keelctl(['apply', '-n', ns, '-f', '-'], { input: helloManifest(6, 'v1', outlastRestart) });
    await rolloutStatus(c, ns, 'deployment/hello');
    const poller = new ServicePoller({ kubeconfig: c.kubeconfig, namespace: ns, service: 'hello', port: 8080 });
    await poller.start();
    let result;
    try {
      await c.keelctl(['apply', '-n', ns, '-f', '-'], { input: helloManifest(6, 'v2', outlastRestart) });
      await until('the rollout under way', async () => {
        const d = await c.getJson<Deployment>(['deployment', 'hello', '-n', ns]);
        const updated = d.status?.updatedReplicas ?? 0;
        return d.status?.observedGeneration === d.metadata?.generation && updated >= 1 && updated < 6 ? true : undefined;
      }, 60_000, 200);
      await c.restartControlPlane();
      await rolloutStatus(c, ns, 'deployment/hello');
      const now = await readyPods(c, ns, 'app=hello', 6);
      expect(now.every((p) => p.spec?.containers[0]?.env?.some((e) => e.name === 'GREETING' && e.value === 'v2'))).toBe(true);
    } finally {
      result = await poller.stop();
    }
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(new Set([...result.bodies.keys()].map(greetingOf))).toEqual(new Set(['v1', 'v2']));
  });
});
