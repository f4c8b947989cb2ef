// StatefulSets against a real API server with a simulated node: ordered scale-up and reverse scale-down seen through a watch, claims kept, rolling update from the top.
import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import type { RestClient } from '@keelson/client';
import { createNamespace, podsIn, startCluster, waitFor, type TestCluster } from '../testing/cluster';

/** One stored change of a pod, as a watch delivers it. */
interface PodEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  ready: boolean;
  deleting: boolean;
  image: string;
}

/** Watches the pods of a namespace and keeps every change in order. */
class PodEvents {
  readonly events: PodEvent[] = [];
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly client: RestClient, private readonly namespace: string) {}

  async start(): Promise<void> {
    const api = this.client.resource('v1', 'Pod').namespace(this.namespace);
    const list = await api.list();
    const watch = api.watch({ resourceVersion: list.metadata.resourceVersion ?? '', signal: this.abort.signal });
    this.loop = (async () => {
      try {
        for await (const ev of watch) {
          if (ev.type === 'BOOKMARK') continue;
          const p = ev.object;
          this.events.push({
            type: ev.type,
            name: p.metadata?.name ?? '',
            ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
            deleting: p.metadata?.deletionTimestamp !== undefined,
            image: p.spec?.containers[0]?.image ?? '',
          });
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

  /** Index of the first event matching, −1 if none. */
  first(match: (e: PodEvent) => boolean): number {
    return this.events.findIndex(match);
  }
}

function statefulSetOf(name: string, namespace: string, replicas: number, image: string): StatefulSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

/** The set once its status says `replicas` pods, all Ready and at one revision, for the current generation. */
async function settled(client: RestClient, ns: string, name: string, replicas: number): Promise<StatefulSet | undefined> {
  const s = await client.resource('apps/v1', 'StatefulSet').namespace(ns).get(name);
  const st = s.status;
  const ok =
    (st?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 1) &&
    st?.replicas === replicas &&
    st.readyReplicas === replicas &&
    st.updatedReplicas === replicas &&
    st.currentRevision === st.updateRevision;
  if (!ok) return undefined;
  const pods = (await podsIn(client, ns)).filter((p) => p.metadata?.deletionTimestamp === undefined);
  return pods.length === replicas ? s : undefined;
}

const names = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();

/** Namespaced names of the pods the agent already failed. */
const failedOnce = new Set<string>();

describe.each(testBackends())('StatefulSets on $name', ({ uri }) => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // The first incarnation of flaky-1 fails once Running; everything else keeps running.
    cluster = await startCluster(uri(), {
      manager: { controllers: ['statefulset', 'garbagecollector'] },
      agent: {
        outcome: (p) => {
          const n = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
          if (p.metadata?.name !== 'flaky-1' || failedOnce.has(n)) return undefined;
          failedOnce.add(n);
          return 'Failed';
        },
      },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('scales up in order, each pod after its predecessor is Ready, and down in reverse, keeping claims', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'sts-scale');
    const watch = new PodEvents(client, ns);
    await watch.start();
    try {
      await client.resource('apps/v1', 'StatefulSet').create(statefulSetOf('web', ns, 3, 'nginx:1'));
      await waitFor('3 ready replicas', () => settled(client, ns, 'web', 3));

      const ready = (n: string) => watch.first((e) => e.name === n && e.ready);
      const added = (n: string) => watch.first((e) => e.name === n && e.type === 'ADDED');
      expect(added('web-0')).toBeGreaterThanOrEqual(0);
      expect(ready('web-0')).toBeGreaterThan(added('web-0'));
      expect(added('web-1')).toBeGreaterThan(ready('web-0'));
      expect(added('web-2')).toBeGreaterThan(ready('web-1'));

      const pods = await podsIn(client, ns);
      expect(names(pods)).toEqual(['web-0', 'web-1', 'web-2']);
      for (const p of pods) {
        const n = p.metadata?.name ?? '';
        expect(p.spec?.hostname).toBe(n);
        expect(p.spec?.subdomain).toBe('web');
        expect(p.metadata?.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': n, 'apps.kubernetes.io/pod-index': n.slice(4) });
        expect(p.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe(`data-${n}`);
      }
      const claimsApi = client.resource('v1', 'PersistentVolumeClaim').namespace(ns);
      const claimNames = async (): Promise<string[]> => (await claimsApi.list()).items.map((c: PersistentVolumeClaim) => c.metadata?.name ?? '').sort();
      expect(await claimNames()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
      const claimUids = new Map((await claimsApi.list()).items.map((c) => [c.metadata?.name, c.metadata?.uid]));

      const mark = watch.events.length;
      await client.resource('apps/v1', 'StatefulSet').namespace(ns).patch('web', 'merge', { spec: { replicas: 1 } });
      await waitFor('1 ready replica', () => settled(client, ns, 'web', 1));
      await waitFor('web-1 and web-2 gone', async () => names(await podsIn(client, ns)).join() === 'web-0');

      const after = watch.events.slice(mark);
      const idx = (m: (e: PodEvent) => boolean): number => after.findIndex(m);
      const web2Deleting = idx((e) => e.name === 'web-2' && (e.deleting || e.type === 'DELETED'));
      const web2Gone = idx((e) => e.name === 'web-2' && e.type === 'DELETED');
      const web1Deleting = idx((e) => e.name === 'web-1' && (e.deleting || e.type === 'DELETED'));
      expect(web2Deleting).toBeGreaterThanOrEqual(0);
      // web-1 goes only once web-2 is completely gone.
      expect(web1Deleting).toBeGreaterThan(web2Gone);
      expect(after.some((e) => e.name === 'web-0' && (e.deleting || e.type === 'DELETED'))).toBe(false);

      // The claims outlive their pods (whenScaled: Retain), and are the very same objects.
      expect(await claimNames()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
      for (const c of (await claimsApi.list()).items) expect(c.metadata?.uid).toBe(claimUids.get(c.metadata?.name));

      // Scaling up again reuses web-1's claim instead of making a new one.
      await client.resource('apps/v1', 'StatefulSet').namespace(ns).patch('web', 'merge', { spec: { replicas: 2 } });
      await waitFor('2 ready replicas', () => settled(client, ns, 'web', 2));
      expect((await claimsApi.get('data-web-1')).metadata?.uid).toBe(claimUids.get('data-web-1'));
    } finally {
      await watch.stop();
    }
  });

  it('rolls a new template out from the highest ordinal down, one pod at a time', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'sts-roll');
    const sets = client.resource('apps/v1', 'StatefulSet').namespace(ns);
    await client.resource('apps/v1', 'StatefulSet').create(statefulSetOf('db', ns, 3, 'nginx:1'));
    const before = await waitFor('3 ready replicas', () => settled(client, ns, 'db', 3));

    const watch = new PodEvents(client, ns);
    await watch.start();
    try {
      await sets.patch('db', 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } });
      const after = await waitFor('the rollout', async () => {
        const s = await settled(client, ns, 'db', 3);
        const pods = await podsIn(client, ns);
        return s !== undefined && pods.every((p) => p.spec?.containers[0]?.image === 'nginx:2') ? s : undefined;
      });

      // Deletions for the update, in order of their first sign: db-2, then db-1, then db-0.
      const firstDeletion = (n: string) => watch.first((e) => e.name === n && (e.deleting || e.type === 'DELETED'));
      const d2 = firstDeletion('db-2');
      const d1 = firstDeletion('db-1');
      const d0 = firstDeletion('db-0');
      expect(d2).toBeGreaterThanOrEqual(0);
      expect(d1).toBeGreaterThan(d2);
      expect(d0).toBeGreaterThan(d1);
      // Each is replaced, at the new image and Ready, before the next one down goes.
      expect(watch.first((e) => e.name === 'db-2' && e.image === 'nginx:2' && e.ready)).toBeLessThan(d1);
      expect(watch.first((e) => e.name === 'db-1' && e.image === 'nginx:2' && e.ready)).toBeLessThan(d0);

      expect(after.status?.updateRevision).not.toBe(before.status?.updateRevision);
      expect(after.status).toMatchObject({ currentRevision: after.status?.updateRevision, currentReplicas: 3, updatedReplicas: 3, readyReplicas: 3 });
      const revisions: ControllerRevision[] = (await client.resource('apps/v1', 'ControllerRevision').namespace(ns).list()).items;
      expect(revisions.map((r) => `${r.metadata?.name ?? ''}@${r.revision}`).sort()).toEqual([`${before.status?.updateRevision ?? ''}@1`, `${after.status?.updateRevision ?? ''}@2`].sort());
      for (const p of await podsIn(client, ns)) expect(p.metadata?.labels?.['controller-revision-hash']).toBe(after.status?.updateRevision);
    } finally {
      await watch.stop();
    }
  });

  it('replaces a failed pod under the same name and claim; deleting the set takes its pods but keeps the claims', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'sts-fail');
    const watch = new PodEvents(client, ns);
    await watch.start();
    try {
      await client.resource('apps/v1', 'StatefulSet').create(statefulSetOf('flaky', ns, 2, 'nginx:1'));
      const remade = (): number => watch.events.filter((e) => e.name === 'flaky-1' && e.type === 'ADDED').length;
      const claimsApi = client.resource('v1', 'PersistentVolumeClaim').namespace(ns);
      // The claim exists before its first pod does.
      await waitFor('the first flaky-1', async () => remade() >= 1);
      const claimUid = (await claimsApi.get('data-flaky-1')).metadata?.uid;
      // flaky-1 is ADDED a second time: the failed one was deleted and a new one made.
      await waitFor('flaky-1 remade and 2 ready replicas', async () => remade() === 2 && (await settled(client, ns, 'flaky', 2)));
      expect(watch.first((e) => e.name === 'flaky-1' && e.type === 'DELETED')).toBeGreaterThan(0);
      expect(remade()).toBe(2);
      // The new pod mounts the same claim object.
      expect((await claimsApi.get('data-flaky-1')).metadata?.uid).toBe(claimUid);

      await client.resource('apps/v1', 'StatefulSet').namespace(ns).delete('flaky');
      await waitFor('the pods to go with their set', async () => (await podsIn(client, ns)).length === 0);
      expect((await claimsApi.list()).items.map((c) => c.metadata?.name ?? '').sort()).toEqual(['data-flaky-0', 'data-flaky-1']);
    } finally {
      await watch.stop();
    }
  });
});
