// StatefulSet reconcile over fake caches: ordered and parallel scaling, claims, rolling updates with partition, OnDelete, revision history.
import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { newControllerRevision } from '../common/history';
import { timestamp } from '../common/time';
import { t0 } from '../testing/builders';
import { FakeApi, fakeInformers, seed, type Action } from '../testing/fakeapi';
import { quietLogger } from '../testing/fixtures';
import { StatefulSetController } from './controller';
import { newVersionedStatefulSetPod, podIndexLabel, podNameLabel, revisionData, statefulSetRevisionLabel } from './identity';
import { revisionParent } from './revisions';

const key = 'default/web';

function fixture() {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const statefulSets = factory.forKind('apps/v1', 'StatefulSet');
  const pods = factory.forKind('v1', 'Pod');
  const claims = factory.forKind('v1', 'PersistentVolumeClaim');
  const revisions = factory.forKind('apps/v1', 'ControllerRevision');
  const recorder = new FakeEventRecorder();
  const c = new StatefulSetController({ client: api.client, statefulSets, pods, claims, revisions, recorder, logger: quietLogger, clock: api.clock });
  const delayed: { key: string; delayMs: number }[] = [];
  // Record delayed requeues instead of running them.
  const addAfter = c.queue.addAfter.bind(c.queue);
  c.queue.addAfter = (k: string, ms: number): void => {
    delayed.push({ key: k, delayMs: ms });
    void addAfter;
  };
  return {
    api,
    c,
    recorder,
    delayed,
    sets: (...o: StatefulSet[]) => (seed(statefulSets, ...o), api.seed(...o)),
    pods: (...o: Pod[]) => (seed(pods, ...o), api.seed(...o)),
    claims: (...o: PersistentVolumeClaim[]) => (seed(claims, ...o), api.seed(...o)),
    revisions: (...o: ControllerRevision[]) => (seed(revisions, ...o), api.seed(...o)),
  };
}
type Fixture = ReturnType<typeof fixture>;

interface SetOptions {
  image?: string;
  policy?: 'OrderedReady' | 'Parallel';
  strategy?: 'RollingUpdate' | 'OnDelete';
  partition?: number;
  minReadySeconds?: number;
  claims?: string[];
  whenScaled?: 'Retain' | 'Delete';
  revisionHistoryLimit?: number;
  status?: Partial<NonNullable<StatefulSet['status']>>;
}

function statefulSet(replicas: number, o: SetOptions = {}): StatefulSet {
  const labels = { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', resourceVersion: '5', generation: 2 },
    spec: {
      replicas,
      serviceName: 'web-svc',
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      podManagementPolicy: o.policy ?? 'OrderedReady',
      updateStrategy: (o.strategy ?? 'RollingUpdate') === 'RollingUpdate' ? { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } } : { type: 'OnDelete' },
      minReadySeconds: o.minReadySeconds ?? 0,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: o.whenScaled ?? 'Retain' },
      volumeClaimTemplates: (o.claims ?? []).map((name) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })),
    },
    status: { replicas: 0, ...o.status },
  };
}

/** The revision the controller would store for `set`'s template. */
function revisionOf(set: StatefulSet, revision = 1, created = t0 - 3600_000): ControllerRevision {
  const r = newControllerRevision(revisionParent(set), revisionData(set), revision, 0, set.spec?.template.metadata?.labels ?? {});
  return { ...r, metadata: { ...r.metadata, uid: `uid-${r.metadata?.name ?? ''}`, creationTimestamp: timestamp(created) } };
}

type PodState = 'Pending' | 'Running' | 'Ready' | 'Failed' | 'Terminating';

/** Pod `ordinal` of `set` as the controller made it from `revision`, in `state`. */
function setPod(set: StatefulSet, ordinal: number, revision: ControllerRevision, state: PodState = 'Ready', readyAgoMs = 600_000): Pod {
  const name = revision.metadata?.name ?? '';
  const p = newVersionedStatefulSetPod(set, set, name, name, ordinal);
  const ready = state === 'Ready' || state === 'Terminating';
  const phase = state === 'Ready' || state === 'Terminating' ? 'Running' : state;
  return {
    ...p,
    metadata: {
      ...p.metadata,
      labels: { ...p.metadata?.labels, [statefulSetRevisionLabel]: name },
      uid: `uid-web-${ordinal}-${name}`,
      resourceVersion: '7',
      creationTimestamp: timestamp(t0 - 3600_000),
      ...(state === 'Terminating' ? { deletionTimestamp: timestamp(t0) } : {}),
    },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: timestamp(t0 - readyAgoMs) }] },
  };
}

const podWrites = (f: Fixture): string[] => f.api.summary().filter((s) => s.includes(' pods'));
const created = (f: Fixture, resource = 'pods'): Action[] => f.api.writes().filter((a) => a.verb === 'create' && a.resource === resource);
const lastStatus = (f: Fixture): NonNullable<StatefulSet['status']> => (f.api.writes().filter((a) => a.resource === 'statefulsets/status').at(-1)!.body as StatefulSet).status!;

describe('StatefulSet scaling, OrderedReady', () => {
  it('creates a revision and then only pod 0, with its stable identity', async () => {
    const f = fixture();
    const set = statefulSet(3);
    f.sets(set);
    await f.c.sync(key);
    const rev = revisionOf(set);
    expect(created(f, 'controllerrevisions').map((a) => (a.body as ControllerRevision).metadata?.name)).toEqual([rev.metadata?.name]);
    const pods = created(f).map((a) => a.body as Pod);
    expect(pods.map((p) => p.metadata?.name)).toEqual(['web-0']);
    const p = pods[0]!;
    expect(p.spec?.hostname).toBe('web-0');
    expect(p.spec?.subdomain).toBe('web-svc');
    expect(p.metadata?.labels).toEqual({ app: 'web', [podNameLabel]: 'web-0', [podIndexLabel]: '0', [statefulSetRevisionLabel]: rev.metadata?.name });
    expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(lastStatus(f)).toMatchObject({ replicas: 0, currentRevision: rev.metadata?.name, updateRevision: rev.metadata?.name, observedGeneration: 2, collisionCount: 0 });
    expect(f.recorder.events).toContain('Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful');
  });

  it('does not create again while the creation is not yet in its cache (expectations)', async () => {
    const f = fixture();
    const set = statefulSet(3);
    f.sets(set);
    f.revisions(revisionOf(set));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual(['create pods']);
    f.api.clearActions();
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
    // The pod appears in the cache: the next pod may be considered (it is not Ready yet, so nothing happens).
    f.c.onPodAdd(setPod(set, 0, revisionOf(set), 'Pending'));
    expect(f.c.expectations.satisfied(key)).toBe(true);
  });

  it('waits for pod 0 to be Running and Ready before creating pod 1', async () => {
    const f = fixture();
    const set = statefulSet(3);
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    f.pods(setPod(set, 0, rev, 'Running'));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
    expect(lastStatus(f)).toMatchObject({ replicas: 1, readyReplicas: 0, currentReplicas: 1, updatedReplicas: 1 });

    const g = fixture();
    g.sets(set);
    g.revisions(rev);
    g.pods(setPod(set, 0, rev, 'Ready'));
    await g.c.sync(key);
    expect(created(g).map((a) => (a.body as Pod).metadata?.name)).toEqual(['web-1']);
  });

  it('waits minReadySeconds after Ready, and looks again then', async () => {
    const f = fixture();
    const set = statefulSet(2, { minReadySeconds: 30 });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    f.pods(setPod(set, 0, rev, 'Ready', 10_000));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
    expect(lastStatus(f)).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    expect(f.delayed).toEqual([{ key, delayMs: 30_000 }]);

    const g = fixture();
    g.sets(set);
    g.revisions(rev);
    g.pods(setPod(set, 0, rev, 'Ready', 40_000));
    await g.c.sync(key);
    expect(created(g).map((a) => (a.body as Pod).metadata?.name)).toEqual(['web-1']);
  });

  it('deletes the highest ordinal first, one at a time, waiting for it to terminate', async () => {
    const f = fixture();
    const set = statefulSet(1, { status: { replicas: 3 } });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    f.pods(setPod(set, 0, rev), setPod(set, 1, rev), setPod(set, 2, rev));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual(['delete pods default/web-2']);

    const g = fixture();
    g.sets(set);
    g.revisions(rev);
    g.pods(setPod(set, 0, rev), setPod(set, 1, rev), setPod(set, 2, rev, 'Terminating'));
    await g.c.sync(key);
    expect(podWrites(g)).toEqual([]);
  });

  it('makes no progress while a replica is unhealthy', async () => {
    const f = fixture();
    const set = statefulSet(1);
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    f.pods(setPod(set, 0, rev, 'Running'), setPod(set, 1, rev), setPod(set, 2, rev));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
  });

  it('deletes a failed pod (to recreate it) and records why', async () => {
    const f = fixture();
    const set = statefulSet(2);
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    f.pods(setPod(set, 0, rev), setPod(set, 1, rev, 'Failed'));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual(['delete pods default/web-1']);
    expect(f.recorder.events).toContain('Warning RecreatingFailedPod StatefulSet default/web is recreating failed Pod web-1');
  });
});

describe('StatefulSet scaling, Parallel', () => {
  it('creates every missing pod in one pass and deletes every condemned pod in one pass', async () => {
    const f = fixture();
    const set = statefulSet(3, { policy: 'Parallel' });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    await f.c.sync(key);
    expect(created(f).map((a) => (a.body as Pod).metadata?.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);

    const g = fixture();
    const small = statefulSet(1, { policy: 'Parallel' });
    g.sets(small);
    g.revisions(rev);
    g.pods(setPod(small, 0, rev, 'Running'), setPod(small, 1, rev, 'Pending'), setPod(small, 2, rev));
    await g.c.sync(key);
    expect(podWrites(g).sort()).toEqual(['delete pods default/web-1', 'delete pods default/web-2']);
  });
});

describe('StatefulSet claims', () => {
  it('creates each claim <template>-<set>-<ordinal> before the pod, which mounts it', async () => {
    const f = fixture();
    const set = statefulSet(1, { claims: ['data'] });
    f.sets(set);
    f.revisions(revisionOf(set));
    await f.c.sync(key);
    expect(f.api.summary().filter((s) => s.startsWith('create'))).toEqual(['create persistentvolumeclaims', 'create pods']);
    const claim = created(f, 'persistentvolumeclaims')[0]!.body as PersistentVolumeClaim;
    expect(claim.metadata).toMatchObject({ name: 'data-web-0', namespace: 'default', labels: { app: 'web' } });
    expect(claim.metadata?.ownerReferences).toBeUndefined();
    const p = created(f)[0]!.body as Pod;
    expect(p.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
  });

  it('keeps claims on scale-down (Retain), and does not make them again for an existing claim', async () => {
    const f = fixture();
    const set = statefulSet(1, { claims: ['data'] });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    const claim = (o: number): PersistentVolumeClaim => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-web-${o}`, namespace: 'default', uid: `uid-data-${o}`, labels: { app: 'web' } }, spec: {} });
    f.claims(claim(0), claim(1));
    f.pods(setPod(set, 0, rev), setPod(set, 1, rev));
    await f.c.sync(key);
    expect(f.api.summary().filter((s) => !s.includes('status'))).toEqual(['delete pods default/web-1']);
  });

  it('whenScaled Delete: a condemned pod takes its claim along (the pod becomes its owner before it goes)', async () => {
    const f = fixture();
    const set = statefulSet(1, { claims: ['data'], whenScaled: 'Delete' });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    const claim1: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-web-1', namespace: 'default', uid: 'uid-data-1', resourceVersion: '3' }, spec: {} };
    const claim0: PersistentVolumeClaim = { ...claim1, metadata: { ...claim1.metadata, name: 'data-web-0', uid: 'uid-data-0' } };
    f.claims(claim0, claim1);
    const web1 = setPod(set, 1, rev);
    f.pods(setPod(set, 0, rev), web1);
    await f.c.sync(key);
    expect(f.api.summary().filter((s) => !s.includes('status'))).toEqual(['update persistentvolumeclaims default/data-web-1', 'delete pods default/web-1']);
    const updated = f.api.writes()[0]!.body as PersistentVolumeClaim;
    expect(updated.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: web1.metadata?.uid }]);
  });
});

describe('StatefulSet identity and retention', () => {
  it('repairs a pod that lost its identity label', async () => {
    const f = fixture();
    const set = statefulSet(1);
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    const p = setPod(set, 0, rev);
    const { [podNameLabel]: _dropped, ...labels } = p.metadata?.labels ?? {};
    f.pods({ ...p, metadata: { ...p.metadata, labels } });
    await f.c.sync(key);
    expect(podWrites(f)).toEqual(['update pods default/web-0']);
    const updated = f.api.writes().find((a) => a.resource === 'pods')!.body as Pod;
    expect(updated.metadata?.labels?.[podNameLabel]).toBe('web-0');
  });

  it('whenDeleted Delete: claims are made owned by the set, so they go with it', async () => {
    const f = fixture();
    const set = statefulSet(1, { claims: ['data'] });
    const policy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
    const withPolicy: StatefulSet = { ...set, spec: { ...set.spec!, persistentVolumeClaimRetentionPolicy: policy } };
    f.sets(withPolicy);
    f.revisions(revisionOf(withPolicy));
    await f.c.sync(key);
    const claim = created(f, 'persistentvolumeclaims')[0]!.body as PersistentVolumeClaim;
    expect(claim.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web' }]);
  });

  it('whenScaled Delete: does not make a pod while its claim still belongs to the pod it replaced', async () => {
    const f = fixture();
    const set = statefulSet(2, { claims: ['data'], whenScaled: 'Delete' });
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    const claim = (o: number, owners: PersistentVolumeClaim['metadata'] = {}): PersistentVolumeClaim => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-web-${o}`, namespace: 'default', uid: `uid-data-${o}`, ...owners }, spec: {} });
    f.claims(claim(0), claim(1, { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'uid-old-web-1' }] }));
    f.pods(setPod(set, 0, rev));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
  });

  it('only writes status while the set is being deleted', async () => {
    const f = fixture();
    const set = statefulSet(3);
    f.sets({ ...set, metadata: { ...set.metadata, deletionTimestamp: timestamp(t0) } });
    f.revisions(revisionOf(set));
    await f.c.sync(key);
    expect(f.api.summary()).toEqual(['update statefulsets/status default/web']);
  });
});

describe('StatefulSet updates', () => {
  it('RollingUpdate: a new revision, then the highest ordinal is replaced first', async () => {
    const f = fixture();
    const old = statefulSet(3);
    const rev1 = revisionOf(old);
    const set = statefulSet(3, { image: 'nginx:2', status: { replicas: 3, currentRevision: rev1.metadata?.name ?? '' } });
    f.sets(set);
    f.revisions(rev1);
    f.pods(setPod(old, 0, rev1), setPod(old, 1, rev1), setPod(old, 2, rev1));
    await f.c.sync(key);
    const rev2 = revisionOf(set, 2);
    expect(created(f, 'controllerrevisions').map((a) => (a.body as ControllerRevision).metadata?.name)).toEqual([rev2.metadata?.name]);
    expect((created(f, 'controllerrevisions')[0]!.body as ControllerRevision).revision).toBe(2);
    expect(podWrites(f)).toEqual(['delete pods default/web-2']);
    expect(lastStatus(f)).toMatchObject({ currentRevision: rev1.metadata?.name, updateRevision: rev2.metadata?.name, currentReplicas: 2, updatedReplicas: 0 });
  });

  it('RollingUpdate: a missing pod at or above the partition is made at the update revision', async () => {
    const f = fixture();
    const old = statefulSet(3);
    const rev1 = revisionOf(old);
    const set = statefulSet(3, { image: 'nginx:2', status: { replicas: 2, currentRevision: rev1.metadata?.name ?? '' } });
    const rev2 = revisionOf(set, 2);
    f.sets(set);
    f.revisions(rev1, rev2);
    f.pods(setPod(old, 0, rev1), setPod(old, 1, rev1));
    await f.c.sync(key);
    const p = created(f)[0]!.body as Pod;
    expect(p.metadata?.name).toBe('web-2');
    expect(p.metadata?.labels?.[statefulSetRevisionLabel]).toBe(rev2.metadata?.name);
    expect(p.spec?.containers[0]?.image).toBe('nginx:2');
  });

  it('RollingUpdate: waits for the updated pod to be Ready, then replaces the next one down', async () => {
    const old = statefulSet(3);
    const rev1 = revisionOf(old);
    const set = statefulSet(3, { image: 'nginx:2', status: { replicas: 3, currentRevision: rev1.metadata?.name ?? '' } });
    const rev2 = revisionOf(set, 2);
    const run = async (web2: PodState): Promise<string[]> => {
      const f = fixture();
      f.sets(set);
      f.revisions(rev1, rev2);
      f.pods(setPod(old, 0, rev1), setPod(old, 1, rev1), setPod(set, 2, rev2, web2));
      await f.c.sync(key);
      return podWrites(f);
    };
    expect(await run('Running')).toEqual([]);
    expect(await run('Ready')).toEqual(['delete pods default/web-1']);
  });

  it('RollingUpdate with partition: ordinals below the partition keep the current revision', async () => {
    const f = fixture();
    const old = statefulSet(3);
    const rev1 = revisionOf(old);
    const set = statefulSet(3, { image: 'nginx:2', partition: 2, status: { replicas: 3, currentRevision: rev1.metadata?.name ?? '' } });
    const rev2 = revisionOf(set, 2);
    f.sets(set);
    f.revisions(rev1, rev2);
    f.pods(setPod(old, 0, rev1), setPod(old, 1, rev1), setPod(set, 2, rev2));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);
    expect(lastStatus(f)).toMatchObject({ currentRevision: rev1.metadata?.name, currentReplicas: 2, updatedReplicas: 1 });

    // A pod below the partition that goes missing comes back at the current revision.
    const g = fixture();
    g.sets(set);
    g.revisions(rev1, rev2);
    g.pods(setPod(old, 0, rev1), setPod(set, 2, rev2));
    await g.c.sync(key);
    const p = created(g)[0]!.body as Pod;
    expect(p.metadata?.name).toBe('web-1');
    expect(p.metadata?.labels?.[statefulSetRevisionLabel]).toBe(rev1.metadata?.name);
    expect(p.spec?.containers[0]?.image).toBe('nginx:1');
  });

  it('completes the rollout: every pod updated and Ready makes the update revision current', async () => {
    const f = fixture();
    const old = statefulSet(2);
    const rev1 = revisionOf(old);
    const set = statefulSet(2, { image: 'nginx:2', status: { replicas: 2, currentRevision: rev1.metadata?.name ?? '' } });
    const rev2 = revisionOf(set, 2);
    f.sets(set);
    f.revisions(rev1, rev2);
    f.pods(setPod(set, 0, rev2), setPod(set, 1, rev2));
    await f.c.sync(key);
    expect(lastStatus(f)).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: rev2.metadata?.name, updateRevision: rev2.metadata?.name });
  });

  it('OnDelete: pods are not replaced; a deleted one comes back at the update revision', async () => {
    const f = fixture();
    const old = statefulSet(2, { strategy: 'OnDelete' });
    const rev1 = revisionOf(old);
    const set = statefulSet(2, { strategy: 'OnDelete', image: 'nginx:2', status: { replicas: 2, currentRevision: rev1.metadata?.name ?? '' } });
    const rev2 = revisionOf(set, 2);
    f.sets(set);
    f.revisions(rev1, rev2);
    f.pods(setPod(old, 0, rev1), setPod(old, 1, rev1));
    await f.c.sync(key);
    expect(podWrites(f)).toEqual([]);

    const g = fixture();
    g.sets(set);
    g.revisions(rev1, rev2);
    g.pods(setPod(old, 0, rev1));
    await g.c.sync(key);
    const p = created(g)[0]!.body as Pod;
    expect(p.metadata?.name).toBe('web-1');
    expect(p.metadata?.labels?.[statefulSetRevisionLabel]).toBe(rev2.metadata?.name);
  });
});

describe('StatefulSet revision history', () => {
  it('rolls back by renumbering the equal older revision instead of creating one', async () => {
    const f = fixture();
    const v1 = statefulSet(1);
    const v2 = statefulSet(1, { image: 'nginx:2' });
    const rev1 = revisionOf(v1, 1);
    const rev2 = revisionOf(v2, 2);
    const set = statefulSet(1, { status: { replicas: 1, currentRevision: rev2.metadata?.name ?? '' } });
    f.sets(set);
    f.revisions(rev1, rev2);
    f.pods(setPod(v2, 0, rev2));
    await f.c.sync(key);
    expect(created(f, 'controllerrevisions')).toEqual([]);
    const update = f.api.writes().find((a) => a.verb === 'update' && a.resource === 'controllerrevisions');
    expect(update?.name).toBe(rev1.metadata?.name);
    expect((update?.body as ControllerRevision).revision).toBe(3);
    expect(podWrites(f)).toEqual(['delete pods default/web-0']);
    expect(lastStatus(f)).toMatchObject({ updateRevision: rev1.metadata?.name, currentRevision: rev2.metadata?.name });
  });

  it('deletes the oldest revisions beyond revisionHistoryLimit that no pod uses', async () => {
    const f = fixture();
    const images = ['nginx:1', 'nginx:2', 'nginx:3', 'nginx:4', 'nginx:5'];
    const revs = images.map((image, i) => revisionOf(statefulSet(2, { image }), i + 1));
    const set = statefulSet(2, { image: 'nginx:5', revisionHistoryLimit: 1, status: { replicas: 2, currentRevision: revs[3]!.metadata?.name ?? '' } });
    f.sets(set);
    f.revisions(...revs);
    // web-0 still runs revision 2; web-1 is at the update revision (5); current is 4.
    f.pods(setPod(statefulSet(2, { image: 'nginx:2' }), 0, revs[1]!), setPod(set, 1, revs[4]!));
    await f.c.sync(key);
    const deleted = f.api.writes().filter((a) => a.verb === 'delete' && a.resource === 'controllerrevisions').map((a) => a.name);
    // History (not live): revisions 1 and 3; one may stay, the oldest goes.
    expect(deleted).toEqual([revs[0]!.metadata?.name]);
  });
});

describe('StatefulSet pods it does not own yet', () => {
  it('adopts a selected orphan named as its member and ignores others', async () => {
    const f = fixture();
    const set = statefulSet(1);
    const rev = revisionOf(set);
    f.sets(set);
    f.revisions(rev);
    const orphan = setPod(set, 0, rev);
    orphan.metadata!.ownerReferences = [];
    const stranger = { ...setPod(set, 0, rev), metadata: { ...orphan.metadata, name: 'other-0', uid: 'uid-other-0' } };
    f.pods(orphan, stranger);
    await f.c.sync(key);
    expect(f.api.summary().filter((s) => s.includes('pods'))).toEqual(['patch pods default/web-0']);
    expect(lastStatus(f)).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });
});
