// The controller-manager's own HTTP endpoints: /healthz, /readyz and /metrics (Prometheus text).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Undefined when healthy, else why not. */
  unhealthy(): string | undefined;
  /** Undefined when ready, else why not. */
  unready(): string | undefined;
}

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on `bindAddress:port` and answers the three endpoints; anything else is 404. */
export async function startStatusServer(port: number, bindAddress: string, registry: Registry, health: HealthSource): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
    if (path === '/healthz' || path === '/livez') {
      const why = health.unhealthy();
      return why === undefined ? text(200, 'ok') : text(500, `unhealthy: ${why}\n`);
    }
    if (path === '/readyz') {
      const why = health.unready();
      return why === undefined ? text(200, 'ok') : text(500, `not ready: ${why}\n`);
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
        (e: unknown) => text(500, `metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
      );
      return;
    }
    text(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
