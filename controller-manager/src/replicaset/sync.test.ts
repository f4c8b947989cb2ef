// ReplicaSet reconcile, Kubernetes style: seed the caches, call sync(key), assert the API calls it made.
import { ConflictError, ForbiddenError, InternalError, type Pod, type ReplicaSet } from '@keelson/api';
import { FakeEventRecorder, type Logger } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { ownerRef, pod, replicaSet, t0 } from '../testing/builders';
import { ReplicaSetController } from './controller';

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function fixture(opts: { burstReplicas?: number } = {}) {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const rsInformer = factory.forKind('apps/v1', 'ReplicaSet');
  const podInformer = factory.forKind('v1', 'Pod');
  const recorder = new FakeEventRecorder();
  const controller = new ReplicaSetController({ client: api.client, replicaSets: rsInformer, pods: podInformer, recorder, logger: quiet, clock: api.clock, ...opts });
  return {
    api,
    recorder,
    controller,
    rs: (...objs: ReplicaSet[]) => {
      seed(rsInformer, ...objs);
      api.seed(...objs);
    },
    pods: (...objs: Pod[]) => {
      seed(podInformer, ...objs);
      api.seed(...objs);
    },
  };
}

const owned = (name: string, o: Parameters<typeof pod>[1] = {}): Pod => pod(name, { owner: ownerRef('ReplicaSet', 'web'), nodeName: 'n1', ...o });

describe('syncReplicaSet: creating', () => {
  it('creates the missing pods from the template, owned by the ReplicaSet, and expects them', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 3));
    await f.controller.sync('default/web');
    const creates = f.api.writes().filter((a) => a.verb === 'create');
    expect(creates).toHaveLength(3);
    const body = creates[0]!.body as Pod;
    expect(body.metadata?.generateName).toBe('web-');
    expect(body.metadata?.labels).toEqual({ app: 'web' });
    expect(body.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(body.spec?.containers[0]?.image).toBe('nginx:1');
    expect(f.controller.expectations.get('default/web')).toMatchObject({ add: 3, del: 0 });
    expect(f.recorder.events.filter((e) => e.startsWith('Normal SuccessfulCreate'))).toHaveLength(3);
  });

  it('creates nothing more while expected pods have not reached the cache, then resumes', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 2));
    await f.controller.sync('default/web');
    f.api.clearActions();
    await f.controller.sync('default/web');
    expect(f.api.writes().filter((a) => a.verb === 'create')).toHaveLength(0);
    // The informer delivers the two pods: expectations met, and the cache shows the count reached.
    const a = owned('web-a');
    const b = owned('web-b');
    f.pods(a, b);
    f.controller.onPodAdd(a);
    f.controller.onPodAdd(b);
    expect(f.controller.expectations.satisfied('default/web')).toBe(true);
    f.api.clearActions();
    await f.controller.sync('default/web');
    expect(f.api.writes().filter((x) => x.verb === 'create')).toHaveLength(0);
  });

  it('creates in slow-start batches of 1, 2, 4 and stops after a failing batch, expecting only what was created', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 10));
    let n = 0;
    f.api.react((a) => (a.verb === 'create' && a.resource === 'pods' && ++n > 3 ? { error: new InternalError('quota exceeded') } : undefined));
    await expect(f.controller.sync('default/web')).rejects.toThrow('quota exceeded');
    // Batches: 1 (ok), 2 (ok), 4 (first of them ok... no: calls 4-7 fail) → 7 attempts, 3 created.
    expect(f.api.writes().filter((a) => a.verb === 'create')).toHaveLength(7);
    expect(f.controller.expectations.get('default/web')).toMatchObject({ add: 3 });
    const status = f.api.writes().find((a) => a.resource === 'replicasets/status')?.body as ReplicaSet;
    expect(status.status?.conditions).toEqual([expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' })]);
    expect(f.recorder.events.some((e) => e.startsWith('Warning FailedCreate'))).toBe(true);
  });

  it('creates at most burstReplicas pods in one sync', async () => {
    const f = fixture({ burstReplicas: 4 });
    f.rs(replicaSet('web', 10));
    await f.controller.sync('default/web');
    expect(f.api.writes().filter((a) => a.verb === 'create')).toHaveLength(4);
  });

  it('treats a namespace being terminated as no error', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 2));
    f.api.fail('create', 'pods', new ForbiddenError('pods is forbidden: unable to create new content in namespace default because it is being terminated'));
    await expect(f.controller.sync('default/web')).resolves.toBeUndefined();
  });
});

describe('syncReplicaSet: deleting', () => {
  it('deletes surplus pods unscheduled first, then pending, then not ready, then newest ready', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 2));
    f.pods(
      owned('ready-old', { ready: true, readySince: t0 - 86_400_000, created: t0 - 86_400_000 }),
      owned('ready-new', { ready: true, readySince: t0 - 60_000, created: t0 - 120_000 }),
      owned('not-ready', { phase: 'Running', ready: false }),
      owned('pending', { phase: 'Pending' }),
      owned('unscheduled', { phase: 'Pending', nodeName: '' }),
      owned('ready-mid', { ready: true, readySince: t0 - 3_600_000, created: t0 - 3_600_000 }),
    );
    await f.controller.sync('default/web');
    expect(f.api.summary().filter((s) => s.startsWith('delete'))).toEqual(['delete pods default/unscheduled', 'delete pods default/pending', 'delete pods default/not-ready', 'delete pods default/ready-new']);
    expect(f.controller.expectations.get('default/web')).toMatchObject({ del: 4 });
  });

  it('deletes first from the node with the most sibling pods', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 2));
    f.pods(owned('a', { ready: true, nodeName: 'n1' }), owned('b', { ready: true, nodeName: 'n1' }), owned('c', { ready: true, nodeName: 'n2' }));
    await f.controller.sync('default/web');
    const deleted = f.api.summary().filter((s) => s.startsWith('delete'));
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatch(/default\/[ab]$/);
  });

  it('counts a graceful deletion once, whether seen as an update or the final delete', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1));
    const a = owned('a', { ready: true });
    const b = owned('b', { ready: false, phase: 'Running' });
    f.pods(a, b);
    await f.controller.sync('default/web');
    expect(f.controller.expectations.get('default/web')).toMatchObject({ del: 1 });
    const terminating = { ...b, metadata: { ...b.metadata, resourceVersion: '2', deletionTimestamp: '2024-05-01T12:00:30Z' } };
    f.controller.onPodUpdate(b, terminating);
    f.controller.onPodDelete(terminating);
    expect(f.controller.expectations.get('default/web')).toMatchObject({ del: 0 });
    expect(f.controller.expectations.satisfied('default/web')).toBe(true);
  });

  it('ignores pods that are finished or already being deleted', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1));
    f.pods(owned('a', { ready: true }), owned('done', { phase: 'Succeeded' }), owned('going', { ready: true, deleting: true }));
    await f.controller.sync('default/web');
    expect(f.api.summary().filter((s) => !s.startsWith('update replicasets/status'))).toEqual([]);
  });

  it('lowers expectations for deletions that failed, and reports FailedDelete', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 0));
    f.pods(owned('a', { ready: true }));
    f.api.fail('delete', 'pods', new InternalError('etcd is down'));
    await expect(f.controller.sync('default/web')).rejects.toThrow('etcd is down');
    expect(f.controller.expectations.satisfied('default/web')).toBe(true);
    const status = f.api.writes().find((a) => a.resource === 'replicasets/status')?.body as ReplicaSet;
    expect(status.status?.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', reason: 'FailedDelete' });
  });
});

describe('syncReplicaSet: adoption', () => {
  it('adopts matching orphans and releases owned pods whose labels stopped matching', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 2));
    f.pods(pod('orphan', { ready: true, nodeName: 'n1' }), owned('strayed', { ready: true, labels: { app: 'other' } }), owned('mine', { ready: true }));
    await f.controller.sync('default/web');
    const patches = f.api.writes().filter((a) => a.verb === 'patch');
    expect(patches.map((a) => `${a.name ?? ''} ${a.patchType ?? ''}`)).toEqual(['orphan strategic', 'strayed strategic']);
    expect(patches[0]!.body).toEqual({ metadata: { ownerReferences: [ownerRef('ReplicaSet', 'web')], uid: 'uid-orphan' } });
    expect(patches[1]!.body).toEqual({ metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }], uid: 'uid-strayed' } });
    // mine + orphan make two: nothing to create.
    expect(f.api.writes().filter((a) => a.verb === 'create')).toHaveLength(0);
    // Adoption re-read the ReplicaSet from the server first.
    expect(f.api.actions.some((a) => a.verb === 'get' && a.resource === 'replicasets')).toBe(true);
  });

  it('leaves pods of other controllers alone and does not adopt when the ReplicaSet is being deleted', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 3, { deleting: true }));
    f.pods(pod('orphan', { ready: true }), pod('theirs', { ready: true, owner: ownerRef('ReplicaSet', 'other') }));
    await f.controller.sync('default/web');
    expect(f.api.writes().filter((a) => a.verb !== 'update')).toEqual([]);
  });

  it('refuses to adopt when the server says the ReplicaSet is gone', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1));
    f.api.react((a) => (a.verb === 'get' && a.resource === 'replicasets' ? { object: replicaSet('web', 1, { deleting: true }) } : undefined));
    f.pods(pod('orphan', { ready: true }));
    await expect(f.controller.sync('default/web')).rejects.toThrow('has just been deleted');
    expect(f.api.writes().filter((a) => a.verb === 'patch')).toEqual([]);
  });
});

describe('syncReplicaSet: status', () => {
  it('counts replicas, fully labeled, ready and available (minReadySeconds) pods, with observedGeneration', async () => {
    const f = fixture();
    const rs = replicaSet('web', 3, { minReadySeconds: 30, generation: 4, observedGeneration: 3 });
    rs.spec!.template!.metadata!.labels = { app: 'web', tier: 'front' };
    f.rs(rs);
    f.pods(
      owned('long-ready', { ready: true, readySince: t0 - 60_000, labels: { app: 'web', tier: 'front' } }),
      owned('just-ready', { ready: true, readySince: t0 - 5_000 }),
      owned('starting', { phase: 'Running', ready: false, labels: { app: 'web', tier: 'front' } }),
    );
    await f.controller.sync('default/web');
    const write = f.api.writes().find((a) => a.resource === 'replicasets/status');
    expect((write?.body as ReplicaSet).status).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
  });

  it('looks again after minReadySeconds when every pod is ready but not yet available', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1, { minReadySeconds: 10 }));
    f.pods(owned('a', { ready: true, readySince: t0 - 1000 }));
    await f.controller.sync('default/web');
    expect(f.controller.queue.waitingCount()).toBe(1);
  });

  it('writes nothing when the status is current', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1, { status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1 } }));
    f.pods(owned('a', { ready: true }));
    await f.controller.sync('default/web');
    expect(f.api.writes()).toEqual([]);
  });

  it('retries a conflicting status write once on a fresh read', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1));
    f.pods(owned('a', { ready: true }));
    let failed = false;
    f.api.react((a) => (a.resource === 'replicasets/status' && !failed ? ((failed = true), { error: new ConflictError({ resource: 'replicasets', group: 'apps', name: 'web' }, 'stale') }) : undefined));
    await f.controller.sync('default/web');
    expect(f.api.actions.map((a) => `${a.verb} ${a.resource}`)).toEqual(['update replicasets/status', 'get replicasets', 'update replicasets/status']);
  });

  it('clears the ReplicaFailure condition once creating works again', async () => {
    const f = fixture();
    f.rs(replicaSet('web', 1, { status: { replicas: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota' }] } }));
    f.pods(owned('a', { ready: true }));
    await f.controller.sync('default/web');
    const write = f.api.writes().find((a) => a.resource === 'replicasets/status');
    expect((write?.body as ReplicaSet).status?.conditions).toBeUndefined();
  });

  it('forgets expectations of a ReplicaSet that is gone, and does nothing', async () => {
    const f = fixture();
    f.controller.expectations.expectCreations('default/web', 3);
    await f.controller.sync('default/web');
    expect(f.controller.expectations.get('default/web')).toBeUndefined();
    expect(f.api.actions).toEqual([]);
  });
});
