// The API server: options → config, the express app, and run(config, signal) with a ready promise.
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  NotFoundError,
  RequestEntityTooLargeError,
  BadRequestError,
  resources,
  toStatusError,
  type ResourceInfo,
  lookupKind,
  storageKey,
} from '@keelson/api';
import { aggregatedContentType, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, negotiateDiscovery, serverAddressByClientCIDRs, versionInfo } from './discovery';
import { handleResource, verbOf, type HandlerContext } from './http/resources';
import { serveNodeProxy, upgradeHandler } from './http/node-proxy';
import type { WatchSource } from './http/watch';
import { createLogger, type LogLevel, type Logger } from './log';
import { createMetrics, type ApiServerMetrics } from './metrics';
import { openapiRouter } from './openapi';
import { systemClock, type Clock } from './rest/meta';
import { parseResourcePath, type ResourceRequest } from './rest/request-info';
import { NamespaceLifecycle, recordingWrites } from './rest/namespace-lifecycle';
import { ResourceStore } from './rest/store';
import { instrumentStorage } from './storage/instrumented';
import { openStorage } from './storage/open';
import type { Storage } from './storage/types';
import { CacheWatchSource } from './watch-source';
import { ServiceAllocator, defaultNodePortRange, defaultServiceCIDR } from './allocators';
import { advertisedAddress, ensureKubernetesService, repairServices } from './allocators/builtin';
import { createAuthHook, loadSecurity, type AuthHook, type LoadedSecurity, type SecretLike } from './auth';

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
  /** Service ClusterIP range (--service-cluster-ip-range, default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** NodePort range (--service-node-port-range, default 30000-32767). */
  serviceNodePortRange?: string;
  /** The address the `kubernetes` Service's endpoints point at (--advertise-address); default the bind address, or the first non-loopback IPv4 when bound to 0.0.0.0. */
  advertiseAddress?: string;
  /** How often leaked ClusterIPs/NodePorts are looked for (default 3 minutes). */
  serviceRepairIntervalMs?: number;
  /** Serve HTTPS with this certificate (PEM; --tls-cert-file). Without it (and the key) the server speaks plain HTTP. */
  tlsCertFile?: string;
  /** The serving certificate's private key (--tls-private-key-file). */
  tlsPrivateKeyFile?: string;
  /** Client certificates signed by this CA authenticate: CN the user, O its groups (--client-ca-file). Also served at /cacerts. */
  clientCAFile?: string;
  /** Static bearer tokens, CSV `token,user,uid,"group1,group2"` (--token-auth-file). */
  tokenAuthFile?: string;
  /** Bootstrap tokens (kube-system Secrets of type bootstrap.kubernetes.io/token) authenticate (--enable-bootstrap-token-auth). */
  enableBootstrapTokenAuth?: boolean;
  /** `AlwaysAllow` (every request, anonymous included) or `Node` (see auth/README.md). Default `Node` when any authenticator is configured. */
  authorizationMode?: 'AlwaysAllow' | 'Node';
  /** The CA that signs node client certificates posted to /v1-keelson/client-kubelet.crt (--cluster-signing-cert-file / -key-file). */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
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
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  advertiseAddress: string | undefined;
  serviceRepairIntervalMs: number;
  tlsCertFile: string | undefined;
  tlsPrivateKeyFile: string | undefined;
  clientCAFile: string | undefined;
  tokenAuthFile: string | undefined;
  enableBootstrapTokenAuth: boolean;
  authorizationMode: 'AlwaysAllow' | 'Node';
  clusterSigningCertFile: string | undefined;
  clusterSigningKeyFile: string | undefined;
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
    serviceClusterIPRange: o.serviceClusterIPRange ?? defaultServiceCIDR,
    serviceNodePortRange: o.serviceNodePortRange ?? defaultNodePortRange,
    advertiseAddress: o.advertiseAddress,
    serviceRepairIntervalMs: o.serviceRepairIntervalMs ?? 180_000,
    tlsCertFile: o.tlsCertFile,
    tlsPrivateKeyFile: o.tlsPrivateKeyFile,
    clientCAFile: o.clientCAFile,
    tokenAuthFile: o.tokenAuthFile,
    enableBootstrapTokenAuth: o.enableBootstrapTokenAuth ?? false,
    authorizationMode: o.authorizationMode ?? (o.clientCAFile !== undefined || o.tokenAuthFile !== undefined || o.enableBootstrapTokenAuth === true ? 'Node' : 'AlwaysAllow'),
    clusterSigningCertFile: o.clusterSigningCertFile,
    clusterSigningKeyFile: o.clusterSigningKeyFile,
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
  /** ClusterIP and NodePort allocation for Services. */
  services: ServiceAllocator;
  /** Authentication and authorization (undefined under AlwaysAllow). */
  auth: AuthHook | undefined;
}

/** What the resource middleware leaves on `res.locals` for the request's log line and metrics. */
interface RequestLocals {
  resourceRequest?: ReturnType<typeof parseResourcePath> | null;
}

/**
 * apiserver_request_total and apiserver_request_duration_seconds, with each label set's child
 * metric looked up once (prom-client hashes a label object on every call otherwise).
 */
class RequestMetrics {
  private readonly counters = new Map<string, { inc(): void }>();
  private readonly durations = new Map<string, { observe(v: number): void }>();

  constructor(private readonly metrics: ApiServerMetrics) {}

  record(method: string, r: ResourceRequest, query: Request['query'], code: number, seconds: number): void {
    const verb = verbOf(method, r, query);
    const scope = r.name !== undefined ? 'resource' : r.namespace !== undefined ? 'namespace' : 'cluster';
    const subresource = r.subresource ?? '';
    const key = `${verb} ${r.group} ${r.version} ${r.info.resource} ${subresource} ${scope}`;
    const codeKey = `${key} ${code}`;
    let counter = this.counters.get(codeKey);
    if (counter === undefined) {
      counter = this.metrics.requests.labels({ verb, group: r.group, version: r.version, resource: r.info.resource, subresource, scope, code: String(code) });
      this.counters.set(codeKey, counter);
    }
    counter.inc();
    if (verb === 'WATCH') return;
    let duration = this.durations.get(key);
    if (duration === undefined) {
      duration = this.metrics.requestDuration.labels({ verb, group: r.group, version: r.version, resource: r.info.resource, subresource, scope });
      this.durations.set(key, duration);
    }
    duration.observe(seconds);
  }
}

/** Builds the express app over a storage and a watch source. Nothing listens yet. */
export function createApp(storage: Storage, watches: WatchSource, config: ApiServerConfig, metrics: ApiServerMetrics, log: Logger, security?: LoadedSecurity): AppParts {
  const stores = new Map<ResourceInfo, ResourceStore>();
  const nsInfo = lookupKind('v1', 'Namespace');
  const namespaces = new NamespaceLifecycle(
    nsInfo && watches.peek ? (name) => watches.peek?.(nsInfo, undefined, name) : undefined,
    (name) => (nsInfo ? storage.get(storageKey(nsInfo, undefined, name)) : Promise.resolve(undefined)),
  );
  const services = new ServiceAllocator(storage, { serviceCIDR: config.serviceClusterIPRange, nodePortRange: config.serviceNodePortRange });
  const deps = { storage, clock: config.clock, namespaceCheck: (ns: string, info: ResourceInfo) => namespaces.check(ns, info), allocators: new Map([['Service', services]]) };
  // Namespace writes are noted, so admission never trusts a cache older than this server's own writes.
  const nsDeps = { ...deps, storage: recordingWrites(storage, (rv) => namespaces.noteWrite(rv)) };
  for (const info of resources) stores.set(info, new ResourceStore(info, info === nsInfo ? nsDeps : deps));
  const ctx: HandlerContext = { stores, watches, clock: config.clock };
  let ready = false;

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);

  const requestMetrics = new RequestMetrics(metrics);
  // One log line and one metric sample per request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The resource middleware parsed the path already (null: not a resource path).
      const known = (res.locals as RequestLocals).resourceRequest;
      const parsed = known === undefined ? parseResourcePath(req.path) : known;
      if (parsed?.kind === 'resource') requestMetrics.record(req.method, parsed, req.query, res.statusCode, seconds);
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

  // Every request is authenticated and authorized before anything else answers it (auth/).
  const auth = config.authorizationMode === 'Node' ? authHook(stores, watches, config, security, log) : undefined;
  if (auth !== undefined) app.use(auth.middleware);

  // nodes/{name}/proxy/{path}: the node's kubelet API (stats/summary, healthz, pods), read through http/node-proxy.ts.
  app.get(/^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/, (req, res, next) => {
    const m = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/.exec(req.path);
    const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    serveNodeProxy(res, { stores }, decodeURIComponent(m?.[1] ?? ''), (m?.[2] ?? '/').slice(1), search).catch(next);
  });
  // Resource requests first: they are nearly all the traffic, and no other route matches their paths.
  app.use(
    express.raw({ type: () => true, limit: config.maxRequestBodyBytes }),
    (req: Request, res: Response, next: NextFunction) => {
      const path = req.path;
      const parsed = path.startsWith('/api/') || path.startsWith('/apis/') ? parseResourcePath(path) : undefined;
      (res.locals as RequestLocals).resourceRequest = parsed ?? null;
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
    services,
    auth,
  };
}

/** The auth hook over this server's stores (bootstrap token Secrets, pods' nodes). */
function authHook(stores: Map<ResourceInfo, ResourceStore>, watches: WatchSource, config: ApiServerConfig, security: LoadedSecurity | undefined, log: Logger): AuthHook {
  const lookup = async (kind: string, namespace: string, name: string): Promise<unknown> => {
    const info = lookupKind('v1', kind);
    const store = info ? stores.get(info) : undefined;
    try {
      return await store?.get(namespace, name);
    } catch (e: unknown) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
  return createAuthHook({
    tokens: security?.tokens ?? new Map(),
    bootstrapTokens: config.enableBootstrapTokenAuth,
    now: () => config.clock.now(),
    getSecret: async (ns, name) => (await lookup('Secret', ns, name)) as SecretLike | undefined,
    podNodeName: async (ns, name) => {
      // A pod's nodeName never changes once set: the watch cache answers when it has it, storage otherwise (a just-bound pod).
      const podInfo = lookupKind('v1', 'Pod');
      const cached = podInfo ? (watches.peek?.(podInfo, ns, name)?.object as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName : undefined;
      if (cached !== undefined && cached !== '') return cached;
      return ((await lookup('Pod', ns, name)) as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName;
    },
    ...(security?.caBundle !== undefined ? { caBundle: security.caBundle } : {}),
    ...(security?.signer !== undefined ? { signer: security.signer } : {}),
    maxRequestBodyBytes: config.maxRequestBodyBytes,
    onDenied: (user, message) => log.debug('forbidden', { user, message }),
  });
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
  let repairTimer: NodeJS.Timeout | undefined;
  const leaks = new Map<string, number>();

  const ready = (async () => {
    const security = loadSecurity(config);
    const raw = await openStorage(config.storage);
    storage = instrumentStorage(raw, metrics.storageDuration);
    await storage.currentRevision();
    watches = new CacheWatchSource(storage, { capacity: config.watchCacheCapacity, log, metrics });
    const parts = createApp(storage, watches, config, metrics, log, security);
    await watches.startAll(resources);
    await ensureBuiltinNamespaces(parts.stores);
    // Allocations survive restarts in storage; this marks any a Service holds that the stored set lacks.
    await repairServices(parts.stores, parts.services, leaks);
    await new Promise<void>((resolve, reject) => {
      // HTTPS when a serving certificate is configured; client certificates are asked for, checked by auth/ (not by the handshake, so token users get in too).
      const s: Server = security.tls
        ? createHttpsServer({ cert: security.tls.cert, key: security.tls.key, ...(security.clientCA ? { ca: security.clientCA, requestCert: true, rejectUnauthorized: false } : {}) }, parts.app)
        : createHttpServer(parts.app);
      s.once('error', reject);
      s.listen(config.port, config.bindAddress, () => resolve());
      server = s;
      // pods/exec|attach|portforward: WebSocket upgrades piped to the pod's kubelet (http/node-proxy.ts).
      const upgrades = upgradeHandler({ stores: parts.stores });
      s.on('upgrade', parts.auth ? parts.auth.guardUpgrade(upgrades) : upgrades);
    });
    const a = server?.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    address = `${security.tls ? 'https' : 'http'}://${host}:${a.port}`;
    // The `kubernetes` Service: the first ClusterIP, with endpoints at this server's address.
    await ensureKubernetesService(parts.stores, parts.services, config.advertiseAddress ?? advertisedAddress(a.address), a.port);
    parts.markReady();
    repairTimer = setInterval(() => {
      repairServices(parts.stores, parts.services, leaks).catch((e: unknown) => log.error('service allocation repair failed', { error: e instanceof Error ? e.message : String(e) }));
    }, config.serviceRepairIntervalMs);
    repairTimer.unref();
    log.info('apiserver listening', { url: address, storage: storage.backend });
  })();

  const done = (async () => {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await ready.catch(() => undefined);
    clearInterval(repairTimer);
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
