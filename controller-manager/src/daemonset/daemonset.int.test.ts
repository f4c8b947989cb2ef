// DaemonSets against a real API server: pods on untainted Nodes only, following Nodes joining and leaving, rolling one node at a time.
import type { DaemonSet, Node, Pod } from '@keelson/api';
import { startTestServer, testBackends, type TestServer } from '@keelson/apiserver';
import { SharedInformerFactory, type RestClient } from '@keelson/client';
import { run, type RunningControllerManager } from '../manager';
import { clientFor, createNamespace, podsIn, testLogger, waitFor } from '../testing/cluster';
import { MultiNodeAgent } from './nodeagent';
import { targetNodeName } from './predicates';

// sqlite only: Nodes are cluster-wide, and on the shared etcd another test's controller-manager would run its own DaemonSet controller over them.
const [sqlite] = testBackends();

function nodeOf(name: string, taint?: boolean): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: taint ? { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } : {} };
}

function daemonSetOf(namespace: string, image: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    },
  };
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** The DaemonSet is observed, with `n` nodes desired and every one running an updated, available pod. */
async function settled(client: RestClient, ns: string, n: number): Promise<DaemonSet | undefined> {
  const ds = await client.resource('apps/v1', 'DaemonSet').namespace(ns).get('agent');
  const s = ds.status;
  const ok = (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) && s?.desiredNumberScheduled === n && s.currentNumberScheduled === n && s.updatedNumberScheduled === n && s.numberAvailable === n && s.numberMisscheduled === 0;
  if (!ok) return undefined;
  const live = (await podsIn(client, ns)).filter((p) => p.metadata?.deletionTimestamp === undefined);
  return live.length === n ? ds : undefined;
}

describe('DaemonSets on sqlite', () => {
  let server: TestServer;
  let client: RestClient;
  let manager: RunningControllerManager;
  let agent: MultiNodeAgent;
  let ns: string;
  const abort = new AbortController();

  beforeAll(async () => {
    const storage = sqlite!.uri();
    server = await startTestServer(storage.uri, storage.cleanup);
    client = clientFor(server.url);
    manager = run({ client: clientFor(server.url), port: 0, logger: testLogger(), controllers: ['daemonset'] }, abort.signal);
    await manager.started;
    ns = await createNamespace(client, 'ds');
    agent = new MultiNodeAgent(client, { namespace: ns, startDelayMs: 100 });
    await agent.start();
    for (const n of [nodeOf('node-a'), nodeOf('node-b'), nodeOf('node-tainted', true)]) await client.resource('v1', 'Node').create(n);
  });

  afterAll(async () => {
    await agent?.stop();
    abort.abort();
    await manager?.done.catch(() => undefined);
    client?.close();
    await server?.stop();
  });

  it('runs one pod on each untainted node, placed by node affinity', async () => {
    await client.resource('apps/v1', 'DaemonSet').create(daemonSetOf(ns, 'agent:1'));
    const ds = await waitFor('the DaemonSet on two nodes', () => settled(client, ns, 2));
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, numberReady: 2, numberUnavailable: 0, observedGeneration: 1 });
    const pods = await podsIn(client, ns);
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(['node-a', 'node-b']);
    for (const p of pods) expect(targetNodeName({ spec: { ...p.spec!, nodeName: '' } })).toBe(p.spec?.nodeName);
    const revisions = (await client.resource('apps/v1', 'ControllerRevision').namespace(ns).list()).items;
    expect(revisions.map((r) => r.revision)).toEqual([1]);
    expect(pods.every((p) => p.metadata?.labels?.['controller-revision-hash'] === revisions[0]?.metadata?.labels?.['controller-revision-hash'])).toBe(true);
  });

  it('adds a pod when a node joins', async () => {
    await client.resource('v1', 'Node').create(nodeOf('node-c'));
    await waitFor('a pod on the new node', () => settled(client, ns, 3));
    expect((await podsIn(client, ns)).map((p) => p.spec?.nodeName).sort()).toEqual(['node-a', 'node-b', 'node-c']);
  });

  it('rolls a template change one node at a time', async () => {
    // Watch every stored change of the pods: at no point may two desired nodes lack a ready pod.
    const factory = new SharedInformerFactory(client, { namespace: ns });
    const informer = factory.forKind('v1', 'Pod');
    let worst = 0;
    let states = 0;
    const check = (): void => {
      const live = informer.lister.list().filter((p) => p.metadata?.deletionTimestamp === undefined && isReady(p));
      const covered = new Set(live.map((p) => p.spec?.nodeName));
      const unavailable = ['node-a', 'node-b', 'node-c'].filter((n) => !covered.has(n)).length;
      worst = Math.max(worst, unavailable);
      states++;
    };
    informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    const stop = new AbortController();
    factory.start(stop.signal);
    try {
      await factory.waitForCacheSync(stop.signal);
      const api = client.resource('apps/v1', 'DaemonSet').namespace(ns);
      const ds = await api.get('agent');
      ds.spec!.template.spec!.containers[0]!.image = 'agent:2';
      await api.update(ds);
      const done = await waitFor('the rollout', () => settled(client, ns, 3));
      expect(done.status?.observedGeneration).toBe(2);
      const pods = await podsIn(client, ns);
      expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(['agent:2', 'agent:2', 'agent:2']);
      // Each node was without a ready pod once, never two at a time.
      expect(worst).toBe(1);
      expect(states).toBeGreaterThan(9);
      const revisions = (await client.resource('apps/v1', 'ControllerRevision').namespace(ns).list()).items;
      expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    } finally {
      stop.abort();
      await factory.shutdown();
    }
  });

  it('removes the pod of a node that leaves', async () => {
    await client.resource('v1', 'Node').delete('node-c');
    await waitFor('the pod of the deleted node to go', () => settled(client, ns, 2));
    expect((await podsIn(client, ns)).map((p) => p.spec?.nodeName).sort()).toEqual(['node-a', 'node-b']);
  });
});
