// Garbage collector decisions over fake caches: which dependents are deleted, how, and when finalizers come off.
import { ConflictError, type ConfigMap, type OwnerReference } from '@keelson/api';
import { lookupKind } from '@keelson/api';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { ownerRef, pod, replicaSet } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { GarbageCollector } from './controller';

function fixture() {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const infos = [lookupKind('v1', 'Pod')!, lookupKind('apps/v1', 'ReplicaSet')!, lookupKind('apps/v1', 'Deployment')!, lookupKind('v1', 'ConfigMap')!];
  const gc = new GarbageCollector({ client: api.client, factory, logger: quietLogger, resources: infos, clock: api.clock });
  const add = (...objs: { apiVersion?: string; kind?: string; metadata?: { uid?: string } }[]): void => {
    for (const o of objs) {
      const info = infos.find((i) => i.kind === o.kind)!;
      seed(factory.forResource(info), o);
      api.seed(o);
    }
  };
  return { api, gc, add };
}

const cm = (name: string, owners: OwnerReference[] = [], extra: Partial<NonNullable<ConfigMap['metadata']>> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', ownerReferences: owners, ...extra },
});
const cmRef = (name: string, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid: `uid-${name}`, ...(block ? { blockOwnerDeletion: true } : {}) });

describe('attemptToDelete', () => {
  it('leaves a dependent alone while its owner is cached, without asking the API server', async () => {
    const f = fixture();
    f.add(replicaSet('web', 1), pod('web-1', { owner: ownerRef('ReplicaSet', 'web') }));
    await f.gc.syncDelete('uid-web-1');
    expect(f.api.actions).toEqual([]);
  });

  it('deletes a dependent whose owner the API server does not have (Background, with uid and resourceVersion preconditions)', async () => {
    const f = fixture();
    f.add(pod('web-1', { owner: ownerRef('ReplicaSet', 'gone') }));
    await f.gc.syncDelete('uid-web-1');
    expect(f.api.actions.map((a) => `${a.verb} ${a.resource} ${a.name ?? ''}`)).toEqual(['get replicasets gone', 'delete pods web-1']);
    expect(f.api.actions[1]!.body).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: 'uid-web-1', resourceVersion: '1' } });
  });

  it('treats an owner of the same name but another uid as gone, and remembers gone owners', async () => {
    const f = fixture();
    f.api.seed(cm('owner', [], { uid: 'uid-someone-else' }));
    f.add(cm('a', [cmRef('owner')]), cm('b', [cmRef('owner')]));
    await f.gc.syncDelete('uid-a');
    await f.gc.syncDelete('uid-b');
    expect(f.api.summary()).toEqual(['delete configmaps default/a', 'delete configmaps default/b']);
    expect(f.api.actions.filter((a) => a.verb === 'get')).toHaveLength(1);
  });

  it('drops only the references to gone owners from a dependent that still has an owner', async () => {
    const f = fixture();
    f.add(cm('alive'), cm('child', [cmRef('alive'), cmRef('dead')]));
    await f.gc.syncDelete('uid-child');
    expect(f.api.summary()).toEqual(['patch configmaps default/child']);
    expect(f.api.writes()[0]!.body).toEqual({ metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-dead' }], uid: 'uid-child' } });
  });

  it('honours the finalizers of a dependent it deletes: orphan → Orphan', async () => {
    const f = fixture();
    f.add(cm('child', [cmRef('dead')], { finalizers: ['orphan'] }));
    await f.gc.syncDelete('uid-child');
    expect((f.api.writes()[0]!.body as { propagationPolicy?: string }).propagationPolicy).toBe('Orphan');
  });

  it('deletes in the foreground a dependent of a foreground deletion that has dependents of its own', async () => {
    const f = fixture();
    f.add(cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['foregroundDeletion'] }), cm('mid', [cmRef('owner', true)]), cm('leaf', [cmRef('mid', true)]));
    await f.gc.syncDelete('uid-mid');
    expect(f.api.summary()).toEqual(['delete configmaps default/mid']);
    expect((f.api.writes()[0]!.body as { propagationPolicy?: string }).propagationPolicy).toBe('Foreground');
  });

  it('waits for an object being deleted (graceful pod deletion) to be gone', async () => {
    const f = fixture();
    f.add(pod('web-1', { owner: ownerRef('ReplicaSet', 'gone'), deleting: true }));
    await f.gc.syncDelete('uid-web-1');
    expect(f.api.actions).toEqual([]);
  });

  it('keeps an object whose owner is of a kind the server does not serve', async () => {
    const f = fixture();
    f.add(cm('child', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'uid-w' }]));
    await f.gc.syncDelete('uid-child');
    expect(f.api.writes()).toEqual([]);
  });

  it('passes a conflicting delete back to be retried', async () => {
    const f = fixture();
    f.add(cm('child', [cmRef('dead')]));
    f.api.fail('delete', 'configmaps', new ConflictError({ resource: 'configmaps', name: 'child' }, 'Precondition failed'));
    await expect(f.gc.syncDelete('uid-child')).rejects.toThrow('Precondition failed');
  });
});

describe('foreground deletion of an owner', () => {
  it('collects its blocking dependents first', async () => {
    const f = fixture();
    f.add(cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['foregroundDeletion'] }), cm('blocker', [cmRef('owner', true)]), cm('loose', [cmRef('owner')]));
    await f.gc.syncDelete('uid-owner');
    expect(f.api.writes()).toEqual([]);
    expect(f.gc.deleteQueue.len()).toBe(1);
  });

  it('removes the foregroundDeletion finalizer once nothing blocks it (merge patch on the live resourceVersion)', async () => {
    const f = fixture();
    f.add(cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['foregroundDeletion', 'example.com/keep'] }), cm('loose', [cmRef('owner')]));
    await f.gc.syncDelete('uid-owner');
    expect(f.api.actions.map((a) => `${a.verb} ${a.name ?? ''}`)).toEqual(['get owner', 'patch owner']);
    expect(f.api.actions[1]!.body).toEqual({ metadata: { resourceVersion: '7', finalizers: ['example.com/keep'] } });
  });

  it('retries removing the finalizer after a conflict', async () => {
    const f = fixture();
    f.add(cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['foregroundDeletion'] }));
    let failed = false;
    f.api.react((a) => (a.verb === 'patch' && !failed ? ((failed = true), { error: new ConflictError({ resource: 'configmaps', name: 'owner' }, 'stale') }) : undefined));
    await f.gc.syncDelete('uid-owner');
    expect(f.api.actions.map((a) => a.verb)).toEqual(['get', 'patch', 'get', 'patch']);
  });
});

describe('attemptToOrphan', () => {
  it('removes the owner reference from every dependent, then the orphan finalizer', async () => {
    const f = fixture();
    const rs = replicaSet('web', 0, { deleting: true });
    rs.metadata!.finalizers = ['orphan'];
    f.add(rs, pod('web-1', { owner: ownerRef('ReplicaSet', 'web') }), pod('web-2', { owner: ownerRef('ReplicaSet', 'web') }));
    await f.gc.syncOrphan('uid-web');
    expect(f.api.summary()).toEqual(['patch pods default/web-1', 'patch pods default/web-2', 'patch replicasets default/web']);
    expect(f.api.writes()[0]!.body).toEqual({ metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }], uid: 'uid-web-1' } });
    expect(f.api.writes()[2]!.body).toEqual({ metadata: { resourceVersion: '1', finalizers: [] } });
  });

  it('does nothing for an owner not being deleted with orphan', async () => {
    const f = fixture();
    f.add(replicaSet('web', 0), pod('web-1', { owner: ownerRef('ReplicaSet', 'web') }));
    await f.gc.syncOrphan('uid-web');
    expect(f.api.actions).toEqual([]);
  });
});

describe('event handlers', () => {
  it('queues the dependents of a deleted owner and the owners waiting on a deleted dependent', () => {
    const f = fixture();
    const owner = cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['foregroundDeletion'] });
    f.add(owner, cm('a', [cmRef('gone')]), cm('b', [cmRef('gone')]));
    f.gc.onDelete(cm('gone'));
    expect(f.gc.deleteQueue.len()).toBe(2);
    f.gc.onDelete(cm('dep', [cmRef('owner', true)]));
    expect(f.gc.deleteQueue.len()).toBe(3);
  });

  it('queues orphaning for an owner marked with the orphan finalizer', () => {
    const f = fixture();
    f.gc.onChange(undefined, cm('owner', [], { deletionTimestamp: '2024-05-01T12:00:00Z', finalizers: ['orphan'] }));
    expect(f.gc.orphanQueue.len()).toBe(1);
    expect(f.gc.deleteQueue.len()).toBe(0);
  });
});
