// The typed REST client: any registry kind, every verb and subresource, errors as StatusError subclasses.
import { readFile } from 'node:fs/promises';
import {
  StatusError,
  apiVersionOf,
  lookupKind,
  parseApiVersion,
  type DeleteOptions as ApiDeleteOptions,
  type ResourceInfo,
  type Scale,
  type Status,
  type Table,
} from '@keelson/api';
import { systemClock, type Clock } from './clock';
import { ClientError, ClientUsageError, RequestTimeoutError, TransportError, errorFromResponse, type RequestTarget } from './errors';
import { loadClientConfig, type ClientConfig, type ConfigOverrides, type LoadOptions } from './kubeconfig';
import { fieldSelectorString, labelSelectorString, type FieldSelectorInput, type LabelSelectorInput } from './selectors';
import { NodeTransport, readBody, type HttpResponse, type Transport } from './transport';
import type { KindOf, ObjectLike, ObjectList } from './types';
import { Watch, type WatchLoopOptions } from './watch';

/** The Accept header asking for server-side printing (meta.k8s.io/v1 Table), JSON as fallback. */
export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

export const clientVersion = '0.1.0';

export interface RestClientOptions {
  config: ClientConfig;
  /** Default: NodeTransport over node:http(s) with keep-alive and the config's TLS. */
  transport?: Transport;
  clock?: Clock;
  /** Default `keelson-client/0.1.0 (linux/x64) node/v20.x`; components pass their own (`keelctl/0.1.0`). */
  userAgent?: string;
  /** Whole-request timeout for everything but watch bodies. Default 30 s; 0 disables it. */
  timeoutMs?: number;
  /** How long a token read from `tokenFile` is reused before the file is read again. Default 60 s. */
  tokenFileTtlMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** This request's timeout, overriding the client's. */
  timeoutMs?: number;
}

export interface ListOptions extends CallOptions {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const patchContentTypes: Readonly<Record<PatchType, string>> = Object.freeze({
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
});

/** One RFC 6902 operation, for `json` patches. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take fields other managers own. */
  force?: boolean;
}

export interface DeleteCallOptions extends CallOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface TableOptions extends ListOptions {
  /** What each row's `object` carries. Default (server): Metadata. */
  includeObject?: 'None' | 'Metadata' | 'Object';
}

export interface WatchOptions extends Omit<WatchLoopOptions, 'description'> {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** Watch one object (a `metadata.name=` field selector). */
  name?: string;
  /** BOOKMARK events keep the resume point fresh on quiet resources. Default true. */
  allowWatchBookmarks?: boolean;
  /** Server-side lifetime of each connection; the watch reconnects after it. */
  timeoutSeconds?: number;
  /** With resourceVersionMatch NotOlderThan: the current state as ADDED events, a BOOKMARK, then changes. */
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan';
}

type Query = Record<string, string | number | boolean | undefined>;

/** One API call: the path is already encoded. */
export interface RequestSpec extends CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  /** Serialised as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Names the object in errors the server reports without details. */
  target?: RequestTarget;
}

function defaultUserAgent(): string {
  return `keelson-client/${clientVersion} (${process.platform}/${process.arch}) node/${process.version}`;
}

/**
 * Talks to one API server as one user. Create it once per process and share it: it holds the
 * keep-alive connection pool. `close()` releases the pool (and cuts open watches).
 */
export class RestClient {
  readonly config: ClientConfig;
  readonly clock: Clock;
  readonly userAgent: string;
  readonly timeoutMs: number;
  private readonly transport: Transport;
  private readonly tokenFileTtlMs: number;
  private cachedToken: { value: string; readAt: number } | undefined;
  private readonly base: string;

  constructor(options: RestClientOptions) {
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.userAgent = options.userAgent ?? defaultUserAgent();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.tokenFileTtlMs = options.tokenFileTtlMs ?? 60_000;
    this.transport = options.transport ?? new NodeTransport({ tls: options.config.tls });
    this.base = options.config.server.replace(/\/+$/, '');
  }

  /** A client from the kubeconfig kubectl would use (see loadClientConfig), with overrides. */
  static fromKubeconfig(options: LoadOptions & ConfigOverrides & Omit<RestClientOptions, 'config'> = {}): RestClient {
    return new RestClient({ ...options, config: loadClientConfig(options) });
  }

  /** Verbs on one resource, typed by the known kind or by T. */
  resource<T extends ObjectLike = ObjectLike>(info: ResourceInfo): ResourceClient<T>;
  resource<A extends string, K extends string>(apiVersion: A, kind: K): ResourceClient<KindOf<A, K>>;
  resource(infoOrApiVersion: ResourceInfo | string, kind?: string): ResourceClient<ObjectLike> {
    const info = typeof infoOrApiVersion === 'string' ? resourceInfoFor(infoOrApiVersion, kind ?? '') : infoOrApiVersion;
    return new ResourceClient(this, info, undefined);
  }

  /** Verbs on the resource of an object (by its apiVersion and kind), scoped to its namespace. */
  forObject<T extends ObjectLike>(obj: T): ResourceClient<T> {
    const info = resourceInfoFor(obj.apiVersion ?? '', obj.kind ?? '');
    const ns = info.namespaced ? obj.metadata?.namespace : undefined;
    return new ResourceClient<T>(this, info, ns);
  }

  /** One JSON request: the parsed 2xx body, or the failure as a StatusError subclass. */
  async request<R>(spec: RequestSpec): Promise<R> {
    const { response, release, fail } = await this.send(spec, false);
    let text: string;
    try {
      text = await readBody(response.body);
    } catch (e: unknown) {
      throw fail(e);
    } finally {
      release();
    }
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(response.status, text, spec.target);
    if (text.trim() === '') return undefined as R;
    try {
      return JSON.parse(text) as R;
    } catch (e: unknown) {
      throw new TransportError(spec.method, this.url(spec), `the answer (HTTP ${response.status}) is not JSON`, { cause: e });
    }
  }

  /**
   * One streaming request (a watch): resolves with the 2xx response once headers arrive (the
   * timeout stops there; the caller's signal keeps cutting the body); rejects with the failure
   * as a StatusError subclass. Cancel the response when done with it.
   */
  async stream(spec: RequestSpec): Promise<HttpResponse> {
    const { response, release, fail } = await this.send(spec, true);
    if (response.status >= 200 && response.status < 300) {
      return {
        ...response,
        cancel: () => {
          response.cancel();
          release();
        },
      };
    }
    let text: string;
    try {
      text = await readBody(response.body);
    } catch (e: unknown) {
      throw fail(e);
    } finally {
      response.cancel();
      release();
    }
    throw errorFromResponse(response.status, text, spec.target);
  }

  /** The server's /version. */
  version(options: CallOptions = {}): Promise<{ major: string; minor: string; gitVersion: string; [k: string]: unknown }> {
    return this.request({ ...callOf(options), method: 'GET', path: '/version' });
  }

  /** Releases pooled connections. */
  close(): void {
    this.transport.close();
  }

  url(spec: { path: string; query?: Query }): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}${spec.path}${qs ? `?${qs}` : ''}`;
  }

  private async headers(spec: RequestSpec): Promise<Record<string, string>> {
    const h: Record<string, string> = { accept: spec.accept ?? 'application/json', 'user-agent': this.userAgent };
    if (spec.body !== undefined) h['content-type'] = spec.contentType ?? 'application/json';
    const auth = this.config.auth;
    const token = auth.token ?? (auth.tokenFile !== undefined ? await this.fileToken(auth.tokenFile, spec) : undefined);
    if (token !== undefined && token !== '') h['authorization'] = `Bearer ${token}`;
    else if (auth.username !== undefined) h['authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    return h;
  }

  private async fileToken(file: string, spec: RequestSpec): Promise<string> {
    const now = this.clock.now();
    if (this.cachedToken !== undefined && now - this.cachedToken.readAt < this.tokenFileTtlMs) return this.cachedToken.value;
    try {
      const value = (await readFile(file, 'utf8')).trim();
      this.cachedToken = { value, readAt: now };
      return value;
    } catch (e: unknown) {
      // A rotation in progress: keep using the last token rather than failing the request.
      if (this.cachedToken !== undefined) return this.cachedToken.value;
      throw new TransportError(spec.method, this.url(spec), `cannot read the token file ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * Sends and waits for headers, under the client's timeout and the caller's signal. `release`
   * unhooks both; `fail` turns what went wrong into the error to throw: RequestTimeoutError, the
   * caller's abort reason, or TransportError for anything that is not already typed.
   */
  private async send(spec: RequestSpec, streaming: boolean): Promise<{ response: HttpResponse; release: () => void; fail: (e: unknown) => unknown }> {
    const url = this.url(spec);
    const abort = new AbortController();
    const outer = spec.signal;
    const onAbort = (): void => abort.abort(outer?.reason);
    if (outer?.aborted) abort.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = spec.timeoutMs ?? this.timeoutMs;
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? this.clock.setTimer(timeoutMs, () => {
            timedOut = true;
            abort.abort();
          })
        : undefined;
    const release = (): void => {
      timer?.cancel();
      outer?.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown): unknown => {
      release();
      if (timedOut) return new RequestTimeoutError(spec.method, url, timeoutMs);
      if (outer?.aborted) return outer.reason instanceof Error ? outer.reason : new ClientError(`${spec.method} ${url}: aborted`, { cause: e });
      if (e instanceof StatusError || e instanceof ClientError) return e;
      return new TransportError(spec.method, url, e instanceof Error ? e.message : String(e), { cause: e });
    };
    let response: HttpResponse;
    try {
      const req = { method: spec.method, url, headers: await this.headers(spec), signal: abort.signal };
      response = await this.transport.request(spec.body !== undefined ? { ...req, body: JSON.stringify(spec.body) } : req);
    } catch (e: unknown) {
      throw fail(e);
    }
    if (streaming) timer?.cancel();
    return { response, release, fail };
  }
}

/**
 * Verbs on one resource, optionally scoped to a namespace. Calls on one object need a
 * namespace for namespaced kinds: the scope's, else the object's `metadata.namespace`. Lists
 * and watches without a namespace span all namespaces.
 */
export class ResourceClient<T extends ObjectLike = ObjectLike> {
  constructor(
    readonly client: RestClient,
    readonly info: ResourceInfo,
    readonly scope: string | undefined,
  ) {}

  /** This resource in `ns` (ignored for cluster-scoped kinds, as kubectl ignores -n for them). */
  namespace(ns: string): ResourceClient<T> {
    return this.info.namespaced ? new ResourceClient<T>(this.client, this.info, ns) : this;
  }

  /** This resource across every namespace. */
  allNamespaces(): ResourceClient<T> {
    return new ResourceClient<T>(this.client, this.info, undefined);
  }

  get apiVersion(): string {
    return apiVersionOf(this.info);
  }

  async get(name: string, options: CallOptions = {}): Promise<T> {
    return this.client.request<T>({ ...callOf(options), method: 'GET', path: this.itemPath(name), target: this.target(name) });
  }

  /** One page; follow `metadata.continue` for more, or use listAll. */
  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    return this.client.request<ObjectList<T>>({ ...callOf(options), method: 'GET', path: this.collectionPath(this.scope), query: listQuery(options), target: this.target() });
  }

  /** Every page of a list, at one resourceVersion (pages of `limit`, default 500). */
  async listAll(options: ListOptions = {}): Promise<ObjectList<T>> {
    const first = await this.list({ ...options, limit: options.limit ?? 500 });
    const items = [...first.items];
    let cont = first.metadata.continue;
    while (cont !== undefined && cont !== '') {
      const { resourceVersion: _rv, resourceVersionMatch: _m, ...rest } = options;
      const page = await this.list({ ...rest, limit: options.limit ?? 500, continue: cont });
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    const metadata = { ...first.metadata };
    delete metadata.continue;
    delete metadata.remainingItemCount;
    return { ...first, metadata, items };
  }

  /** The list as a meta.k8s.io/v1 Table, for printing. */
  async table(options: TableOptions = {}): Promise<Table> {
    const query = { ...listQuery(options), includeObject: options.includeObject };
    return this.client.request<Table>({ ...callOf(options), method: 'GET', path: this.collectionPath(this.scope), query, accept: tableAccept, target: this.target() });
  }

  /** One object as a Table. */
  async getTable(name: string, options: CallOptions & { includeObject?: 'None' | 'Metadata' | 'Object' } = {}): Promise<Table> {
    return this.client.request<Table>({ ...callOf(options), method: 'GET', path: this.itemPath(name), query: { includeObject: options.includeObject }, accept: tableAccept, target: this.target(name) });
  }

  async create(obj: T, options: WriteOptions = {}): Promise<T> {
    const ns = this.namespaceFor(obj);
    return this.client.request<T>({ ...callOf(options), method: 'POST', path: this.collectionPath(ns), query: writeQuery(options), body: this.typed(obj), target: this.target(obj.metadata?.name) });
  }

  /** PUT: compare-and-swap on `metadata.resourceVersion` when set (ConflictError when stale). */
  async update(obj: T, options: WriteOptions = {}): Promise<T> {
    const name = this.nameOf(obj);
    return this.client.request<T>({ ...callOf(options), method: 'PUT', path: this.itemPath(name, undefined, obj), query: writeQuery(options), body: this.typed(obj), target: this.target(name) });
  }

  /** PUT on `/status`: only status changes are kept. */
  async updateStatus(obj: T, options: WriteOptions = {}): Promise<T> {
    const name = this.nameOf(obj);
    return this.client.request<T>({ ...callOf(options), method: 'PUT', path: this.itemPath(name, 'status', obj), query: writeQuery(options), body: this.typed(obj), target: this.target(name) });
  }

  /** JSON patch (a list of operations), merge patch, strategic merge patch or server-side apply. */
  async patch(name: string, type: 'json', patch: readonly JsonPatchOperation[], options?: PatchOptions & { subresource?: string }): Promise<T>;
  async patch(name: string, type: Exclude<PatchType, 'json'>, patch: object, options?: PatchOptions & { subresource?: string }): Promise<T>;
  async patch(name: string, type: PatchType, patch: object, options: PatchOptions & { subresource?: string } = {}): Promise<T> {
    return this.client.request<T>({
      ...callOf(options),
      method: 'PATCH',
      path: this.itemPath(name, options.subresource),
      query: { ...writeQuery(options), force: type === 'apply' && options.force !== undefined ? options.force : undefined },
      body: patch,
      contentType: patchContentTypes[type],
      target: this.target(name),
    });
  }

  /** Server-side apply of `obj` (by its name) as `fieldManager`; creates it when absent. */
  async apply(obj: T, options: PatchOptions & { fieldManager: string }): Promise<T> {
    const name = this.nameOf(obj);
    const ns = this.namespaceFor(obj);
    const scoped = ns === this.scope ? this : new ResourceClient<T>(this.client, this.info, ns);
    return scoped.patch(name, 'apply', this.typed(obj), options);
  }

  /**
   * Deletes one object. The answer is the object when deletion is graceful or blocked by
   * finalizers (and, as Kubernetes does, for pods and namespaces), else a success Status.
   */
  async delete(name: string, options: DeleteCallOptions = {}): Promise<T | Status> {
    return this.client.request<T | Status>({ ...callOf(options), method: 'DELETE', path: this.itemPath(name), query: { dryRun: options.dryRun ? 'All' : undefined }, body: deleteBody(options), target: this.target(name) });
  }

  /** Deletes every object the selectors match (in the scope's namespace, or all). Returns the deleted list. */
  async deleteCollection(options: ListOptions & DeleteCallOptions = {}): Promise<ObjectList<T>> {
    return this.client.request<ObjectList<T>>({
      ...callOf(options),
      method: 'DELETE',
      path: this.collectionPath(this.scope),
      query: { ...listQuery(options), dryRun: options.dryRun ? 'All' : undefined },
      body: deleteBody(options),
      target: this.target(),
    });
  }

  async getSubresource<S = unknown>(name: string, subresource: string, options: CallOptions = {}): Promise<S> {
    return this.client.request<S>({ ...callOf(options), method: 'GET', path: this.itemPath(name, subresource), target: this.target(name) });
  }

  async updateSubresource<S = unknown>(name: string, subresource: string, body: S, options: WriteOptions = {}): Promise<S> {
    return this.client.request<S>({ ...callOf(options), method: 'PUT', path: this.itemPath(name, subresource), query: writeQuery(options), body, target: this.target(name) });
  }

  /** POST to a subresource, e.g. `pods/binding`; the answer is whatever the server returns (a Status for binding). */
  async createSubresource<B, R = Status>(name: string, subresource: string, body: B, options: WriteOptions = {}): Promise<R> {
    return this.client.request<R>({ ...callOf(options), method: 'POST', path: this.itemPath(name, subresource), query: writeQuery(options), body, target: this.target(name) });
  }

  async getScale(name: string, options: CallOptions = {}): Promise<Scale> {
    return this.getSubresource<Scale>(name, 'scale', options);
  }

  /** PUT `/scale`; a `metadata.resourceVersion` in `scale` makes it compare-and-swap. */
  async updateScale(name: string, scale: Scale, options: WriteOptions = {}): Promise<Scale> {
    return this.updateSubresource<Scale>(name, 'scale', { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale, metadata: { ...scale.metadata, name } }, options);
  }

  /** Sets the replica count through `/scale` (a merge patch: no read, no conflict). */
  async scale(name: string, replicas: number, options: WriteOptions = {}): Promise<Scale> {
    return this.client.request<Scale>({
      ...callOf(options),
      method: 'PATCH',
      path: this.itemPath(name, 'scale'),
      query: writeQuery(options),
      body: { spec: { replicas } },
      contentType: patchContentTypes.merge,
      target: this.target(name),
    });
  }

  /**
   * A resuming watch (see Watch): iterate it for ADDED/MODIFIED/DELETED/BOOKMARK events; it
   * throws WatchExpiredError when the server can no longer resume it.
   */
  watch(options: WatchOptions = {}): Watch<T> {
    const path = this.collectionPath(this.scope);
    const fieldParts: string[] = [];
    if (options.fieldSelector !== undefined) {
      const f = fieldSelectorString(options.fieldSelector);
      if (f !== '') fieldParts.push(f);
    }
    if (options.name !== undefined) fieldParts.push(`metadata.name=${options.name}`);
    const base: Query = {
      watch: 'true',
      labelSelector: options.labelSelector === undefined ? undefined : labelSelectorString(options.labelSelector) || undefined,
      fieldSelector: fieldParts.length > 0 ? fieldParts.join(',') : undefined,
      allowWatchBookmarks: options.allowWatchBookmarks ?? true,
      timeoutSeconds: options.timeoutSeconds,
    };
    const open = (rv: string | undefined, initial: boolean, signal: AbortSignal): Promise<HttpResponse> => {
      const query: Query = { ...base, resourceVersion: rv };
      if (initial) {
        query['sendInitialEvents'] = options.sendInitialEvents;
        query['resourceVersionMatch'] = options.resourceVersionMatch;
      }
      return this.client.stream({ method: 'GET', path, query, signal, target: this.target() });
    };
    const loop: WatchLoopOptions = { ...options, clock: options.clock ?? this.client.clock, description: path };
    return new Watch<T>(open, loop);
  }

  // ---- paths

  collectionPath(ns: string | undefined): string {
    const { group, version, resource, namespaced } = this.info;
    const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    return namespaced && ns !== undefined && ns !== '' ? `${root}/namespaces/${encodeURIComponent(ns)}/${resource}` : `${root}/${resource}`;
  }

  private itemPath(name: string, subresource?: string, obj?: ObjectLike): string {
    if (name === '') throw new ClientUsageError(`a ${this.info.kind} name is required`);
    const ns = obj !== undefined ? this.namespaceFor(obj) : this.requireNamespace(name);
    return `${this.collectionPath(ns)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  private requireNamespace(name: string): string | undefined {
    if (!this.info.namespaced) return undefined;
    if (this.scope === undefined || this.scope === '') {
      throw new ClientUsageError(`${this.info.kind} "${name}" is namespaced: call .namespace(ns) first`);
    }
    return this.scope;
  }

  private namespaceFor(obj: ObjectLike): string | undefined {
    if (!this.info.namespaced) return undefined;
    const ns = this.scope ?? obj.metadata?.namespace;
    if (ns === undefined || ns === '') {
      throw new ClientUsageError(`${this.info.kind} "${obj.metadata?.name ?? obj.metadata?.generateName ?? ''}" is namespaced: set metadata.namespace or call .namespace(ns)`);
    }
    return ns;
  }

  private nameOf(obj: ObjectLike): string {
    const name = obj.metadata?.name;
    if (name === undefined || name === '') throw new ClientUsageError(`${this.info.kind}: metadata.name is required`);
    return name;
  }

  /** The object with apiVersion and kind filled in when missing (the server requires them to match). */
  private typed(obj: T): T {
    if (obj.apiVersion !== undefined && obj.kind !== undefined) return obj;
    return { ...obj, apiVersion: obj.apiVersion ?? this.apiVersion, kind: obj.kind ?? this.info.kind };
  }

  private target(name?: string): RequestTarget {
    const t: RequestTarget = { group: this.info.group, resource: this.info.resource, kind: this.info.kind };
    if (name !== undefined) t.name = name;
    return t;
  }
}

/** Just the per-call settings of an options bag (the rest becomes query or body). */
function callOf(o: CallOptions): CallOptions {
  const c: CallOptions = {};
  if (o.signal !== undefined) c.signal = o.signal;
  if (o.timeoutMs !== undefined) c.timeoutMs = o.timeoutMs;
  return c;
}

function listQuery(o: ListOptions): Query {
  return {
    labelSelector: o.labelSelector === undefined ? undefined : labelSelectorString(o.labelSelector) || undefined,
    fieldSelector: o.fieldSelector === undefined ? undefined : fieldSelectorString(o.fieldSelector) || undefined,
    limit: o.limit,
    continue: o.continue,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
  };
}

function writeQuery(o: WriteOptions): Query {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function deleteBody(o: DeleteCallOptions): ApiDeleteOptions | undefined {
  const body: ApiDeleteOptions = { apiVersion: 'v1', kind: 'DeleteOptions' };
  let any = false;
  if (o.propagationPolicy !== undefined) {
    body.propagationPolicy = o.propagationPolicy;
    any = true;
  }
  if (o.gracePeriodSeconds !== undefined) {
    body.gracePeriodSeconds = o.gracePeriodSeconds;
    any = true;
  }
  if (o.preconditions !== undefined) {
    body.preconditions = o.preconditions;
    any = true;
  }
  if (o.dryRun) {
    body.dryRun = ['All'];
    any = true;
  }
  return any ? body : undefined;
}

/** The ResourceInfo of `group/version` + kind, or ClientUsageError when the registry lacks it. */
export function resourceInfoFor(apiVersion: string, kind: string): ResourceInfo {
  const info = lookupKind(apiVersion, kind);
  if (info === undefined) {
    const { group } = parseApiVersion(apiVersion);
    throw new ClientUsageError(`no resource serves kind ${kind} in ${group === '' ? 'the core group' : `group ${group}`} (${apiVersion})`);
  }
  return info;
}
