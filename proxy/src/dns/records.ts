// Cluster DNS answers from the proxy's caches: Service A/SRV/CNAME, headless and StatefulSet pod names, pod A, PTR, NXDOMAIN.
import type { EndpointSlice, Service } from '@keelson/api';
import type * as dnsPacket from 'dns-packet';
import { serviceNameLabel } from '../endpoints';

export type Answer = dnsPacket.Answer;

/** What the resolver reads: the proxy's informer caches. */
export interface DnsData {
  service(namespace: string, name: string): Service | undefined;
  services(): readonly Service[];
  slices(namespace: string, service: string): readonly EndpointSlice[];
  allSlices(): readonly EndpointSlice[];
}

export interface ZoneOptions {
  /** Default `cluster.local`. */
  clusterDomain: string;
  /** TTL of every record (CoreDNS' kubernetes plugin defaults to 5 s). */
  ttl: number;
  /** The service CIDR: reverse lookups inside it are answered (NXDOMAIN when unknown), never forwarded. */
  serviceCIDR?: string;
}

/** A local answer, or "not ours": forward upstream. */
export type Resolution = { kind: 'forward' } | { kind: 'answer'; rcode: 'NOERROR' | 'NXDOMAIN'; answers: Answer[]; additionals: Answer[]; authorities: Answer[] };

const rcodes = { NOERROR: 0, NXDOMAIN: 3 } as const;
export const rcodeValue = (r: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'FORMERR' | 'NOTIMP' | 'REFUSED'): number =>
  r === 'SERVFAIL' ? 2 : r === 'FORMERR' ? 1 : r === 'NOTIMP' ? 4 : r === 'REFUSED' ? 5 : rcodes[r];

function soa(o: ZoneOptions): Answer {
  return {
    type: 'SOA',
    name: o.clusterDomain,
    ttl: o.ttl,
    class: 'IN',
    data: { mname: `ns.dns.${o.clusterDomain}`, rname: `hostmaster.${o.clusterDomain}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: o.ttl },
  };
}

const dashed = (ip: string): string => ip.replace(/\./g, '-');

interface NamedEndpoint {
  ip: string;
  hostname: string | undefined;
  ready: boolean;
}

/** Endpoint addresses of a Service (ready ones unless publishNotReadyAddresses), each once. */
function endpointsOf(svc: Service, slices: readonly EndpointSlice[]): NamedEndpoint[] {
  const all = svc.spec?.publishNotReadyAddresses === true;
  const seen = new Map<string, NamedEndpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    for (const e of s.endpoints) {
      const ready = e.conditions?.ready !== false;
      if (!ready && !all) continue;
      for (const ip of e.addresses) if (!seen.has(ip)) seen.set(ip, { ip, hostname: e.hostname ?? undefined, ready });
    }
  }
  return [...seen.values()];
}

function inCidr(ip: string, cidr: string | undefined): boolean {
  if (!cidr) return false;
  const [base, bits] = cidr.split('/');
  const toNum = (s: string): number => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const b = toNum(base ?? '');
  const n = toNum(ip);
  return n >= b - (b % size) && n < b - (b % size) + size;
}

/** Resolves one question against the caches. Names are compared lowercased, without the trailing dot. */
export function resolve(question: dnsPacket.Question, data: DnsData, o: ZoneOptions): Resolution {
  const name = question.name.toLowerCase().replace(/\.$/, '');
  const qtype: string = question.type;
  const zone = o.clusterDomain;
  const ok = (answers: Answer[], additionals: Answer[] = []): Resolution =>
    answers.length > 0 ? { kind: 'answer', rcode: 'NOERROR', answers, additionals, authorities: [] } : { kind: 'answer', rcode: 'NOERROR', answers: [], additionals: [], authorities: [soa(o)] };
  const nx = (): Resolution => ({ kind: 'answer', rcode: 'NXDOMAIN', answers: [], additionals: [], authorities: [soa(o)] });
  const a = (owner: string, ip: string): Answer => ({ type: 'A', name: owner, ttl: o.ttl, class: 'IN', data: ip });
  const want = (t: string): boolean => qtype === t || qtype === 'ANY';

  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || qtype !== 'PTR') return { kind: 'forward' };
    const ip = parts.reverse().join('.');
    const targets = reverse(ip, data, zone);
    if (targets.length > 0) return ok(targets.map((t) => ({ type: 'PTR', name, ttl: o.ttl, class: 'IN', data: t })));
    return inCidr(ip, o.serviceCIDR) ? nx() : { kind: 'forward' };
  }
  if (name !== zone && !name.endsWith(`.${zone}`)) return { kind: 'forward' };
  const labels = name === zone ? [] : name.slice(0, -(zone.length + 1)).split('.');
  if (labels.length === 0) return want('SOA') ? ok([soa(o)]) : ok([]);

  const kind = labels[labels.length - 1];
  if (kind === 'pod') {
    // <a-b-c-d>.<ns>.pod.<zone>, as CoreDNS' "pods insecure".
    const m = labels.length === 3 ? /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/.exec(labels[0] ?? '') : null;
    if (!m) return labels.length < 3 ? ok([]) : nx();
    return ok(want('A') ? [a(name, m.slice(1, 5).join('.'))] : []);
  }
  if (kind !== 'svc') return nx();
  if (labels.length <= 2) {
    // `svc.<zone>` or `<ns>.svc.<zone>`: names exist (empty non-terminals) when Services live under them.
    const ns = labels.length === 2 ? labels[0] : undefined;
    return data.services().some((s) => ns === undefined || s.metadata?.namespace === ns) ? ok([]) : nx();
  }
  const [first, second, third] = labels;
  if (labels.length === 3 && first !== undefined && second !== undefined) return serviceRecords(name, first, second, data, o, want, ok, nx, a);
  if (labels.length === 4 && first !== undefined && second !== undefined && third !== undefined) {
    // <hostname or a-b-c-d>.<svc>.<ns>.svc.<zone>: one endpoint of a headless Service.
    const svc = data.service(third, second);
    if (!svc || svc.spec?.clusterIP !== 'None') return nx();
    const ep = endpointsOf(svc, data.slices(third, second)).find((e) => e.hostname === first || dashed(e.ip) === first);
    if (!ep) return nx();
    return ok(want('A') ? [a(name, ep.ip)] : []);
  }
  if (labels.length === 5 && first?.startsWith('_') && second?.startsWith('_') && third !== undefined && labels[3] !== undefined) {
    return srvRecords(name, first.slice(1), second.slice(1), third, labels[3], data, o, want, ok, nx, a);
  }
  return nx();
}

function serviceRecords(
  name: string,
  svcName: string,
  ns: string,
  data: DnsData,
  o: ZoneOptions,
  want: (t: string) => boolean,
  ok: (answers: Answer[], additionals?: Answer[]) => Resolution,
  nx: () => Resolution,
  a: (owner: string, ip: string) => Answer,
): Resolution {
  const svc = data.service(ns, svcName);
  if (!svc) return nx();
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') {
    return ok([{ type: 'CNAME', name, ttl: o.ttl, class: 'IN', data: (spec.externalName ?? '').replace(/\.$/, '') }]);
  }
  const headless = spec.clusterIP === 'None';
  const eps = headless ? endpointsOf(svc, data.slices(ns, svcName)) : [];
  if (headless && eps.length === 0) return nx();
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  if (want('A')) {
    if (headless) for (const e of eps) answers.push(a(name, e.ip));
    else if (spec.clusterIP) answers.push(a(name, spec.clusterIP));
  }
  if (want('SRV')) {
    // SRV at the Service name: every named port (CoreDNS does the same).
    for (const p of spec.ports ?? []) {
      if (!p.name) continue;
      const r = srvRecords(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${name}`, p.name, (p.protocol ?? 'TCP').toLowerCase(), svcName, ns, data, o, () => true, ok, nx, a);
      if (r.kind === 'answer') {
        answers.push(...r.answers.map((x) => ({ ...x, name })));
        additionals.push(...r.additionals);
      }
    }
  }
  return ok(answers, additionals);
}

function srvRecords(
  name: string,
  portName: string,
  proto: string,
  svcName: string,
  ns: string,
  data: DnsData,
  o: ZoneOptions,
  want: (t: string) => boolean,
  ok: (answers: Answer[], additionals?: Answer[]) => Resolution,
  nx: () => Resolution,
  a: (owner: string, ip: string) => Answer,
): Resolution {
  const svc = data.service(ns, svcName);
  if (!svc || svc.spec?.type === 'ExternalName') return nx();
  const port = (svc.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP').toLowerCase() === proto);
  if (!port) return nx();
  if (!want('SRV')) return ok([]);
  const base = `${svcName}.${ns}.svc.${o.clusterDomain}`;
  if (svc.spec?.clusterIP !== 'None') {
    const ip = svc.spec?.clusterIP;
    return ok([{ type: 'SRV', name, ttl: o.ttl, class: 'IN', data: { priority: 0, weight: 100, port: port.port, target: base } }], ip ? [a(base, ip)] : []);
  }
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const slices = data.slices(ns, svcName);
  const targetPort = slices.flatMap((s) => s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP').toLowerCase() === proto)?.port ?? port.port;
  const eps = endpointsOf(svc, slices);
  if (eps.length === 0) return nx();
  for (const e of eps) {
    const target = `${e.hostname ?? dashed(e.ip)}.${base}`;
    answers.push({ type: 'SRV', name, ttl: o.ttl, class: 'IN', data: { priority: 0, weight: Math.floor(100 / eps.length), port: targetPort, target } });
    additionals.push(a(target, e.ip));
  }
  return ok(answers, additionals);
}

/** PTR targets for an address: a Service's ClusterIP, or a named endpoint of a headless Service. */
function reverse(ip: string, data: DnsData, zone: string): string[] {
  const out: string[] = [];
  for (const s of data.services()) {
    if (s.spec?.clusterIP === ip) out.push(`${s.metadata?.name ?? ''}.${s.metadata?.namespace ?? ''}.svc.${zone}`);
  }
  if (out.length > 0) return out;
  for (const sl of data.allSlices()) {
    const svc = sl.metadata?.labels?.[serviceNameLabel];
    if (!svc) continue;
    for (const e of sl.endpoints) {
      if (e.addresses.includes(ip) && e.hostname) out.push(`${e.hostname}.${svc}.${sl.metadata?.namespace ?? ''}.svc.${zone}`);
    }
  }
  return out;
}
