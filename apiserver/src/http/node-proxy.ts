// Proxies to a node's kubelet: pods/log (streamed), pods/exec|attach|portforward (WebSocket upgrades piped both ways) and nodes/{n}/proxy/*.
import type { IncomingMessage } from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Response } from 'express';
import {
  BadRequestError,
  InternalError,
  StatusError,
  lookupKind,
  toStatusError,
  type Node,
  type Pod,
  type ResourceInfo,
  type StatusReason,
} from '@keelson/api';
import type { ResourceStore } from '../rest/store';
import { parseResourcePath } from '../rest/request-info';

export interface NodeProxyContext {
  stores: Map<ResourceInfo, ResourceStore>;
}

/** Where a node's kubelet answers: its InternalIP (else another address) and status.daemonEndpoints.kubeletEndpoint.Port. */
export interface KubeletLocation {
  host: string;
  port: number;
}

function store(ctx: NodeProxyContext, kind: 'Pod' | 'Node'): ResourceStore {
  const info = lookupKind('v1', kind);
  const s = info !== undefined ? ctx.stores.get(info) : undefined;
  if (s === undefined) throw new InternalError(`no store for ${kind}`);
  return s;
}

export async function kubeletLocation(ctx: NodeProxyContext, nodeName: string): Promise<KubeletLocation> {
  const node = (await store(ctx, 'Node').get(undefined, nodeName)) as Node;
  const addresses = node.status?.addresses ?? [];
  const preferred = ['InternalIP', 'ExternalIP', 'Hostname'];
  const address = preferred.map((t) => addresses.find((a) => a.type === t)?.address).find((a) => a !== undefined && a !== '');
  if (address === undefined) throw new BadRequestError(`no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
  return { host: address, port: port > 0 ? port : 10250 };
}

/** The container a request means, as the API server's validateContainer decides it (a sole container may be left out). */
export function validateContainer(pod: Pod, container: string | undefined): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...((spec as { ephemeralContainers?: { name: string }[] } | undefined)?.ephemeralContainers ?? [])].map((c) => c.name);
  if (container === undefined || container === '') {
    const main = spec?.containers ?? [];
    if (main.length === 1 && main[0] !== undefined) return main[0].name;
    if (main.length === 0) throw new BadRequestError(`a container name must be specified for pod ${name}`);
    throw new BadRequestError(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw new BadRequestError(`container ${container} is not valid for pod ${name}`);
  return container;
}

function first(q: URLSearchParams, name: string): string | undefined {
  return q.get(name) ?? undefined;
}

function checkInt(q: URLSearchParams, name: string, min: number, rule: string): void {
  const v = first(q, name);
  if (v === undefined || v === '') return;
  if (!/^-?\d+$/.test(v)) throw new BadRequestError(`${name}: Invalid value: "${v}": must be an integer`);
  if (Number(v) < min) throw new BadRequestError(`${name}: Invalid value: ${v}: ${rule}`);
}

/** The kubelet path and query of a pods/log request (v1.PodLogOptions passed through). */
export function logPath(pod: Pod, q: URLSearchParams): string {
  const container = validateContainer(pod, first(q, 'container'));
  checkInt(q, 'tailLines', 0, 'must be greater than or equal to 0');
  checkInt(q, 'limitBytes', 1, 'must be greater than 0');
  checkInt(q, 'sinceSeconds', 1, 'must be greater than 0');
  if (q.has('sinceSeconds') && q.has('sinceTime')) throw new BadRequestError('at most one of `sinceTime` or `sinceSeconds` may be specified');
  const out = new URLSearchParams();
  for (const k of ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
    const v = first(q, k);
    if (v !== undefined && v !== '') out.set(k, v);
  }
  const qs = out.toString();
  return `/containerLogs/${encodeURIComponent(pod.metadata?.namespace ?? '')}/${encodeURIComponent(pod.metadata?.name ?? '')}/${encodeURIComponent(container)}${qs !== '' ? `?${qs}` : ''}`;
}

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/** The kubelet path of an exec/attach/portforward request, after the API server's checks. */
export function streamPath(pod: Pod, sub: 'exec' | 'attach' | 'portforward', q: URLSearchParams): string {
  const name = pod.metadata?.name ?? '';
  const ns = encodeURIComponent(pod.metadata?.namespace ?? '');
  if (sub === 'portforward') {
    if ((pod.spec?.nodeName ?? '') === '') throw new BadRequestError(`pod ${name} does not have a host assigned`);
    const ports = [...q.getAll('ports'), ...q.getAll('port')].flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    const out = new URLSearchParams();
    for (const p of ports) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BadRequestError(`ports: Invalid value: "${p}": must be between 1 and 65535, inclusive`);
      out.append('port', String(n));
    }
    return `/portForward/${ns}/${encodeURIComponent(name)}${ports.length > 0 ? `?${out.toString()}` : ''}`;
  }
  const container = validateContainer(pod, first(q, 'container'));
  if ((pod.spec?.nodeName ?? '') === '') throw new BadRequestError(`pod ${name} does not have a host assigned`);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new BadRequestError(`cannot exec into or attach to a container in a completed pod; current phase is ${phase}`);
  const stdin = truthy(q.get('stdin'));
  const stdout = truthy(q.get('stdout'));
  const stderr = truthy(q.get('stderr'));
  const tty = truthy(q.get('tty'));
  if (!stdin && !stdout && !stderr) throw new BadRequestError('you must specify at least 1 of stdin, stdout, stderr');
  const out = new URLSearchParams();
  if (sub === 'exec') {
    const command = q.getAll('command');
    if (command.length === 0) throw new BadRequestError('you must specify at least one command for the container');
    for (const c of command) out.append('command', c);
  }
  out.set('stdin', String(stdin));
  out.set('stdout', String(stdout));
  out.set('stderr', String(stderr));
  out.set('tty', String(tty));
  return `/${sub}/${ns}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${out.toString()}`;
}

const reasons: Record<number, StatusReason> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** A kubelet's error answer as a Status, as Kubernetes' generic response checker makes one: same code, the body as message. */
export function kubeletError(code: number, body: string): StatusError {
  const message = body.trim() !== '' ? body.trim() : `the kubelet answered ${code}`;
  return new StatusError(code, reasons[code] ?? 'InternalError', message);
}

function kubeletRequest(loc: KubeletLocation, path: string, method: string, headers: Record<string, string> = {}): https.RequestOptions {
  // The kubelet's serving certificate is self-signed until the cluster CA exists (a later issue): not verified yet.
  return { host: loc.host, port: loc.port, path, method, headers, rejectUnauthorized: false };
}

function readBody(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      if (n < limit) chunks.push(c);
      n += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function dialError(e: Error, loc: KubeletLocation): StatusError {
  return new InternalError(`error dialing backend: dial tcp ${loc.host}:${loc.port}: ${e.message}`);
}

/**
 * GETs `path` from the kubelet and streams its answer to `res` (following logs for as long as the client
 * listens); a kubelet error becomes a Status with its code and text.
 */
export async function proxyGet(res: Response, loc: KubeletLocation, path: string, contentType?: string): Promise<void> {
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = https.request(kubeletRequest(loc, path, 'GET'), resolve);
    r.on('error', (e: Error) => reject(dialError(e, loc)));
    res.on('close', () => r.destroy());
    r.end();
  });
  if ((upstream.statusCode ?? 500) >= 300) throw kubeletError(upstream.statusCode ?? 500, await readBody(upstream));
  res.status(200);
  res.setHeader('Content-Type', contentType ?? upstream.headers['content-type'] ?? 'text/plain');
  res.flushHeaders();
  await new Promise<void>((resolve) => {
    upstream.on('data', (c: Buffer) => {
      if (!res.write(c)) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => resolve());
    upstream.on('error', () => resolve());
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
  });
  res.end();
}

/** GET pods/{name}/log: validated here, read from the pod's kubelet; an unscheduled pod has an empty log (as upstream). */
export async function servePodLog(res: Response, ctx: NodeProxyContext, ns: string, name: string, q: URLSearchParams): Promise<void> {
  const pod = (await store(ctx, 'Pod').get(ns, name)) as Pod;
  const path = logPath(pod, q);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') {
    res.status(200).type('text/plain').end();
    return;
  }
  await proxyGet(res, await kubeletLocation(ctx, nodeName), path, 'text/plain');
}

/** GET nodes/{name}/proxy/{path}: the kubelet's own API (stats/summary, healthz, pods, metrics/resource). */
export async function serveNodeProxy(res: Response, ctx: NodeProxyContext, nodeName: string, rest: string, search: string): Promise<void> {
  await proxyGet(res, await kubeletLocation(ctx, nodeName), `/${rest}${search}`);
}

function statusText(code: number): string {
  return ({ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' } as Record<number, string>)[code] ?? 'Error';
}

/** Answers an upgrade request that cannot be proxied with a Status, on the raw socket. */
export function refuseUpgrade(socket: Duplex, e: unknown): void {
  const status = toStatusError(e);
  const body = JSON.stringify(status.toStatus());
  socket.end(`HTTP/1.1 ${status.code} ${statusText(status.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const upgradeHeaders = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol'];

/** Pipes an upgraded connection to the kubelet, writing the kubelet's 101 answer back to the client first. */
function pipeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, loc: KubeletLocation, path: string): void {
  const headers: Record<string, string> = { Connection: 'Upgrade' };
  for (const h of upgradeHeaders) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const r = https.request(kubeletRequest(loc, path, 'GET', headers));
  r.on('upgrade', (kres: IncomingMessage, ksocket: Duplex, khead: Buffer) => {
    const lines = [`HTTP/1.1 101 Switching Protocols`];
    for (let i = 0; i + 1 < kres.rawHeaders.length; i += 2) lines.push(`${kres.rawHeaders[i] ?? ''}: ${kres.rawHeaders[i + 1] ?? ''}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (khead.length > 0) socket.write(khead);
    if (head.length > 0) ksocket.write(head);
    ksocket.on('error', () => socket.destroy());
    socket.on('error', () => ksocket.destroy());
    ksocket.on('close', () => socket.destroy());
    socket.on('close', () => ksocket.destroy());
    ksocket.pipe(socket);
    socket.pipe(ksocket);
  });
  r.on('response', (kres: IncomingMessage) => {
    void readBody(kres).then((body) => refuseUpgrade(socket, kubeletError(kres.statusCode ?? 500, body)));
  });
  r.on('error', (e: Error) => refuseUpgrade(socket, dialError(e, loc)));
  socket.on('close', () => r.destroy());
  r.end();
}

/**
 * The server's 'upgrade' listener: pods/{name}/exec|attach|portforward (GET or POST, as kubectl sends them) checked
 * here and piped to the pod's kubelet, subprotocol included. Only WebSocket upgrades are proxied; SPDY is refused
 * after the checks, so a client falling back to SPDY still sees why the pod cannot be reached.
 */
export function upgradeHandler(ctx: NodeProxyContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => undefined);
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://apiserver');
      const parsed = parseResourcePath(url.pathname);
      const sub = parsed?.kind === 'resource' ? parsed.subresource : undefined;
      if (parsed?.kind !== 'resource' || parsed.info.kind !== 'Pod' || parsed.name === undefined || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
        throw new BadRequestError(`upgrade requests are only served for pods/exec, pods/attach and pods/portforward`);
      }
      if (req.method !== 'GET' && req.method !== 'POST') throw new BadRequestError(`method ${req.method ?? ''} cannot upgrade`);
      const pod = (await store(ctx, 'Pod').get(parsed.namespace, parsed.name)) as Pod;
      const path = streamPath(pod, sub, url.searchParams);
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new BadRequestError(`unable to upgrade connection: only WebSocket (${String(req.headers.upgrade)} requested) is supported`);
      const loc = await kubeletLocation(ctx, pod.spec?.nodeName ?? '');
      pipeUpgrade(req, socket, head, loc, path);
    })().catch((e: unknown) => refuseUpgrade(socket, e));
  };
}
