// Endpoints reconcile over fake caches: ready and not-ready addresses, named target ports, canonical subsets, no needless writes.
import type { Endpoints, Pod, Service } from '@keelson/api';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { pod } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { EndpointsController, podEventHandler } from './controller';

function fixture() {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const services = factory.forKind('v1', 'Service');
  const pods = factory.forKind('v1', 'Pod');
  const endpoints = factory.forKind('v1', 'Endpoints');
  const c = new EndpointsController({ client: api.client, services, pods, endpoints, logger: quietLogger, clock: api.clock });
  return { api, c, services, pods, endpoints };
}

const svc = (spec: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-svc', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
});

function withIP(p: Pod, ip: string, namedPort = true): Pod {
  if (namedPort) p.spec!.containers[0]!.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  return { ...p, status: { ...p.status, podIP: ip } };
}

describe('syncEndpoints', () => {
  it('lists ready pods as addresses and the others as notReadyAddresses, with the named target port resolved', async () => {
    const f = fixture();
    seed(f.services, svc());
    seed(f.pods, withIP(pod('b', { ready: true, nodeName: 'n1' }), '10.0.0.2'), withIP(pod('a', { ready: true, nodeName: 'n1' }), '10.0.0.1'), withIP(pod('c', { ready: false, phase: 'Running' }), '10.0.0.3'), withIP(pod('noip', { ready: true }), ''), withIP(pod('other', { ready: true, labels: { app: 'db' } }), '10.0.0.9'), withIP(pod('going', { ready: true, deleting: true }), '10.0.0.4'));
    await f.c.sync('default/web');
    expect(f.api.summary()).toEqual(['create endpoints']);
    const ep = f.api.writes()[0]!.body as Endpoints;
    expect(ep.metadata?.labels).toEqual({ team: 'a' });
    expect(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe('2024-05-01T12:00:00Z');
    expect(ep.subsets).toEqual([
      {
        addresses: [
          { ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [{ ip: '10.0.0.3', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('leaves out pods that lack a named target port', async () => {
    const f = fixture();
    seed(f.services, svc());
    seed(f.pods, withIP(pod('a', { ready: true }), '10.0.0.1', false));
    await f.c.sync('default/web');
    expect((f.api.writes()[0]!.body as Endpoints).subsets).toEqual([]);
  });

  it('publishes not-ready pods as ready with publishNotReadyAddresses', async () => {
    const f = fixture();
    seed(f.services, svc({ publishNotReadyAddresses: true }));
    seed(f.pods, withIP(pod('c', { ready: false, phase: 'Running' }), '10.0.0.3'));
    await f.c.sync('default/web');
    expect((f.api.writes()[0]!.body as Endpoints).subsets?.[0]?.addresses?.[0]?.ip).toBe('10.0.0.3');
  });

  it('writes nothing when the stored Endpoints are already right, and updates when they are not', async () => {
    const f = fixture();
    seed(f.services, svc());
    seed(f.pods, withIP(pod('a', { ready: true }), '10.0.0.1'));
    await f.c.sync('default/web');
    const written = f.api.writes()[0]!.body as Endpoints;
    seed(f.endpoints, { ...written, metadata: { ...written.metadata, resourceVersion: '3' } });
    f.api.clearActions();
    await f.c.sync('default/web');
    expect(f.api.writes()).toEqual([]);
    seed(f.pods, withIP(pod('b', { ready: true }), '10.0.0.2'));
    await f.c.sync('default/web');
    expect(f.api.summary()).toEqual(['update endpoints default/web']);
  });

  it('deletes the Endpoints of a deleted Service and ignores Services without a selector', async () => {
    const f = fixture();
    f.api.seed({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' } });
    await f.c.sync('default/web');
    expect(f.api.summary()).toEqual(['delete endpoints default/web']);
    f.api.clearActions();
    seed(f.services, { ...svc(), spec: { ports: [{ port: 80 }] } });
    await f.c.sync('default/web');
    expect(f.api.actions).toEqual([]);
  });

  it('enqueues the Services selecting a pod whose readiness changed, and not for status noise', () => {
    const f = fixture();
    seed(f.services, svc(), { ...svc(), metadata: { name: 'db', namespace: 'default' }, spec: { selector: { app: 'db' } } });
    const before = withIP(pod('a', { ready: false, phase: 'Running' }), '10.0.0.1');
    const noise = { ...before, metadata: { ...before.metadata, resourceVersion: '2' }, status: { ...before.status, startTime: 'x' } };
    const ready = { ...withIP(pod('a', { ready: true }), '10.0.0.1'), metadata: { ...before.metadata, resourceVersion: '3' } };
    const enqueued: string[] = [];
    const handler = podEventHandler(f.services, (s) => enqueued.push(s.metadata?.name ?? ''));
    handler.onUpdate?.(before, noise);
    expect(enqueued).toEqual([]);
    handler.onUpdate?.(noise, ready);
    expect(enqueued).toEqual(['web']);
  });
});
