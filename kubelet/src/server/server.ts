// The kubelet's HTTPS API (port 10250): /healthz, /pods, /containerLogs, /exec, /attach, /portForward, /stats/summary, /metrics/resource.
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '@keelson/client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger as WinstonLogger } from 'winston';
import type { RuntimeClient } from '../shim/client';
import { ensureServingCert } from './cert';
import { negotiate, portForwardProtocols, remoteCommandProtocols } from './channels';
import { KubeletHttpError, logContainerId, podOrThrow, runningContainerId, type PodSource } from './containers';
import { streamLog, type LogOptions } from './logs';
import { StatsProvider, resourceMetrics } from './stats';
import { serveAttach, serveExec, servePortForward, type StreamOptions } from './streams';

export interface KubeletServerOptions {
  runtime: RuntimeClient;
  pods: PodSource;
  nodeName: string;
  rootDir: string;
  /** Default 10250; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  bindAddress?: string;
  /** The node's addresses, put into the self-signed certificate's subjectAltNames. */
  addresses?: string[];
  /** A serving pair to use instead of the self-signed one in <rootDir>/pki. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  logger: WinstonLogger;
  clock?: Clock;
  /** How often followed logs are polled. Default 200 ms. */
  logPollMs?: number;
}

export interface RunningKubeletServer {
  /** The port actually listening (useful with port 0). */
  readonly port: number;
  readonly certFile: string;
  close(): Promise<void>;
}

function intQuery(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new KubeletHttpError(400, `${name}: must be an integer, got "${v}"`);
  return Number(v);
}

function boolQuery(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

/** `kubectl logs` options from the query, as the kubelet reads v1.PodLogOptions. */
export function logOptions(q: URLSearchParams, nowMs: number): LogOptions & { previous: boolean } {
  const sinceSeconds = intQuery(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime !== null) throw new KubeletHttpError(400, 'at most one of sinceTime or sinceSeconds may be specified');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw new KubeletHttpError(400, 'sinceSeconds: must be greater than 0');
    sinceMs = nowMs - sinceSeconds * 1000;
  } else if (sinceTime !== null && sinceTime !== '') {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw new KubeletHttpError(400, `sinceTime: not an RFC3339 time: "${sinceTime}"`);
  }
  const limitBytes = intQuery(q, 'limitBytes');
  if (limitBytes !== undefined && limitBytes < 1) throw new KubeletHttpError(400, 'limitBytes: must be greater than 0');
  return { follow: boolQuery(q, 'follow'), previous: boolQuery(q, 'previous'), timestamps: boolQuery(q, 'timestamps'), tailLines: intQuery(q, 'tailLines'), sinceMs, limitBytes };
}

/** exec/attach stream flags from the query (`input`/`output` are older spellings some clients still send). */
function streamOptions(q: URLSearchParams): StreamOptions {
  return {
    stdin: boolQuery(q, 'stdin') || boolQuery(q, 'input'),
    stdout: boolQuery(q, 'stdout') || boolQuery(q, 'output'),
    stderr: boolQuery(q, 'stderr') || boolQuery(q, 'error'),
    tty: boolQuery(q, 'tty'),
  };
}

/** Ports of a port-forward request: `port` (what the API server sends) or `ports`, repeated or comma-separated. */
export function forwardPorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('port'), ...q.getAll('ports')].flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (raw.length === 0) throw new KubeletHttpError(400, 'at least one port must be specified');
  return raw.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new KubeletHttpError(400, `invalid port "${s}": must be between 1 and 65535`);
    return n;
  });
}

function segments(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
}

function fail(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/** Refuses an upgrade on the raw socket with a plain-text HTTP error, before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, code: number, message: string): void {
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<RunningKubeletServer> {
  const clock = o.clock ?? systemClock;
  const log = o.logger;
  const tls = await ensureServingCert(
    path.join(o.rootDir, 'pki'),
    o.nodeName,
    o.addresses ?? [],
    o.tlsCertFile !== undefined && o.tlsKeyFile !== undefined ? { certFile: o.tlsCertFile, keyFile: o.tlsKeyFile } : undefined,
  );
  const stats = new StatsProvider({
    nodeName: o.nodeName,
    rootDir: o.rootDir,
    clock,
    pods: () => o.pods.list(),
    containerStats: () => o.runtime.listContainerStats(),
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  const requests = new Set<AbortController>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = segments(url.pathname);
    const [root] = parts;
    if (req.method !== 'GET' && req.method !== 'HEAD' && root !== 'exec' && root !== 'attach' && root !== 'portForward') throw new KubeletHttpError(405, `method ${req.method ?? ''} is not allowed`);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/pods') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: o.pods.list() }));
      return;
    }
    if (url.pathname === '/stats/summary') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await stats.summary()));
      return;
    }
    if (url.pathname === '/metrics/resource') {
      const s = await stats.summary();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(resourceMetrics(s, clock.now()));
      return;
    }
    if (root === 'containerLogs' && parts.length === 4) {
      const [, ns = '', name = '', container = ''] = parts;
      const pod = podOrThrow(o.pods, ns, name);
      const opts = logOptions(url.searchParams, clock.now());
      const id = logContainerId(pod, container, opts.previous);
      const status = await o.runtime.containerStatus(id).catch(() => {
        throw new KubeletHttpError(400, `container "${container}" in pod "${name}" is not available`);
      });
      const abort = new AbortController();
      requests.add(abort);
      res.on('close', () => abort.abort());
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      try {
        await streamLog(status.logPath, opts, {
          clock,
          signal: abort.signal,
          ...(o.logPollMs !== undefined ? { pollMs: o.logPollMs } : {}),
          isRunning: async () => (await o.runtime.containerStatus(id).catch(() => undefined))?.state === 'CONTAINER_RUNNING',
          write: (text) =>
            new Promise<void>((resolve) => {
              if (abort.signal.aborted || res.write(text)) resolve();
              else res.once('drain', resolve);
            }),
        });
      } finally {
        requests.delete(abort);
        res.end();
      }
      return;
    }
    if (root === 'exec' || root === 'attach' || root === 'portForward') throw new KubeletHttpError(400, `${root} needs a WebSocket upgrade (Upgrade: websocket with one of the subprotocols ${[...remoteCommandProtocols].join(', ')})`);
    throw new KubeletHttpError(404, `404 page not found`);
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = segments(url.pathname);
    const [root, ns = '', name = ''] = parts;
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new KubeletHttpError(400, `unsupported upgrade "${req.headers.upgrade ?? ''}": only websocket is served (SPDY is not)`);
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const pod = podOrThrow(o.pods, ns, name);
    let accept: (ws: WebSocket, protocol: string) => void;
    let protocol: string | undefined;
    if ((root === 'exec' || root === 'attach') && parts.length === 4) {
      const container = parts[3] ?? '';
      const p = negotiate(offered, remoteCommandProtocols);
      if (p === undefined) throw new KubeletHttpError(400, `none of the requested subprotocols [${offered.join(', ')}] is supported; supported: [${remoteCommandProtocols.join(', ')}]`);
      protocol = p;
      const opts = streamOptions(url.searchParams);
      if (!opts.stdin && !opts.stdout && !opts.stderr) throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
      if (opts.tty && opts.stderr && root === 'exec') opts.stderr = false;
      const id = runningContainerId(pod, container);
      if (root === 'exec') {
        const command = url.searchParams.getAll('command');
        if (command.length === 0) throw new KubeletHttpError(400, 'you must specify at least one command for the container');
        accept = (ws) => serveExec(ws, p, o.runtime, id, command, opts, log);
      } else {
        const spec = pod.spec?.containers.find((c) => c.name === container);
        accept = (ws) => {
          serveAttach(ws, p, id, opts, { runtime: o.runtime, clock, logger: log, containerStdin: spec?.stdin === true }).catch((e: unknown) => {
            log.warn('attach failed', { pod: `${ns}/${name}`, container, error: (e as Error).message });
            ws.close(1011, 'attach failed');
          });
        };
      }
    } else if (root === 'portForward' && parts.length === 3) {
      const p = negotiate(offered, portForwardProtocols);
      if (p === undefined) throw new KubeletHttpError(400, `none of the requested subprotocols [${offered.join(', ')}] is supported; supported: [${portForwardProtocols.join(', ')}]`);
      protocol = p;
      const ports = forwardPorts(url.searchParams);
      const ip = pod.status?.podIP ?? '';
      if (ip === '') throw new KubeletHttpError(400, `pod "${name}" has no IP address yet`);
      accept = (ws) => servePortForward(ws, ip, ports, log);
    } else {
      throw new KubeletHttpError(404, '404 page not found');
    }
    const chosen = protocol;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', (e: Error) => log.debug('websocket error', { error: e.message }));
      accept(ws, chosen);
    });
  };
  wss.options.handleProtocols = (protocols: Set<string>) => negotiate(protocols, [...remoteCommandProtocols, ...portForwardProtocols]) ?? false;

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof KubeletHttpError) fail(res, e.code, e.message);
      else {
        log.warn('kubelet API request failed', { path: req.url, error: (e as Error).message });
        fail(res, 500, (e as Error).message);
      }
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((e: unknown) => {
      if (e instanceof KubeletHttpError) refuseUpgrade(socket, e.code, e.message);
      else {
        log.warn('kubelet API upgrade failed', { path: req.url, error: (e as Error).message });
        refuseUpgrade(socket, 500, (e as Error).message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 10250, o.bindAddress ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info('kubelet API listening', { port, cert: tls.certFile });
  return {
    port,
    certFile: tls.certFile,
    close: async () => {
      for (const a of requests) a.abort();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
