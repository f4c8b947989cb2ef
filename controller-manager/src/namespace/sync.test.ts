// Namespace deletion over the fake API: content deleted per resource, conditions reported, and the finalizer removed only when empty.
import { InternalError, NotFoundError, lookupKind, type Namespace } from '@keelson/api';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { pod, t0 } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { NamespaceController } from './controller';

function fixture() {
  const api = new FakeApi();
  const informer = fakeInformers(api).forKind('v1', 'Namespace');
  const resources = [lookupKind('v1', 'Pod')!, lookupKind('v1', 'ConfigMap')!, lookupKind('apps/v1', 'Deployment')!];
  const controller = new NamespaceController({ client: api.client, namespaces: informer, logger: quietLogger, resources, clock: api.clock, recheckMs: 2000 });
  const ns = (deleting: boolean, finalizers = ['kubernetes']): Namespace => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team', uid: 'uid-team', resourceVersion: '5', ...(deleting ? { deletionTimestamp: '2024-05-01T12:00:00Z' } : {}) },
    spec: { finalizers },
    status: { phase: deleting ? 'Terminating' : 'Active' },
  });
  const add = (n: Namespace): void => {
    seed(informer, n);
    api.seed(n);
  };
  return { api, controller, ns, add };
}

describe('syncNamespace', () => {
  it('does nothing for a namespace that is not being deleted', async () => {
    const f = fixture();
    f.add(f.ns(false));
    await f.controller.sync('team');
    expect(f.api.actions).toEqual([]);
  });

  it('deletes every resource with delete-collection, then finalizes an empty namespace', async () => {
    const f = fixture();
    f.add(f.ns(true));
    f.api.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' } });
    await f.controller.sync('team');
    expect(f.api.summary()).toEqual(['deletecollection pods', 'deletecollection configmaps', 'deletecollection deployments', 'update namespaces/status team', 'update namespaces/finalize team']);
    expect(f.api.writes()[0]!.body).toMatchObject({ propagationPolicy: 'Background' });
    expect(f.api.writes().at(-1)!.body).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', resourceVersion: '5' }, spec: { finalizers: [] } });
    const status = (f.api.writes()[3]!.body as Namespace).status;
    expect(status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'NamespaceDeletionDiscoveryFailure=False',
      'NamespaceDeletionGroupVersionParsingFailure=False',
      'NamespaceDeletionContentFailure=False',
      'NamespaceContentRemaining=False',
      'NamespaceFinalizersRemaining=False',
    ]);
  });

  it('keeps the finalizer while content remains, reports it, and looks again within the grace estimate', async () => {
    const f = fixture();
    f.add(f.ns(true));
    const terminating = pod('p', { namespace: 'team', nodeName: 'n1', ready: true });
    (terminating.metadata as { deletionTimestamp?: string }).deletionTimestamp = new Date(t0 + 30_000).toISOString();
    terminating.metadata!.finalizers = ['example.com/hold'];
    // The pod survives delete-collection: it terminates gracefully.
    f.api.react((a) => (a.verb === 'deletecollection' && a.resource === 'pods' ? { object: { items: [] } } : undefined));
    f.api.seed(terminating);
    await f.controller.sync('team');
    expect(f.api.summary().some((s) => s.includes('finalize'))).toBe(false);
    const status = (f.api.writes().find((a) => a.resource === 'namespaces/status')!.body as Namespace).status;
    expect(status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'True', message: 'Some resources are remaining: pods has 1 resource instances' });
    expect(status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    // 30 s of grace left, looked at again after the 2 s recheck cap.
    expect(f.controller.queue.waitingCount()).toBe(1);
  });

  it('reports and retries a resource whose deletion fails', async () => {
    const f = fixture();
    f.add(f.ns(true));
    f.api.fail('deletecollection', 'configmaps', new InternalError('storage unavailable'));
    await expect(f.controller.sync('team')).rejects.toThrow('failed to delete all resource types, 1 remaining: configmaps: Internal error occurred: storage unavailable');
    const status = (f.api.writes().find((a) => a.resource === 'namespaces/status')!.body as Namespace).status;
    expect(status?.conditions?.find((c) => c.type === 'NamespaceDeletionContentFailure')?.status).toBe('True');
  });

  it('leaves a namespace whose kubernetes finalizer is already gone to the API server', async () => {
    const f = fixture();
    f.add(f.ns(true, ['example.com/other']));
    await f.controller.sync('team');
    expect(f.api.actions).toEqual([]);
  });

  it('enqueues only namespaces being deleted', () => {
    const f = fixture();
    f.controller.enqueue(f.ns(false));
    expect(f.controller.queue.len()).toBe(0);
    f.controller.enqueue(f.ns(true));
    expect(f.controller.queue.len()).toBe(1);
  });
});

describe('syncNamespace after the namespace is gone', () => {
  it('stops quietly when the namespace disappeared under it', async () => {
    const f = fixture();
    f.add(f.ns(true));
    f.api.react((a) => (a.resource.startsWith('namespaces/') ? { error: new NotFoundError({ resource: 'namespaces', name: 'team' }) } : undefined));
    await expect(f.controller.sync('team')).resolves.toBeUndefined();
  });
});
