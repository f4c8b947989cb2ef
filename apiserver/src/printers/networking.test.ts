// Tests for Service, Endpoints and EndpointSlice rows.
import { lookupKind, type EndpointSlice, type Endpoints, type Service } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

/** The row as kubectl would label it: upper-cased column name → cell. */
function show<T extends { kind?: string }>(apiVersion: string, obj: T): Record<string, unknown> {
  const t = toTable(lookupKind(apiVersion, obj.kind ?? '')!, [obj], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

const svc = (spec: Service['spec'], status: Service['status'] = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', creationTimestamp: ago(7200) },
  spec,
  status,
});

describe('Service', () => {
  it('has kubectl’s columns', () => {
    const t = toTable(lookupKind('v1', 'Service')!, [], { now, includeObject: 'None' });
    expect(t.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Type', 0],
      ['Cluster-IP', 0],
      ['External-IP', 0],
      ['Port(s)', 0],
      ['Age', 0],
      ['Selector', 1],
    ]);
  });

  it('prints a NodePort service as port:nodePort/protocol', () => {
    const s = svc({ type: 'NodePort', clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { app: 'web', tier: 'front' } });
    expect(show('v1', s)).toEqual({ NAME: 'web', TYPE: 'NodePort', 'CLUSTER-IP': '10.96.12.34', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80:30080/TCP', AGE: '120m', SELECTOR: 'app=web,tier=front' });
  });

  it('prints several ports, external IPs, and headless services', () => {
    const s = svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 9153 }], externalIPs: ['192.0.2.1'] });
    expect(show('v1', s)).toMatchObject({ 'CLUSTER-IP': '10.96.0.10', 'EXTERNAL-IP': '192.0.2.1', 'PORT(S)': '53/UDP,53/TCP,9153/TCP', SELECTOR: '<none>' });
    expect(show('v1', svc({ clusterIP: 'None', clusterIPs: ['None'] }))).toMatchObject({ TYPE: 'ClusterIP', 'CLUSTER-IP': 'None', 'PORT(S)': '<none>' });
  });

  it('prints <pending> until a load balancer is assigned, then its sorted addresses', () => {
    const lb = { type: 'LoadBalancer', clusterIP: '10.96.1.1', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
    expect(show('v1', svc(lb))).toMatchObject({ 'EXTERNAL-IP': '<pending>', 'PORT(S)': '443:31443/TCP' });
    const assigned = svc(lb, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.5' }] } });
    expect(show('v1', assigned)['EXTERNAL-IP']).toBe('203.0.113.5,203.0.113.9,lb.example.com');
    const both = svc({ ...lb, externalIPs: ['192.0.2.7'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } });
    expect(show('v1', both)['EXTERNAL-IP']).toBe('203.0.113.9,192.0.2.7');
  });

  it('prints the external name of an ExternalName service', () => {
    expect(show('v1', svc({ type: 'ExternalName', externalName: 'db.example.com' }))).toMatchObject({ 'CLUSTER-IP': '<none>', 'EXTERNAL-IP': 'db.example.com' });
  });
});

describe('Endpoints', () => {
  const ep = (subsets: Endpoints['subsets']): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', creationTimestamp: ago(60) }, subsets });

  it('prints host:port pairs, IPv6 bracketed', () => {
    const e = ep([{ addresses: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(show('v1', e)).toEqual({ NAME: 'web', ENDPOINTS: '10.244.1.5:8080,[fd00::5]:8080', AGE: '60s' });
  });

  it('shortens after three and counts the rest', () => {
    const e = ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ port: 80 }, { port: 443 }] }]);
    expect(show('v1', e).ENDPOINTS).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...');
  });

  it('prints bare addresses for port-less subsets, <none> without subsets, and nothing when no address is ready', () => {
    expect(show('v1', ep([{ addresses: [{ ip: '10.0.0.9' }] }])).ENDPOINTS).toBe('10.0.0.9');
    expect(show('v1', ep(undefined)).ENDPOINTS).toBe('<none>');
    expect(show('v1', ep([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])).ENDPOINTS).toBe('');
  });
});

describe('EndpointSlice', () => {
  const slice = (ports: EndpointSlice['ports'], endpoints: EndpointSlice['endpoints']): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', creationTimestamp: ago(60) },
    addressType: 'IPv4',
    ports,
    endpoints,
  });

  it('prints address type, ports and endpoints', () => {
    const s = slice([{ name: 'http', port: 80 }, { name: 'https', port: 443 }], [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }]);
    expect(show('discovery.k8s.io/v1', s)).toEqual({ NAME: 'web-abc12', ADDRESSTYPE: 'IPv4', PORTS: '80,443', ENDPOINTS: '10.0.0.1,10.0.0.2', AGE: '60s' });
  });

  it('prints * for all ports, a name for a named port without number, <unset> when empty, and shortens long lists', () => {
    expect(show('discovery.k8s.io/v1', slice([{}], [])).PORTS).toBe('*');
    expect(show('discovery.k8s.io/v1', slice([{ name: 'metrics' }], [])).PORTS).toBe('metrics');
    expect(show('discovery.k8s.io/v1', slice(undefined, []))).toMatchObject({ PORTS: '<unset>', ENDPOINTS: '<unset>' });
    const many = slice([], [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4', '10.0.0.5'] }]);
    expect(show('discovery.k8s.io/v1', many).ENDPOINTS).toBe('10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...');
  });
});
