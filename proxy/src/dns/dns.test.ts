// Cluster DNS answers over real UDP and TCP sockets on loopback, with a local upstream for forwarded names.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { EndpointSlice, Service } from '@keelson/api';
import { DnsServer } from './server';
import { parseResolvConf } from './upstream';
import type { DnsData } from './records';

const services: Service[] = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.5.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { metadata: { name: 'db', namespace: 'prod' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
  { metadata: { name: 'empty', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
];
const slices: EndpointSlice[] = [
  {
    metadata: { name: 'db-1', namespace: 'prod', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    ports: [{ name: 'pg', port: 15432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.0.7'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.244.0.8'], hostname: 'db-1', conditions: { ready: true } },
      { addresses: ['10.244.0.9'], hostname: 'db-2', conditions: { ready: false } },
    ],
  },
];
const data: DnsData = {
  service: (ns, name) => services.find((s) => s.metadata?.namespace === ns && s.metadata.name === name),
  services: () => services,
  slices: (ns, name) => slices.filter((s) => s.metadata?.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === name),
  allSlices: () => slices,
};

const quiet = { warn: () => undefined, debug: () => undefined };
let upstream: dgram.Socket;
let upstreamPort = 0;
let server: DnsServer;

beforeAll(async () => {
  // A stand-in for the node's resolver: answers every A query with 192.0.2.1.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions ?? [], answers: [{ type: 'A', name: q.questions?.[0]?.name ?? '', ttl: 60, class: 'IN', data: '192.0.2.1' }] });
    upstream.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  upstreamPort = upstream.address().port;
  server = new DnsServer({ address: '127.0.0.1', port: 0, clusterDomain: 'cluster.local', ttl: 5, serviceCIDR: '10.96.0.0/12', data, upstreams: () => [{ host: '127.0.0.1', port: upstreamPort }], upstreamTimeoutMs: 1000, logger: quiet });
  await server.start();
});
afterAll(async () => {
  await server.close();
  upstream.close();
});

async function ask(name: string, type: dnsPacket.RecordType = 'A'): Promise<dnsPacket.DecodedPacket> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      sock.on('message', (m) => resolve(dnsPacket.decode(m)));
      sock.on('error', reject);
      sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }), server.port(), '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function askTcp(name: string): Promise<dnsPacket.DecodedPacket> {
  const q = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name, class: 'IN' }] });
  const sock = net.connect(server.tcpPort(), '127.0.0.1');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(q.length);
  sock.write(Buffer.concat([len, q]));
  let buf = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(dnsPacket.decode(buf.subarray(2)));
      }
    });
    sock.on('error', reject);
  });
}

const rcode = (p: dnsPacket.DecodedPacket): string => (p as dnsPacket.DecodedPacket & { rcode: string }).rcode;
const dataOf = (a: dnsPacket.Answer): unknown => (a as { data?: unknown }).data;
const datas = (p: dnsPacket.DecodedPacket): unknown[] => (p.answers ?? []).map(dataOf);

describe('cluster DNS', () => {
  it('answers a Service name with its ClusterIP, authoritatively, over UDP and TCP', async () => {
    const r = await ask('web.default.svc.cluster.local');
    expect(rcode(r)).toBe('NOERROR');
    expect(r.id).toBe(4242);
    expect(r.flag_aa).toBe(true);
    expect(datas(r)).toEqual(['10.96.5.5']);
    expect(datas(await askTcp('WEB.default.svc.cluster.local.'))).toEqual(['10.96.5.5']);
  });

  it('answers a headless Service with its ready pod IPs and StatefulSet pod names with one IP', async () => {
    expect((datas(await ask('db.prod.svc.cluster.local')) as string[]).sort()).toEqual(['10.244.0.7', '10.244.0.8']);
    expect(datas(await ask('db-1.db.prod.svc.cluster.local'))).toEqual(['10.244.0.8']);
    expect(rcode(await ask('db-2.db.prod.svc.cluster.local'))).toBe('NXDOMAIN');
    expect(rcode(await ask('empty.default.svc.cluster.local'))).toBe('NXDOMAIN');
  });

  it('answers SRV for named ports: the Service name for ClusterIP, each pod for headless', async () => {
    const web = await ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(datas(web)).toEqual([{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    expect((web.additionals ?? []).map(dataOf)).toEqual(['10.96.5.5']);
    const db = await ask('_pg._tcp.db.prod.svc.cluster.local', 'SRV');
    expect((db.answers ?? []).map((a) => (dataOf(a) as { target: string }).target).sort()).toEqual(['db-0.db.prod.svc.cluster.local', 'db-1.db.prod.svc.cluster.local']);
    expect((dataOf(db.answers?.[0] as dnsPacket.Answer) as { port: number }).port).toBe(15432);
    expect(rcode(await ask('_nope._tcp.web.default.svc.cluster.local', 'SRV'))).toBe('NXDOMAIN');
  });

  it('answers NXDOMAIN with the zone SOA for unknown cluster names and NODATA for other types of known ones', async () => {
    const nx = await ask('nope.default.svc.cluster.local');
    expect(rcode(nx)).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]?.type).toBe('SOA');
    // What a pod's search path tries first for "web.default.svc.cluster.local" (ndots:5).
    expect(rcode(await ask('web.default.svc.cluster.local.default.svc.cluster.local'))).toBe('NXDOMAIN');
    const aaaa = await ask('web.default.svc.cluster.local', 'AAAA');
    expect(rcode(aaaa)).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
  });

  it('answers ExternalName with a CNAME, pod A records, and PTR for ClusterIPs and named pods', async () => {
    expect((await ask('ext.default.svc.cluster.local')).answers?.[0]).toMatchObject({ type: 'CNAME', data: 'example.org' });
    expect(datas(await ask('10-244-1-2.default.pod.cluster.local'))).toEqual(['10.244.1.2']);
    expect(datas(await ask('5.5.96.10.in-addr.arpa', 'PTR'))).toEqual(['web.default.svc.cluster.local']);
    expect(datas(await ask('8.0.244.10.in-addr.arpa', 'PTR'))).toEqual(['db-1.db.prod.svc.cluster.local']);
    expect(rcode(await ask('9.9.96.10.in-addr.arpa', 'PTR'))).toBe('NXDOMAIN');
  });

  it('forwards other names to the upstream resolver and passes its answer back', async () => {
    const r = await ask('example.com');
    expect(r.id).toBe(4242);
    expect(datas(r)).toEqual(['192.0.2.1']);
  });

  it('reads upstreams from resolv.conf without loopback resolvers or its own address', () => {
    const text = 'search example.com\nnameserver 127.0.0.53\nnameserver 10.96.0.10\nnameserver 192.0.2.53\n# nameserver 1.1.1.1\nnameserver ::1\n';
    expect(parseResolvConf(text, new Set(['10.96.0.10']))).toEqual([{ host: '192.0.2.53', port: 53 }]);
  });
});
