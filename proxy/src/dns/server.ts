// The node-local cluster DNS server: UDP and TCP on port 53 of the kube-dns address, cluster names from caches, the rest forwarded.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { queryTcp, queryUdp, type Upstream } from './upstream';
import { rcodeValue, resolve, type DnsData, type ZoneOptions } from './records';

export interface DnsLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

export interface DnsServerOptions extends ZoneOptions {
  /** Address to serve on (the kube-dns ClusterIP on this node). */
  address: string;
  port: number;
  data: DnsData;
  /** Resolvers for other names, asked in order; read each time so resolv.conf edits are seen. */
  upstreams: () => Upstream[];
  upstreamTimeoutMs: number;
  logger: DnsLogger;
  /** Counts answers by rcode and transport (metrics). */
  onAnswer?: (rcode: string, transport: 'udp' | 'tcp', forwarded: boolean) => void;
}

const flagsOf = (query: dnsPacket.DecodedPacket, rcode: number, authoritative: boolean): number =>
  (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | rcode;

/** Serves DNS on one address over UDP and TCP. */
export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly o: DnsServerOptions) {}

  async start(): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolveBind, reject) => {
      udp.once('error', reject);
      udp.bind(this.o.port, this.o.address, () => {
        udp.off('error', reject);
        resolveBind();
      });
    });
    udp.on('error', (e) => this.o.logger.warn('dns udp socket error', { error: e.message }));
    udp.on('message', (msg, rinfo) => {
      this.handle(msg, 'udp').then(
        (reply) => {
          if (reply) udp.send(reply, rinfo.port, rinfo.address);
        },
        (e: unknown) => this.o.logger.warn('dns query failed', { error: String(e) }),
      );
    });
    this.udp = udp;
    const tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolveListen, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.o.port, this.o.address, () => {
        tcp.off('error', reject);
        resolveListen();
      });
    });
    this.tcp = tcp;
  }

  /** The UDP port actually bound (tests bind port 0). */
  port(): number {
    return this.udp?.address().port ?? 0;
  }

  tcpPort(): number {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    this.udp = undefined;
    this.tcp = undefined;
  }

  private serveTcp(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        this.handle(msg, 'tcp').then(
          (reply) => {
            if (!reply || sock.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(reply.length);
            sock.write(Buffer.concat([len, reply]));
          },
          (e: unknown) => this.o.logger.warn('dns query failed', { error: String(e) }),
        );
      }
    });
  }

  /** One query in, one reply out (undefined: drop, the packet was not a query). */
  async handle(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      if (msg.length < 12) return undefined;
      // Too malformed to parse: FORMERR with the id echoed.
      const reply = Buffer.alloc(12);
      msg.copy(reply, 0, 0, 2);
      reply.writeUInt16BE(0x8000 | rcodeValue('FORMERR'), 2);
      return reply;
    }
    if (query.type !== 'query') return undefined;
    const q = query.questions?.[0];
    const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
    if (!q || (query.questions?.length ?? 0) !== 1) {
      this.o.onAnswer?.('FORMERR', transport, false);
      return dnsPacket.encode({ ...base, flags: flagsOf(query, rcodeValue('FORMERR'), false) });
    }
    const r = resolve(q, this.o.data, this.o);
    if (r.kind === 'forward') return this.forward(msg, query, transport);
    this.o.onAnswer?.(r.rcode, transport, false);
    const full = dnsPacket.encode({ ...base, flags: flagsOf(query, rcodeValue(r.rcode), true), answers: r.answers, additionals: r.additionals, authorities: r.authorities });
    const edns = query.additionals?.find((x) => x.type === 'OPT');
    const limit = Math.max(512, edns?.udpPayloadSize ?? 512);
    if (transport === 'udp' && full.length > limit) {
      return dnsPacket.encode({ ...base, flags: flagsOf(query, rcodeValue(r.rcode), true) | dnsPacket.TRUNCATED_RESPONSE });
    }
    return full;
  }

  private async forward(msg: Buffer, query: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp'): Promise<Buffer> {
    const upstreams = this.o.upstreams();
    let last: unknown;
    for (const u of upstreams) {
      try {
        const reply = transport === 'udp' ? await queryUdp(u, msg, this.o.upstreamTimeoutMs) : await queryTcp(u, msg, this.o.upstreamTimeoutMs);
        this.o.onAnswer?.('forwarded', transport, true);
        return reply;
      } catch (e: unknown) {
        last = e;
      }
    }
    this.o.logger.debug('no upstream answered', { name: query.questions?.[0]?.name, error: last === undefined ? 'no upstreams' : last instanceof Error ? last.message : 'unknown' });
    this.o.onAnswer?.('SERVFAIL', transport, true);
    return dnsPacket.encode({ type: 'response', id: query.id ?? 0, questions: query.questions ?? [], flags: flagsOf(query, rcodeValue('SERVFAIL'), false) });
  }
}
