// ReplicaSet event handlers: which keys they enqueue and how they move expectations; they never call the API.
import type { ReplicaSet } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { ownerRef, pod, replicaSet } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { ReplicaSetController } from './controller';

function fixture(...sets: ReplicaSet[]) {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const rsInformer = factory.forKind('apps/v1', 'ReplicaSet');
  seed(rsInformer, ...sets);
  const c = new ReplicaSetController({ client: api.client, replicaSets: rsInformer, pods: factory.forKind('v1', 'Pod'), recorder: new FakeEventRecorder(), logger: quietLogger, clock: api.clock });
  return { api, c };
}

async function keys(c: ReplicaSetController): Promise<string[]> {
  const out: string[] = [];
  while (c.queue.len() > 0) {
    const k = await c.queue.get();
    if (k === undefined) break;
    out.push(k);
    c.queue.done(k);
  }
  return out.sort();
}

describe('ReplicaSet handlers', () => {
  it('a new pod lowers its controller’s creation expectation and enqueues it', async () => {
    const { api, c } = fixture(replicaSet('web', 1));
    c.expectations.expectCreations('default/web', 1);
    c.onPodAdd(pod('web-1', { owner: ownerRef('ReplicaSet', 'web') }));
    expect(c.expectations.satisfied('default/web')).toBe(true);
    expect(await keys(c)).toEqual(['default/web']);
    expect(api.actions).toEqual([]);
  });

  it('an orphan pod enqueues every ReplicaSet whose selector matches it', async () => {
    const { c } = fixture(replicaSet('web', 1), replicaSet('web-canary', 1), replicaSet('db', 1, { labels: { app: 'db' } }));
    c.onPodAdd(pod('stray'));
    expect(await keys(c)).toEqual(['default/web', 'default/web-canary']);
  });

  it('a pod owned by a ReplicaSet that no longer exists (same name, other uid) is ignored', async () => {
    const { c } = fixture(replicaSet('web', 1));
    c.onPodAdd(pod('web-1', { owner: { ...ownerRef('ReplicaSet', 'web'), uid: 'uid-older-web' } }));
    expect(await keys(c)).toEqual([]);
  });

  it('a pod becoming ready is looked at again after minReadySeconds', () => {
    const { c } = fixture(replicaSet('web', 1, { minReadySeconds: 10 }));
    const before = pod('web-1', { owner: ownerRef('ReplicaSet', 'web'), ready: false, phase: 'Running' });
    const after = { ...pod('web-1', { owner: ownerRef('ReplicaSet', 'web'), ready: true }), metadata: { ...before.metadata, resourceVersion: '2' } };
    c.onPodUpdate(before, after);
    expect(c.queue.len()).toBe(1);
    expect(c.queue.waitingCount()).toBe(1);
  });

  it('a pod changing owner enqueues both the old and the new owner', async () => {
    const { c } = fixture(replicaSet('a', 1), replicaSet('b', 1));
    const before = pod('p', { owner: ownerRef('ReplicaSet', 'a') });
    const after = { ...pod('p', { owner: ownerRef('ReplicaSet', 'b') }), metadata: { ...pod('p', { owner: ownerRef('ReplicaSet', 'b') }).metadata, resourceVersion: '2' } };
    c.onPodUpdate(before, after);
    expect(await keys(c)).toEqual(['default/a', 'default/b']);
  });

  it('a deleted ReplicaSet forgets its expectations', () => {
    const { c } = fixture(replicaSet('web', 1));
    c.expectations.expectCreations('default/web', 3);
    c.onReplicaSetDelete(replicaSet('web', 1));
    expect(c.expectations.get('default/web')).toBeUndefined();
  });
});
