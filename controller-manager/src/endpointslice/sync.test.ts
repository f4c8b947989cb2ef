// EndpointSlice reconcile over fake caches: conditions, grouping by port set, chunking, reuse and removal of slices.
import type { EndpointSlice, Pod, Service } from '@keelson/api';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { pod } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { EndpointSliceController } from './controller';

function fixture(max = 100) {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const services = factory.forKind('v1', 'Service');
  const pods = factory.forKind('v1', 'Pod');
  const slices = factory.forKind('discovery.k8s.io/v1', 'EndpointSlice');
  const c = new EndpointSliceController({ client: api.client, services, pods, slices, logger: quietLogger, clock: api.clock, maxEndpointsPerSlice: max });
  return { api, c, services, pods, slices };
}

const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'uid-svc' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };

function running(name: string, ip: string, o: Parameters<typeof pod>[1] = {}): Pod {
  const p = pod(name, { ready: true, nodeName: 'n1', ...o });
  return { ...p, status: { ...p.status, podIP: ip } };
}

describe('syncEndpointSlices', () => {
  it('creates one owned slice with ready, serving and terminating conditions', async () => {
    const f = fixture();
    seed(f.services, svc);
    seed(f.pods, running('a', '10.0.0.1'), running('b', '10.0.0.2', { ready: false, phase: 'Running' }), running('c', '10.0.0.3', { deleting: true }));
    await f.c.sync('default/web');
    expect(f.api.summary()).toEqual(['create endpointslices']);
    const s = f.api.writes()[0]!.body as EndpointSlice;
    expect(s.metadata?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(s.metadata?.labels).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(s.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc', controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(s.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.0.0.1', { ready: true, serving: true, terminating: false }],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }],
    ]);
  });

  it('splits endpoints into slices of at most the maximum and removes slices no longer needed', async () => {
    const f = fixture(2);
    seed(f.services, svc);
    seed(f.pods, running('a', '10.0.0.1'), running('b', '10.0.0.2'), running('c', '10.0.0.3'));
    await f.c.sync('default/web');
    const created = f.api.writes().map((a) => a.body as EndpointSlice);
    expect(created.map((s) => s.endpoints.length)).toEqual([2, 1]);
    expect(created[1]!.metadata?.name).toBe(`${created[0]!.metadata!.name!}-1`);
    // The slices are now cached; one pod goes: the first slice changes, the second goes.
    seed(f.slices, ...created.map((s, i) => ({ ...s, metadata: { ...s.metadata, resourceVersion: String(i + 5) } })));
    f.pods.indexer.delete('default/c');
    f.pods.indexer.delete('default/b');
    f.api.clearActions();
    await f.c.sync('default/web');
    expect(f.api.summary()).toEqual([`update endpointslices default/${created[0]!.metadata!.name!}`, `delete endpointslices default/${created[1]!.metadata!.name!}`]);
  });

  it('writes nothing when the slices are already right', async () => {
    const f = fixture();
    seed(f.services, svc);
    seed(f.pods, running('a', '10.0.0.1'));
    await f.c.sync('default/web');
    seed(f.slices, f.api.writes()[0]!.body as EndpointSlice);
    f.api.clearActions();
    await f.c.sync('default/web');
    expect(f.api.writes()).toEqual([]);
  });
});
