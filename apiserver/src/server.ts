// The API server: options → config, the express app, and run(config, signal) with a ready promise.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ForbiddenError,
  NotFoundError,
  RequestEntityTooLargeError,
  BadRequestError,
  resources,
  toStatusError,
  type Namespace,
  type ResourceInfo,
  lookupKind,
} from '@keelson/api';
import { aggregatedContentType, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, negotiateDiscovery, serverAddressByClientCIDRs, versionInfo } from './discovery';
import { handleResource, verbOf, type HandlerContext } from './http/resources';
import type { WatchSource } from './http/watch';
import { createLogger, type LogLevel, type Logger } from './log';
import { createMetrics, type ApiServerMetrics } from './metrics';
import { openapiRouter } from './openapi';
import { systemClock, type Clock } from './rest/meta';
import { parseResourcePath } from './rest/request-info';
import { ResourceStore, type NamespaceCheck } from './rest/store';
import { instrumentStorage } from './storage/instrumented';
import { openStorage } from './storage/open';
import type { Storage } from './storage/types';
import { CacheWatchSource } from './watch-source';

export interface ApiServerOptions {
  /** Storage URI: etcd://…, sqlite:///…, memory:// (default `memory://`). */
  storage?: string;
  port?: number;
  bindAddress?: string;
  logLevel?: LogLevel;
  /** No request log lines (tests). */
  quiet?: boolean;
  /** Largest request body accepted (default 3 MiB, as Kubernetes). */
  maxRequestBodyBytes?: number;
  clock?: Clock;
  /** Watch cache ring size per resource. */
  watchCacheCapacity?: number;
}

export interface ApiServerConfig {
  storage: string;
  port: number;
  bindAddress: string;
  logLevel: LogLevel;
  quiet: boolean;
  maxRequestBodyBytes: number;
  clock: Clock;
  watchCacheCapacity: number;
}

export function completeConfig(o: ApiServerOptions): ApiServerConfig {
  return {
    storage: o.storage ?? 'memory://',
    port: o.port ?? 6443,
    bindAddress: o.bindAddress ?? '127.0.0.1',
    logLevel: o.logLevel ?? 'info',
    quiet: o.quiet ?? false,
    maxRequestBodyBytes: o.maxRequestBodyBytes ?? 3 * 1024 * 1024,
    clock: o.clock ?? systemClock,
    watchCacheCapacity: o.watchCacheCapacity ?? 1000,
  };
}

export interface RunningApiServer {
  /** Resolves once storage answers and the port is listening. */
  ready: Promise<void>;
  /** `http://host:port` once ready. */
  url(): string;
  /** Resolves when the server has stopped (after the signal aborts). */
  done: Promise<void>;
  metrics: ApiServerMetrics;
}

/** The namespaces every cluster starts with. */
export const builtinNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

interface AppParts {
  app: express.Express;
  stores: Map<ResourceInfo, ResourceStore>;
  /** /readyz answers ok once this is called (storage answered, built-ins exist). */
  markReady: () => void;
}

function namespaceChecker(stores: Map<ResourceInfo, ResourceStore>): NamespaceCheck {
  const nsInfo = lookupKind('v1', 'Namespace');
  return async (namespace, info) => {
    if (!nsInfo) return;
    const store = stores.get(nsInfo);
    if (!store) return;
    let ns: Namespace;
    try {
      ns = (await store.get(undefined, namespace)) as Namespace;
    } catch (e: unknown) {
      if (e instanceof NotFoundError) throw new NotFoundError({ resource: 'namespaces', name: namespace });
      throw e;
    }
    // Events may still be written while a namespace terminates, as Kubernetes allows.
    if (ns.metadata?.deletionTimestamp && info.kind !== 'Event') {
      throw new ForbiddenError(`${info.resource}${info.group ? `.${info.group}` : ''} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        resource: info.resource,
        group: info.group,
      });
    }
  };
}

/** Builds the express app over a storage and a watch source. Nothing listens yet. */
export function createApp(storage: Storage, watches: WatchSource, config: ApiServerConfig, metrics: ApiServerMetrics, log: Logger): AppParts {
  const stores = new Map<ResourceInfo, ResourceStore>();
  const deps = { storage, clock: config.clock, namespaceCheck: namespaceChecker(stores) };
  for (const info of resources) stores.set(info, new ResourceStore(info, deps));
  const ctx: HandlerContext = { stores, watches, clock: config.clock };
  let ready = false;

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);

  // One log line and one metric sample per request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const parsed = parseResourcePath(req.path);
      if (parsed?.kind === 'resource') {
        const verb = verbOf(req.method, parsed, req.query);
        const labels = {
          verb,
          group: parsed.group,
          version: parsed.version,
          resource: parsed.info.resource,
          subresource: parsed.subresource ?? '',
          scope: parsed.name !== undefined ? 'resource' : parsed.namespace !== undefined ? 'namespace' : 'cluster',
        };
        metrics.requests.inc({ ...labels, code: String(res.statusCode) });
        if (verb !== 'WATCH') metrics.requestDuration.observe(labels, seconds);
      }
      if (!config.quiet) {
        log.info('request', {
          verb: req.method,
          path: req.originalUrl,
          code: res.statusCode,
          latencyMs: Math.round(seconds * 1e6) / 1e3,
          userAgent: req.headers['user-agent'] ?? '',
        });
      }
    });
    next();
  });

  app.get(['/healthz', '/livez'], (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    if (ready) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send('[-]storage not ready\nreadyz check failed');
  });
  app.get('/metrics', (_req, res, next) => {
    metrics.registry
      .metrics()
      .then((text) => res.type(metrics.registry.contentType).send(text))
      .catch(next);
  });

  // /openapi/v2 and /openapi/v3: kubectl explain, client-side validation, fieldValidation support.
  app.use(openapiRouter());

  app.get('/version', (_req, res) => {
    res.json(versionInfo({ runtime: { version: process.version, platform: process.platform, arch: process.arch } }));
  });
  app.get(['/api', '/apis'], (req, res) => {
    const format = negotiateDiscovery(req.headers.accept ?? '');
    const root = req.path === '/api' ? 'api' : 'apis';
    if (format !== 'legacy') {
      const version = format === 'aggregated-v2' ? 'v2' : 'v2beta1';
      res.type(aggregatedContentType(version)).send(JSON.stringify(aggregatedDiscovery(root, version)));
    } else if (root === 'api') {
      const local = req.socket.localAddress ?? '127.0.0.1';
      const host = local.includes(':') ? `[${local}]` : local;
      res.json(apiVersions(serverAddressByClientCIDRs({ defaultAddress: `${host}:${req.socket.localPort ?? 0}` }, req.socket.remoteAddress)));
    } else {
      res.json(apiGroupList());
    }
  });
  app.get(['/api/:version', '/apis/:group/:version'], (req, res, next) => {
    const list = apiResourceList(req.params['group'] ?? '', req.params['version'] ?? '');
    if (list) res.json(list);
    else next();
  });
  app.get('/apis/:group', (req, res, next) => {
    const group = apiGroup(req.params['group'] ?? '');
    if (group) res.json(group);
    else next();
  });

  app.use(
    express.raw({ type: () => true, limit: config.maxRequestBodyBytes }),
    (req: Request, res: Response, next: NextFunction) => {
      const parsed = parseResourcePath(req.path);
      if (!parsed) {
        next();
        return;
      }
      if (parsed.kind === 'unknown') {
        next(new NotFoundError({ resource: parsed.resource, group: parsed.group }, 'the server could not find the requested resource'));
        return;
      }
      handleResource(req, res, ctx, parsed).catch(next);
    },
  );

  app.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError({}, 'the server could not find the requested resource'));
  });

  // Every failure leaves as a Kubernetes Status.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = mapExpressError(err, config.maxRequestBodyBytes);
    if (status.code >= 500) log.error('request failed', { error: err instanceof Error ? err.stack ?? err.message : String(err) });
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status.code).json(status.toStatus());
  });

  return {
    app,
    stores,
    markReady: () => {
      ready = true;
    },
  };
}

function mapExpressError(err: unknown, limit: number): ReturnType<typeof toStatusError> {
  const e = err as { type?: string; status?: number } | undefined;
  if (e?.type === 'entity.too.large') return new RequestEntityTooLargeError(limit);
  if (e?.type === 'request.aborted') return new BadRequestError('the request was aborted by the client');
  if (e?.status === 400 && e.type !== undefined) return new BadRequestError(`malformed request: ${String(e.type)}`);
  return toStatusError(err);
}

/** Creates the built-in namespaces if they are missing. */
async function ensureBuiltinNamespaces(stores: Map<ResourceInfo, ResourceStore>): Promise<void> {
  const nsInfo = lookupKind('v1', 'Namespace');
  const store = nsInfo ? stores.get(nsInfo) : undefined;
  if (!store) return;
  for (const name of builtinNamespaces) {
    try {
      await store.get(undefined, name);
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
      try {
        await store.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } catch (c: unknown) {
        if (toStatusError(c).reason !== 'AlreadyExists') throw c;
      }
    }
  }
}

/** Starts the API server; it stops when `signal` aborts. */
export function run(options: ApiServerOptions, signal: AbortSignal): RunningApiServer {
  const config = completeConfig(options);
  const metrics = createMetrics();
  const log = createLogger(config.logLevel, false);
  let address = '';
  let server: Server | undefined;
  let storage: Storage | undefined;
  let watches: CacheWatchSource | undefined;

  const ready = (async () => {
    const raw = await openStorage(config.storage);
    storage = instrumentStorage(raw, metrics.storageDuration);
    await storage.currentRevision();
    watches = new CacheWatchSource(storage, { capacity: config.watchCacheCapacity, log, metrics });
    const parts = createApp(storage, watches, config, metrics, log);
    await watches.startAll(resources);
    await ensureBuiltinNamespaces(parts.stores);
    parts.markReady();
    await new Promise<void>((resolve, reject) => {
      const s = parts.app.listen(config.port, config.bindAddress, () => resolve());
      s.once('error', reject);
      server = s;
    });
    const a = server?.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    address = `http://${host}:${a.port}`;
    log.info('apiserver listening', { url: address, storage: storage.backend });
  })();

  const done = (async () => {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await ready.catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await watches?.stop();
    await storage?.close();
  })();

  return { ready, url: () => address, done, metrics };
}
