// Service ClusterIP/NodePort allocation through a real API server on sqlite and etcd: honoured requests, 422s, concurrency, release, restarts.
import { randomInt } from 'node:crypto';
import type { Endpoints, EndpointSlice, Service } from '@keelson/api';
import { openStorage } from '../storage/open';
import { request, startTestServer, testBackends, uniqueName, type TestServer } from '../testing';
import { RangeAllocator } from './range';

type Status = { code?: number; reason?: string; message?: string; details?: { causes?: { field?: string; message?: string }[] } };

async function call(t: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(t.url, method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' });
  return { status: res.status, json: res.text === '' ? undefined : res.json() };
}

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } };
}

const inRange = (ip: string | undefined): boolean => {
  const [a, b] = (ip ?? '').split('.').map(Number);
  return a === 10 && b !== undefined && b >= 96 && b <= 111;
};

for (const backend of testBackends()) {
  describe(`Service allocation on ${backend.name}`, () => {
    let server: TestServer;
    let location: { uri: string; cleanup: () => void };
    let ns: string;
    const base = (): string => `/api/v1/namespaces/${ns}/services`;
    const create = (s: Service) => call(server, 'POST', base(), s);

    beforeAll(async () => {
      location = backend.uri();
      server = await startTestServer(location.uri);
      ns = uniqueName('alloc');
      expect((await call(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    });
    afterAll(async () => {
      await server?.stop();
      location?.cleanup();
    });

    it('gives the kubernetes Service the first address, with endpoints at the API server', async () => {
      const k = (await call(server, 'GET', '/api/v1/namespaces/default/services/kubernetes')).json as Service;
      expect(k.spec).toMatchObject({ clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] });
      const port = Number(new URL(server.url).port);
      const ep = (await call(server, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json as Endpoints;
      expect(ep.subsets?.[0]).toMatchObject({ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] });
      const slice = (await call(server, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).json as EndpointSlice;
      expect(slice.endpoints[0]?.addresses).toEqual(['127.0.0.1']);
    });

    it('allocates a ClusterIP from the range, NodePorts for NodePort and LoadBalancer, none for headless or ExternalName', async () => {
      const a = (await create(svc('plain', {}))).json as Service;
      expect(inRange(a.spec?.clusterIP)).toBe(true);
      expect(a.spec?.clusterIPs).toEqual([a.spec?.clusterIP]);
      expect(a.spec?.ports?.[0]?.nodePort).toBeUndefined();
      const np = (await create(svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 443 }] }))).json as Service;
      const ports = np.spec?.ports?.map((p) => p.nodePort ?? 0) ?? [];
      expect(ports.every((p) => p >= 30000 && p <= 32767)).toBe(true);
      expect(new Set(ports).size).toBe(2);
      const lb = (await create(svc('lb', { type: 'LoadBalancer' }))).json as Service;
      expect(lb.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
      expect(lb.status?.loadBalancer).toEqual({});
      const headless = (await create(svc('headless', { clusterIP: 'None' }))).json as Service;
      expect(headless.spec?.clusterIPs).toEqual(['None']);
      const ext = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
      expect(ext.status).toBe(201);
      expect((ext.json as Service).spec?.clusterIP).toBeUndefined();
    });

    it('honours a requested ClusterIP and NodePort when free and answers 422 otherwise', async () => {
      const ip = `10.96.${randomInt(1, 200)}.${randomInt(1, 250)}`;
      const port = randomInt(30000, 32000);
      const ok = await create(svc('want', { type: 'NodePort', clusterIP: ip, ports: [{ port: 80, nodePort: port }] }));
      expect(ok.status).toBe(201);
      expect((ok.json as Service).spec).toMatchObject({ clusterIP: ip, ports: [{ nodePort: port }] });

      const dupIP = await create(svc('dup-ip', { clusterIP: ip }));
      expect(dupIP.status).toBe(422);
      expect((dupIP.json as Status).details?.causes?.[0]).toMatchObject({ field: 'spec.clusterIPs[0]' });
      expect((dupIP.json as Status).message).toContain('provided IP is already allocated');
      const dupPort = await create(svc('dup-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
      expect(dupPort.status).toBe(422);
      expect((dupPort.json as Status).message).toContain('spec.ports[0].nodePort: Invalid value: ' + String(port) + ': provided port is already allocated');
      const outside = await create(svc('outside', { clusterIP: '10.0.0.5' }));
      expect(outside.status).toBe(422);
      expect((outside.json as Status).message).toContain('The range of valid IPs is 10.96.0.0/12');
      const badPort = await create(svc('bad-port', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] }));
      expect(badPort.status).toBe(422);
      // A failed create allocated nothing: the port it would have taken is still free.
      expect((await call(server, 'GET', `${base()}/dup-port`)).status).toBe(404);
    });

    it('keeps allocations on update, allocates when the type changes, and releases on delete', async () => {
      const created = (await create(svc('change', {}))).json as Service;
      const ip = created.spec?.clusterIP;
      // A PUT that leaves out clusterIP keeps it.
      const put = await call(server, 'PUT', `${base()}/change`, { ...created, spec: { ...created.spec, clusterIP: undefined, clusterIPs: undefined, type: 'NodePort' } });
      expect(put.status).toBe(200);
      const np = put.json as Service;
      expect(np.spec?.clusterIP).toBe(ip);
      const port = np.spec?.ports?.[0]?.nodePort;
      expect(port).toBeGreaterThanOrEqual(30000);
      // Back to ClusterIP: the NodePort is dropped and freed.
      const back = await call(server, 'PUT', `${base()}/change`, { ...np, spec: { ...np.spec, type: 'ClusterIP' } });
      expect(back.status).toBe(200);
      expect((back.json as Service).spec?.ports?.[0]?.nodePort).toBeUndefined();
      const takePort = await create(svc('take-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port ?? 0 }] }));
      expect(takePort.status).toBe(201);
      expect((await call(server, 'DELETE', `${base()}/change`)).status).toBe(200);
      const again = await create(svc('reuse-ip', { clusterIP: ip ?? '' }));
      expect(again.status).toBe(201);
    });

    it('never hands out one address twice under 50 concurrent creates through two API servers on one storage', async () => {
      const second = await startTestServer(location.uri);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i % 2 === 0 ? server : second, 'POST', base(), svc(`c${i}`, { type: 'NodePort' })))).finally(() => second.stop());
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      const services = results.map((r) => r.json as Service);
      expect(new Set(services.map((s) => s.spec?.clusterIP)).size).toBe(50);
      expect(new Set(services.map((s) => s.spec?.ports?.[0]?.nodePort)).size).toBe(50);
    });

    it('survives an API server restart: held addresses stay taken, and lost allocations are repaired from Services', async () => {
      const held = (await create(svc('held', { type: 'NodePort' }))).json as Service;
      await server.stop();
      // Simulate a lost allocation record: drop the stored sets; the restart rebuilds them from Services.
      const storage = await openStorage(location.uri);
      await new RangeAllocator(storage, { key: '/registry/ranges/serviceips', name: 'serviceips', range: '10.96.0.0/12', size: 2 ** 20 }).update((u) => u.clear());
      await storage.close();
      server = await startTestServer(location.uri);
      const ip = held.spec?.clusterIP ?? '';
      const port = held.spec?.ports?.[0]?.nodePort ?? 0;
      const dupIP = await create(svc('after-ip', { clusterIP: ip }));
      expect(dupIP.status).toBe(422);
      const dupPort = await create(svc('after-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
      expect(dupPort.status).toBe(422);
      expect((await call(server, 'DELETE', `${base()}/held`)).status).toBe(200);
      expect((await create(svc('after-ip2', { clusterIP: ip }))).status).toBe(201);
    });
  });
}
