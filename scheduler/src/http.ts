// The scheduler's small HTTP server: /healthz, /readyz and /metrics (Prometheus text).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

export interface HttpHandlers {
  registry: Registry;
  /** /healthz: the process is working. */
  healthy(): boolean;
  /** /readyz: caches are synced. */
  ready(): boolean;
}

export async function startHttpServer(port: number, bindAddress: string, h: HttpHandlers): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const plain = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(405, 'method not allowed\n');
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      if (h.healthy()) plain(200, 'ok');
      else plain(500, 'unhealthy');
      return;
    }
    if (path === '/readyz') {
      if (h.ready()) plain(200, 'ok');
      else plain(503, 'caches not synced');
      return;
    }
    if (path === '/metrics') {
      h.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': h.registry.contentType }).end(text);
        },
        (e: unknown) => plain(500, `metrics: ${e instanceof Error ? e.message : String(e)}\n`),
      );
      return;
    }
    plain(404, 'not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
