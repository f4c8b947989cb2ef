// A fake API server for unit tests: records every call as an action (client-go's fake clientset) and answers from a small object store.
import { AlreadyExistsError, NotFoundError, StatusError, lookupResource, resources, type ObjectMeta, type OwnerReference, type ResourceInfo } from '@keelson/api';
import {
  FakeClock,
  FakeTransport,
  RestClient,
  SharedInformerFactory,
  deepFreeze,
  type FakeReply,
  type HttpRequest,
  type ObjectLike,
  type SharedIndexInformer,
} from '@keelson/client';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One call the code under test made. */
export interface Action {
  verb: Verb;
  /** Plural resource, with `/subresource` when there is one: `pods`, `replicasets/status`. */
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  /** The decoded request body, if any. */
  body: unknown;
  /** The patch flavour for patches: `merge`, `strategic`, `json`. */
  patchType: string | undefined;
  query: Readonly<Record<string, string>>;
}

/** Answers an action instead of the store: a reply, an error to throw as the server would, or undefined to fall through. */
export type Reactor = (action: Action) => { object: unknown } | { error: StatusError } | undefined;

const patchTypes: Readonly<Record<string, string>> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
};

interface Parsed {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function parsePath(path: string): Parsed | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') rest = parts.slice(1);
  else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(2);
  } else return undefined;
  const version = rest[0] ?? '';
  rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  let info = lookupResource(group, version, resource);
  if (info === undefined && namespace !== undefined && (rest.length === 0 || (rest.length === 1 && (resource === 'status' || resource === 'finalize')))) {
    // `/api/v1/namespaces/x[/status|/finalize]`: the namespace itself.
    info = lookupResource(group, version, 'namespaces');
    return info === undefined ? undefined : { info, namespace: undefined, name: namespace, subresource: rest[0] };
  }
  if (info === undefined) return undefined;
  return { info, namespace, name: rest[1], subresource: rest[2] };
}

function storeKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${info.resource}.${info.group}/${info.namespaced ? (namespace ?? '') : ''}/${name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Enough strategic merge patch for controllers: merge patch, but ownerReferences merge by uid and honour `$patch: delete`. */
function strategicPatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch) || !isRecord(target)) return mergePatch(target, patch);
  const meta = isRecord(patch['metadata']) ? patch['metadata'] : undefined;
  const refs = meta?.['ownerReferences'];
  if (meta === undefined || !Array.isArray(refs)) return mergePatch(target, patch);
  const { ownerReferences: _drop, ...restMeta } = meta;
  const merged = mergePatch(target, { ...patch, metadata: restMeta }) as { metadata?: ObjectMeta };
  let list: OwnerReference[] = [...(((target['metadata'] as ObjectMeta | undefined)?.ownerReferences) ?? [])];
  for (const r of refs as (OwnerReference & { $patch?: string })[]) {
    list = list.filter((x) => x.uid !== r.uid);
    if (r.$patch !== 'delete') list.push(r);
  }
  merged.metadata = { ...merged.metadata, ownerReferences: list };
  return merged;
}

/**
 * An in-memory API server behind a real RestClient. Every request is recorded as an Action;
 * reactors can answer or fail chosen calls; otherwise a small store answers: create (with
 * generateName, uid, resourceVersion), get, list, update (status only for `/status`),
 * merge/strategic patch, delete.
 */
export class FakeApi {
  readonly actions: Action[] = [];
  readonly client: RestClient;
  readonly clock: FakeClock;
  private readonly objects = new Map<string, ObjectLike>();
  private readonly reactors: Reactor[] = [];
  private seq = 0;
  private revision = 1000;

  constructor(clock: FakeClock = new FakeClock(Date.parse('2024-05-01T12:00:00Z'))) {
    this.clock = clock;
    const transport = new FakeTransport((req) => this.serve(req));
    this.client = new RestClient({ config: { server: 'https://fake.test', namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'fake' }, transport, clock, timeoutMs: 0 });
  }

  /** Puts objects in the store (they need apiVersion and kind). */
  seed(...objs: ObjectLike[]): this {
    for (const obj of objs) {
      const [group, version] = (obj.apiVersion ?? '').includes('/') ? (obj.apiVersion ?? '').split('/') : ['', obj.apiVersion ?? ''];
      const info = resources.find((i) => i.group === group && i.version === version && i.kind === obj.kind);
      if (info === undefined) throw new Error(`fake API: no resource for ${obj.apiVersion ?? '?'} ${obj.kind ?? '?'}`);
      this.objects.set(storeKey(info, obj.metadata?.namespace, obj.metadata?.name ?? ''), structuredClone(obj));
    }
    return this;
  }

  /** A reactor runs before the store; the latest added runs first. */
  react(reactor: Reactor): this {
    this.reactors.unshift(reactor);
    return this;
  }

  /** Fails calls matching verb and resource (`pods`, `replicasets/status`) with `error`. */
  fail(verb: Verb, resource: string, error: StatusError): this {
    return this.react((a) => (a.verb === verb && a.resource === resource ? { error } : undefined));
  }

  /** Actions other than reads (get, list, watch). */
  writes(): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch');
  }

  /** `verb resource[ ns/name]` for each write, e.g. `create pods`, `update replicasets/status ns/rs`. */
  summary(): string[] {
    return this.writes().map((a) => [a.verb, a.resource, a.name !== undefined ? `${a.namespace ?? ''}${a.namespace ? '/' : ''}${a.name}` : ''].filter((s) => s !== '').join(' '));
  }

  clearActions(): void {
    this.actions.length = 0;
  }

  private serve(req: HttpRequest): FakeReply {
    const url = new URL(req.url);
    const parsed = parsePath(url.pathname);
    if (parsed === undefined) return { status: 404, body: new NotFoundError({}, `fake API: unknown path ${url.pathname}`).toStatus() };
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const body: unknown = req.body === undefined ? undefined : JSON.parse(req.body);
    const verb = this.verbOf(req.method, parsed, query);
    const action: Action = {
      verb,
      resource: parsed.subresource !== undefined ? `${parsed.info.resource}/${parsed.subresource}` : parsed.info.resource,
      namespace: parsed.namespace,
      name: parsed.name,
      body,
      patchType: verb === 'patch' ? patchTypes[req.headers['content-type'] ?? ''] : undefined,
      query,
    };
    this.actions.push(action);
    for (const r of this.reactors) {
      const res = r(action);
      if (res === undefined) continue;
      if ('error' in res) return { status: res.error.code, body: res.error.toStatus() };
      return { status: 200, body: res.object as object };
    }
    try {
      return { status: verb === 'create' ? 201 : 200, body: this.store(action, parsed) as object };
    } catch (e: unknown) {
      if (e instanceof StatusError) return { status: e.code, body: e.toStatus() };
      throw e;
    }
  }

  private verbOf(method: string, p: Parsed, query: Record<string, string>): Verb {
    switch (method) {
      case 'GET':
        return p.name === undefined ? (query['watch'] === 'true' ? 'watch' : 'list') : 'get';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      default:
        return p.name === undefined ? 'deletecollection' : 'delete';
    }
  }

  private store(a: Action, p: Parsed): unknown {
    const target = { resource: p.info.resource, group: p.info.group, name: a.name ?? '' };
    const key = (name: string): string => storeKey(p.info, p.namespace, name);
    switch (a.verb) {
      case 'get': {
        const obj = this.objects.get(key(a.name ?? ''));
        if (obj === undefined) throw new NotFoundError(target);
        return obj;
      }
      case 'list':
      case 'watch': {
        const prefix = `${p.info.resource}.${p.info.group}/${p.info.namespaced ? (p.namespace ?? '') : ''}`;
        const items = [...this.objects.entries()].filter(([k]) => (p.namespace === undefined && p.info.namespaced ? k.startsWith(`${p.info.resource}.${p.info.group}/`) : k.startsWith(`${prefix}/`))).map(([, v]) => v);
        return { apiVersion: 'v1', kind: p.info.listKind, metadata: { resourceVersion: String(this.revision) }, items };
      }
      case 'create': {
        if (a.name !== undefined) return { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} };
        const obj = structuredClone(a.body) as ObjectLike;
        const meta: ObjectMeta = (obj.metadata ??= {});
        if (meta.name === undefined || meta.name === '') meta.name = `${meta.generateName ?? ''}${(++this.seq).toString(36).padStart(5, '0')}`;
        if (p.info.namespaced) meta.namespace = p.namespace;
        if (this.objects.has(key(meta.name))) throw new AlreadyExistsError({ ...target, name: meta.name });
        Object.assign(meta, { uid: `uid-${meta.name}`, resourceVersion: String(++this.revision), creationTimestamp: `${new Date(this.clock.now()).toISOString().slice(0, 19)}Z` });
        this.objects.set(key(meta.name), obj);
        return obj;
      }
      case 'update': {
        const name = a.name ?? '';
        const current = this.objects.get(key(name));
        let next = structuredClone(a.body) as ObjectLike & { status?: unknown; spec?: unknown };
        if (current !== undefined && p.subresource === 'status') next = { ...structuredClone(current), status: next.status };
        if (current !== undefined && p.subresource === 'finalize') next = { ...structuredClone(current), spec: next.spec };
        next.metadata = { ...next.metadata, resourceVersion: String(++this.revision) };
        this.objects.set(key(name), next);
        return next;
      }
      case 'patch': {
        const name = a.name ?? '';
        const current = this.objects.get(key(name)) ?? { metadata: { name } };
        const next = (a.patchType === 'strategic' ? strategicPatch(current, a.body) : mergePatch(current, a.body)) as ObjectLike;
        next.metadata = { ...next.metadata, resourceVersion: String(++this.revision) };
        if (this.objects.has(key(name))) this.objects.set(key(name), next);
        return next;
      }
      case 'delete': {
        const name = a.name ?? '';
        if (!this.objects.delete(key(name))) throw new NotFoundError(target);
        return { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} };
      }
      case 'deletecollection': {
        const prefix = `${p.info.resource}.${p.info.group}/${p.namespace ?? ''}/`;
        for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
        return { apiVersion: 'v1', kind: p.info.listKind, metadata: {}, items: [] };
      }
    }
  }
}

/** An informer factory over the fake API that is never started: tests fill caches with `seed`. */
export function fakeInformers(api: FakeApi): SharedInformerFactory {
  return new SharedInformerFactory(api.client, { clock: api.clock });
}

/** Puts objects straight into an informer's cache, frozen so code that changes a cached object throws. */
export function seed<T extends ObjectLike>(informer: SharedIndexInformer<T>, ...objs: T[]): void {
  for (const obj of objs) informer.indexer.upsert(deepFreeze(structuredClone(obj)));
}
