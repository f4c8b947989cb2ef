// Deployments against a real API server with the controller-manager and a simulated node: rolling update bounds, rollback, Recreate.
import type { Deployment, Pod, ReplicaSet } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import type { RestClient } from '@keelson/client';
import { createNamespace, deploymentOf, podsIn, replicaSetsIn, rolledOut, startCluster, waitFor, type TestCluster } from '../testing/cluster';

/** Watches the pods of a namespace and keeps what every moment (every stored change) looked like. */
class PodObserver {
  private readonly pods = new Map<string, Pod>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Per observed moment: pods not being deleted, how many of them are Ready, and the images present. */
  readonly moments: { live: number; ready: number; images: Set<string>; liveImages: Set<string> }[] = [];

  constructor(private readonly client: RestClient, private readonly namespace: string) {}

  async start(): Promise<void> {
    const api = this.client.resource('v1', 'Pod').namespace(this.namespace);
    const list = await api.list();
    for (const p of list.items) this.pods.set(p.metadata?.name ?? '', p);
    this.record();
    const watch = api.watch({ resourceVersion: list.metadata.resourceVersion ?? '', signal: this.abort.signal });
    this.loop = (async () => {
      try {
        for await (const ev of watch) {
          if (ev.type === 'BOOKMARK') continue;
          const name = ev.object.metadata?.name ?? '';
          if (ev.type === 'DELETED') this.pods.delete(name);
          else this.pods.set(name, ev.object);
          this.record();
        }
      } catch {
        // Stopped.
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private record(): void {
    let live = 0;
    let ready = 0;
    const images = new Set<string>();
    const liveImages = new Set<string>();
    for (const p of this.pods.values()) {
      const image = p.spec?.containers[0]?.image ?? '';
      images.add(image);
      if (p.metadata?.deletionTimestamp !== undefined) continue;
      live++;
      liveImages.add(image);
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready++;
    }
    this.moments.push({ live, ready, images, liveImages });
  }
}

const revision = (rs: ReplicaSet): string | undefined => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'];
const imageOf = (o: Deployment | ReplicaSet | Pod): string | undefined => ('spec' in o && o.spec !== undefined && 'template' in o.spec ? o.spec.template?.spec?.containers[0]?.image : (o as Pod).spec?.containers[0]?.image);

async function setImage(client: RestClient, ns: string, name: string, image: string, cause: string): Promise<void> {
  await client
    .resource('apps/v1', 'Deployment')
    .namespace(ns)
    .patch(name, 'strategic', { metadata: { annotations: { 'kubernetes.io/change-cause': cause } }, spec: { template: { spec: { containers: [{ name: 'app', image }] } } } });
}

describe.each(testBackends())('Deployments on $name', ({ uri }) => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // Pods of a "broken" image run but never become ready.
    cluster = await startCluster(uri(), { agent: { becomesReady: (p) => !(p.spec?.containers ?? []).some((c) => c.image?.includes('broken')) } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('rolls 10 replicas to a new template without ever exceeding maxSurge or maxUnavailable', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'rolling');
    // 25% of 10: maxSurge rounds up to 3 (13 pods at most), maxUnavailable down to 2 (8 ready at least).
    await client.resource('apps/v1', 'Deployment').create(deploymentOf('web', ns, 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } }));
    await waitFor('the first rollout', () => rolledOut(client, ns, 'web'));

    const observer = new PodObserver(client, ns);
    await observer.start();
    await setImage(client, ns, 'web', 'nginx:2', 'upgrade to nginx:2');
    await waitFor('the second rollout', async () => {
      const d = await rolledOut(client, ns, 'web');
      const pods = await podsIn(client, ns);
      return d !== undefined && pods.length === 10 && pods.every((p) => imageOf(p) === 'nginx:2') ? d : undefined;
    });
    await observer.stop();

    const moments = observer.moments;
    expect(moments.length).toBeGreaterThan(20);
    expect(Math.max(...moments.map((m) => m.live))).toBeLessThanOrEqual(13);
    expect(Math.min(...moments.map((m) => m.ready))).toBeGreaterThanOrEqual(8);
    // The surge was used: the rollout did not just go one pod at a time.
    expect(Math.max(...moments.map((m) => m.live))).toBeGreaterThan(10);

    const rss = await replicaSetsIn(client, ns);
    expect(rss.map((rs) => `${imageOf(rs) ?? ''}@${revision(rs) ?? ''}=${rs.spec?.replicas ?? ''}`).sort()).toEqual(['nginx:1@1=0', 'nginx:2@2=10']);
    const newRS = rss.find((rs) => imageOf(rs) === 'nginx:2');
    expect(newRS?.metadata?.name).toBe(`web-${newRS?.metadata?.labels?.['pod-template-hash'] ?? ''}`);
    expect(newRS?.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('upgrade to nginx:2');
    const d = await client.resource('apps/v1', 'Deployment').namespace(ns).get('web');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status).toMatchObject({ replicas: 10, updatedReplicas: 10, readyReplicas: 10, availableReplicas: 10 });
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  });

  it('rolls back to an earlier revision, as kubectl rollout undo does, and through the rollback annotation', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'rollback');
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.create(deploymentOf('web', ns, 3, 'nginx:1', { revisionHistoryLimit: 5 }));
    await waitFor('revision 1', () => rolledOut(client, ns, 'web'));
    await setImage(client, ns, 'web', 'nginx:2', 'v2');
    await waitFor('revision 2', async () => ((await rolledOut(client, ns, 'web'))?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' ? true : undefined));

    // kubectl rollout undo --to-revision=1: the revision's template and annotations written into the Deployment.
    const rs1 = (await replicaSetsIn(client, ns)).find((rs) => revision(rs) === '1');
    const template = structuredClone(rs1?.spec?.template ?? {});
    delete template.metadata?.labels?.['pod-template-hash'];
    await deployments.patch('web', 'merge', { metadata: { annotations: { 'kubernetes.io/change-cause': rs1?.metadata?.annotations?.['kubernetes.io/change-cause'] ?? null } }, spec: { template } });
    const back = await waitFor('the rollback to revision 1', async () => {
      const d = await rolledOut(client, ns, 'web');
      return d?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3' ? d : undefined;
    });
    expect(imageOf(back)).toBe('nginx:1');
    const rss = await replicaSetsIn(client, ns);
    expect(rss).toHaveLength(2);
    const again = rss.find((rs) => rs.metadata?.uid === rs1?.metadata?.uid);
    expect(again?.metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(again?.spec?.replicas).toBe(3);
    expect((await podsIn(client, ns)).map(imageOf)).toEqual(['nginx:1', 'nginx:1', 'nginx:1']);

    // The annotation form (apps/v1's spec.rollbackTo), to revision 2.
    await deployments.patch('web', 'merge', { metadata: { annotations: { 'deprecated.deployment.rollback.to': '2' } } });
    const forward = await waitFor('the rollback to revision 2', async () => {
      const d = await rolledOut(client, ns, 'web');
      return d?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '4' ? d : undefined;
    });
    expect(imageOf(forward)).toBe('nginx:2');
    expect(forward.metadata?.annotations?.['deprecated.deployment.rollback.to']).toBeUndefined();
    expect(forward.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('v2');
  });

  it('Recreate stops every old pod before the first new one starts', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'recreate');
    await client.resource('apps/v1', 'Deployment').create(deploymentOf('db', ns, 3, 'postgres:15', { strategy: { type: 'Recreate' } }));
    await waitFor('the first rollout', () => rolledOut(client, ns, 'db'));
    const observer = new PodObserver(client, ns);
    await observer.start();
    await setImage(client, ns, 'db', 'postgres:16', 'major upgrade');
    await waitFor('the recreate', async () => {
      const d = await rolledOut(client, ns, 'db');
      const pods = await podsIn(client, ns);
      return d !== undefined && pods.length === 3 && pods.every((p) => imageOf(p) === 'postgres:16') ? d : undefined;
    });
    await observer.stop();
    // At no moment did an old pod (even one terminating) and a new pod exist together.
    expect(observer.moments.filter((m) => m.images.has('postgres:15') && m.images.has('postgres:16'))).toEqual([]);
    expect(observer.moments.some((m) => m.live === 0)).toBe(true);
  });

  it('reports ProgressDeadlineExceeded when new pods never become ready', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'stuck');
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    await deployments.create(deploymentOf('web', ns, 2, 'nginx:1', { progressDeadlineSeconds: 2 }));
    await waitFor('the first rollout', () => rolledOut(client, ns, 'web'));
    await setImage(client, ns, 'web', 'nginx:broken', 'bad');
    const d = await waitFor('the deadline to pass', async () => {
      const x = await deployments.get('web');
      return x.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') === true ? x : undefined;
    });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('False');
    // Old pods still serve: availability was never given up for the broken template.
    expect(d.status?.availableReplicas).toBeGreaterThanOrEqual(1);
  });
});
