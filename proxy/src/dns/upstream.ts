// Upstream resolvers for names outside the cluster: parsed from resolv.conf, queried over UDP or TCP with a timeout.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { readFileSync } from 'node:fs';

export class UpstreamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

export interface Upstream {
  host: string;
  port: number;
}

/**
 * The `nameserver` lines of a resolv.conf, minus addresses that would loop back to us: any
 * 127.x (systemd-resolved's stub, or ourselves) and the addresses we serve on.
 */
export function parseResolvConf(text: string, exclude: ReadonlySet<string> = new Set()): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const host = m?.[1];
    if (!host || host.startsWith('127.') || host === '::1' || exclude.has(host) || net.isIP(host) === 0) continue;
    out.push({ host, port: 53 });
  }
  return out;
}

export function readUpstreams(path: string, exclude: ReadonlySet<string>): Upstream[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'), exclude);
  } catch {
    return [];
  }
}

/** Sends one raw query over UDP; resolves with the first reply carrying the same id. */
export function queryUdp(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => finish(new UpstreamError(`no answer from ${u.host}:${u.port} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err: Error | undefined, msg?: Buffer): void => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else if (msg) resolve(msg);
    };
    sock.on('error', (e) => finish(new UpstreamError(`upstream ${u.host}:${u.port}: ${e.message}`, { cause: e })));
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) finish(undefined, msg);
    });
    sock.send(query, u.port, u.host);
  });
}

/** Sends one raw query over TCP (2-byte length framing); resolves with the reply. */
export function queryTcp(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new UpstreamError(`no answer from ${u.host}:${u.port} (tcp) within ${timeoutMs} ms`)), timeoutMs);
    const done = (err: Error | undefined, msg?: Buffer): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else if (msg) resolve(msg);
    };
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', (e) => done(new UpstreamError(`upstream ${u.host}:${u.port} (tcp): ${e.message}`, { cause: e })));
    sock.on('close', () => done(new UpstreamError(`upstream ${u.host}:${u.port} closed the connection`)));
  });
}
