// REST handlers for every resource: verbs and subresources mapped onto the generic store.
import type { Request, Response } from 'express';
import {
  BadRequestError,
  ConflictError,
  MethodNotAllowedError,
  UnsupportedMediaTypeError,
  NotFoundError,
  apiVersionOf,
  parseFieldSelector,
  parseSelector,
  selectorFromLabelSelector,
  subresourceKinds,
  type DeleteOptions,
  type KubeObject,
  type ResourceInfo,
  type StoredObject,
} from '@keelson/api';
import { checkFields, withFieldChecks } from '../openapi/fieldvalidation';
import { applyPatch, patchTypeOf } from '../patch';
import type { ResourceRequest } from '../rest/request-info';
import { parseRevision, type ListOptions, type ResourceStore, type WriteOptions } from '../rest/store';
import { selectableFields } from '../rest/strategy';
import { timestamp, type Clock } from '../rest/meta';
import { parseTableAccept, toTable } from '../printers';
import { decodeObject, mediaType } from './body';
import { serveWatch, type WatchSource } from './watch';
import { servePodLog } from './node-proxy';

export interface HandlerContext {
  stores: Map<ResourceInfo, ResourceStore>;
  watches: WatchSource;
  clock: Clock;
}

/** The verb a request performs, as Kubernetes names it in metrics and audit. */
export function verbOf(method: string, req: ResourceRequest, query: Request['query']): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (req.legacyWatch || query['watch'] === 'true' || query['watch'] === '1') return 'WATCH';
      return req.name === undefined ? 'LIST' : 'GET';
    case 'POST':
      return 'POST';
    case 'PUT':
      return 'PUT';
    case 'PATCH':
      return 'PATCH';
    case 'DELETE':
      return req.name === undefined ? 'DELETECOLLECTION' : 'DELETE';
    default:
      return method;
  }
}

function q(query: Request['query'], name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  throw new BadRequestError(`query parameter "${name}" must be a string`);
}

function intParam(query: Request['query'], name: string): number | undefined {
  const v = q(query, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new BadRequestError(`query parameter "${name}" must be an integer, got "${v}"`);
  return Number(v);
}

/** true, false, or undefined when the parameter is absent: some parameters mean different things unset. */
function optionalBool(query: Request['query'], name: string): boolean | undefined {
  const v = q(query, name);
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new BadRequestError(`query parameter "${name}" must be true or false, got "${v}"`);
}

function boolParam(query: Request['query'], name: string): boolean {
  const v = q(query, name);
  return v === 'true' || v === '1';
}

/** Kubernetes' default field manager: the user agent's product token (`kubectl/v1.30…` → `kubectl`). */
function defaultManager(userAgent: string | undefined): string {
  const product = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return product === '' ? 'unknown' : product.slice(0, 128);
}

function writeOptions(query: Request['query'], userAgent?: string): WriteOptions {
  const dryRun = q(query, 'dryRun');
  if (dryRun !== undefined && dryRun !== 'All' && dryRun !== '') {
    throw new BadRequestError(`dryRun: Unsupported value: "${dryRun}": supported values: "All"`);
  }
  const fieldValidation = q(query, 'fieldValidation');
  if (fieldValidation !== undefined && !['Strict', 'Warn', 'Ignore', ''].includes(fieldValidation)) {
    throw new BadRequestError(`fieldValidation: Unsupported value: "${fieldValidation}": supported values: "Ignore", "Warn", "Strict"`);
  }
  const opts: WriteOptions = {};
  if (dryRun === 'All') opts.dryRun = true;
  if (fieldValidation === 'Strict' || fieldValidation === 'Warn' || fieldValidation === 'Ignore') opts.fieldValidation = fieldValidation;
  const manager = q(query, 'fieldManager');
  if (manager !== undefined && manager !== '') {
    if (manager.length > 128) throw new BadRequestError('fieldManager: Too long: must have at most 128 bytes');
    opts.fieldManager = manager;
  } else if (userAgent !== undefined) {
    opts.fieldManager = defaultManager(userAgent);
  }
  return opts;
}

/** Selectors and paging of a list or watch request, with the field labels each kind supports. */
export function listOptions(info: ResourceInfo, query: Request['query']): ListOptions {
  const opts: ListOptions = {};
  const ls = q(query, 'labelSelector');
  if (ls) opts.labelSelector = parseSelector(ls);
  const fs = q(query, 'fieldSelector');
  if (fs) {
    const sel = parseFieldSelector(fs);
    const supported = new Set(Object.keys(selectableFields(info, { metadata: {} })));
    for (const r of sel.requirements) {
      if (!supported.has(r.field)) throw new BadRequestError(`field label not supported: ${r.field}`);
    }
    opts.fieldSelector = sel;
  }
  const limit = intParam(query, 'limit');
  if (limit !== undefined) {
    if (limit < 0) throw new BadRequestError('limit: Invalid value: must be non-negative');
    opts.limit = limit;
  }
  const cont = q(query, 'continue');
  if (cont) opts.continue = cont;
  const rv = q(query, 'resourceVersion');
  if (rv !== undefined) opts.resourceVersion = rv;
  const match = q(query, 'resourceVersionMatch');
  if (match !== undefined && match !== '') {
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      throw new BadRequestError(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    }
    if (rv === undefined || rv === '') throw new BadRequestError('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match === 'Exact' && rv === '0') throw new BadRequestError('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
    if (cont) throw new BadRequestError('resourceVersionMatch is forbidden when continue is provided');
    opts.resourceVersionMatch = match;
  }
  return opts;
}

function deleteOptions(req: Request): DeleteOptions {
  let opts: DeleteOptions = {};
  const raw = req.body as Buffer | undefined;
  if (raw && raw.length > 0 && raw.toString('utf8').trim() !== '') {
    opts = decodeObject(raw, req.headers['content-type']);
    if (opts.kind !== undefined && opts.kind !== 'DeleteOptions') {
      throw new BadRequestError(`the body of a DELETE must be DeleteOptions, not ${String(opts.kind)}`);
    }
  }
  const grace = intParam(req.query, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = q(req.query, 'propagationPolicy');
  if (policy !== undefined) opts.propagationPolicy = policy;
  if (q(req.query, 'orphanDependents') !== undefined) opts.orphanDependents = boolParam(req.query, 'orphanDependents');
  if (opts.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw new BadRequestError(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.propagationPolicy !== undefined && opts.orphanDependents !== undefined) {
    throw new BadRequestError('orphanDependents and propagationPolicy cannot both be set');
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  return opts;
}

/** `kind: Status` success body, as Kubernetes answers a delete or a binding. */
function successStatus(info: ResourceInfo, obj: StoredObject | undefined, code: number): KubeObject {
  const details: Record<string, unknown> = { name: obj?.metadata.name ?? '', kind: info.resource };
  if (info.group) details['group'] = info.group;
  if (obj?.metadata.uid) details['uid'] = obj.metadata.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code };
}

/** An object or list, converted to a Table when the client asked for one. */
function send(req: Request, res: Response, ctx: HandlerContext, info: ResourceInfo, code: number, body: KubeObject): void {
  const table = parseTableAccept(req.headers.accept ?? '');
  if (table.table && (body.kind === info.kind || body.kind === info.listKind)) {
    const isList = body.kind === info.listKind;
    const items = isList ? ((body as { items?: KubeObject[] }).items ?? []) : [body];
    const include = q(req.query, 'includeObject');
    const includeObject = include === 'None' || include === 'Object' ? include : 'Metadata';
    const listMeta = isList ? ((body.metadata) ?? {}) : {};
    res.status(code).json(toTable(info, items, { now: ctx.clock.now(), includeObject, listMeta, version: table.version }));
    return;
  }
  res.status(code).json(body);
}

function scaleOf(info: ResourceInfo, obj: StoredObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: Parameters<typeof selectorFromLabelSelector>[0] };
  const status = (obj.status ?? {}) as { replicas?: number };
  const meta = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: spec.selector ? selectorFromLabelSelector(spec.selector).toString() : '' },
  };
}

function scaleReplicas(body: KubeObject): number {
  const replicas = (body.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new BadRequestError(`Scale.spec.replicas must be a non-negative integer, got ${JSON.stringify(replicas)}`);
  }
  return replicas;
}

/** Serves one request for a resource; throws StatusError for the caller to write. */
export async function handleResource(req: Request, res: Response, ctx: HandlerContext, r: ResourceRequest): Promise<void> {
  const { info } = r;
  const store = ctx.stores.get(info);
  if (!store) throw new NotFoundError({ resource: info.resource, group: info.group }, 'the server could not find the requested resource');
  if (!info.namespaced && r.namespace !== undefined) {
    throw new NotFoundError({ resource: info.resource, group: info.group }, 'the server could not find the requested resource');
  }
  const ns = info.namespaced ? r.namespace : undefined;
  const method = req.method;
  const verb = verbOf(method, r, req.query);
  const sub = r.subresource;
  if (sub !== undefined && !info.subresources.includes(sub as never) && !(info.kind === 'Namespace' && sub === 'finalize')) {
    throw new NotFoundError({ resource: `${info.resource}/${sub}`, group: info.group }, 'the server could not find the requested resource');
  }
  // pods/log is read from the pod's kubelet (http/node-proxy.ts); exec/attach/portforward arrive as upgrades (server 'upgrade' listener).
  if (sub === 'log') {
    if (method !== 'GET') throw new MethodNotAllowedError(`${method} is not supported on ${info.resource}/${sub}`);
    await servePodLog(res, ctx, ns ?? '', r.name ?? '', new URL(req.originalUrl, 'http://apiserver').searchParams);
    return;
  }
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
    throw new BadRequestError(`Upgrade request required: ${info.resource}/${sub} is a WebSocket stream (v5.channel.k8s.io, v4.channel.k8s.io)`);
  }

  if (verb === 'WATCH') {
    const opts = listOptions(info, req.query);
    const name = r.name;
    if (name !== undefined && sub !== undefined) throw new MethodNotAllowedError(`watch is not supported on ${info.resource}/${sub}`);
    const fieldSelector = name !== undefined ? parseFieldSelector(`metadata.name=${name}`) : opts.fieldSelector;
    await serveWatch(req, res, ctx.watches, {
      info,
      namespace: ns,
      labelSelector: opts.labelSelector,
      fieldSelector: fieldSelector ?? (opts.fieldSelector),
      resourceVersion: opts.resourceVersion,
      allowBookmarks: boolParam(req.query, 'allowWatchBookmarks'),
      sendInitialEvents: optionalBool(req.query, 'sendInitialEvents'),
      resourceVersionMatch: opts.resourceVersionMatch,
      timeoutSeconds: intParam(req.query, 'timeoutSeconds'),
    });
    return;
  }

  switch (method) {
    case 'GET':
    case 'HEAD': {
      if (r.name === undefined) {
        send(req, res, ctx, info, 200, await store.list(ns, listOptions(info, req.query)));
        return;
      }
      const obj = await store.get(ns, r.name);
      if (sub === 'scale') {
        res.status(200).json(scaleOf(info, obj));
        return;
      }
      send(req, res, ctx, info, 200, obj);
      return;
    }
    case 'POST': {
      const body = decodeObject(req.body as Buffer, req.headers['content-type']);
      const opts = withFieldChecks(writeOptions(req.query, req.headers['user-agent']), res, req.body, mediaType(req.headers['content-type']));
      if (r.name === undefined) {
        send(req, res, ctx, info, 201, await store.create(ns, body, opts));
        return;
      }
      if (sub === 'eviction') {
        // No PodDisruptionBudgets are served, so every eviction is allowed: it is a delete with
        // the eviction's DeleteOptions (graceful for pods on a node).
        const deleteOpts = ((body as { deleteOptions?: DeleteOptions }).deleteOptions ?? {});
        const evictedName = body.metadata?.name;
        if (evictedName !== undefined && evictedName !== r.name) {
          throw new BadRequestError(`name in URL does not match name in Eviction object: ${r.name} != ${evictedName}`);
        }
        const { object } = await store.delete(ns, r.name, deleteOpts, opts);
        res.status(201).json(successStatus(info, object, 201));
        return;
      }
      if (sub === 'binding') {
        checkFields(subresourceKinds.Binding, body, opts, 'body');
        const bound = await bindPod(store, ns, r.name, body, opts, ctx.clock);
        res.status(201).json(successStatus(info, bound, 201));
        return;
      }
      throw new MethodNotAllowedError(`POST is not supported on ${info.resource}/${r.name}${sub ? `/${sub}` : ''}`);
    }
    case 'PUT': {
      if (r.name === undefined) throw new MethodNotAllowedError(`PUT is not supported on the ${info.resource} collection`);
      const body = decodeObject(req.body as Buffer, req.headers['content-type']);
      const opts = withFieldChecks(writeOptions(req.query, req.headers['user-agent']), res, req.body, mediaType(req.headers['content-type']));
      if (sub === 'scale') {
        checkFields(subresourceKinds.Scale, body, opts, 'body');
        const replicas = scaleReplicas(body);
        const rv = body.metadata?.resourceVersion;
        const updated = await store.guaranteedUpdate(ns, r.name, (cur) => {
          if (rv && rv !== cur.metadata.resourceVersion) {
            throw new ConflictError({ group: info.group, resource: info.resource, name: r.name }, 'the object has been modified; please apply your changes to the latest version and try again');
          }
          return { ...cur, spec: { ...(cur.spec as object), replicas } };
        }, opts);
        res.status(200).json(scaleOf(info, updated));
        return;
      }
      if (sub === 'finalize') {
        const finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
        const updated = await store.guaranteedUpdate(ns, r.name, (cur) => ({ ...cur, spec: { ...(cur.spec as object), finalizers } }), opts);
        send(req, res, ctx, info, 200, updated);
        return;
      }
      const { object, created } = await store.update(ns, r.name, body, { ...opts, ...(sub === 'status' ? { subresource: 'status' as const } : {}) });
      send(req, res, ctx, info, created ? 201 : 200, object);
      return;
    }
    case 'PATCH': {
      if (r.name === undefined) throw new MethodNotAllowedError(`PATCH is not supported on the ${info.resource} collection`);
      const contentType = mediaType(req.headers['content-type']);
      const opts = withFieldChecks(writeOptions(req.query, req.headers['user-agent']), res, req.body, contentType);
      if (patchTypeOf(contentType) === undefined) throw new UnsupportedMediaTypeError(contentType);
      const raw = req.body as Buffer;
      const name = r.name;
      const isApply = patchTypeOf(contentType) === 'apply';
      const force = boolParam(req.query, 'force');
      // An apply must name its manager itself; applyPatch answers 422 when it does not.
      const explicitManager = q(req.query, 'fieldManager');
      const manager = isApply ? explicitManager : opts.fieldManager;
      if (isApply) opts.apply = true;
      const patchCtx = {
        kind: info.kind,
        apiVersion: apiVersionOf(info),
        now: timestamp(ctx.clock.now()),
        force,
        ...(manager ? { manager } : {}),
        ...(sub === 'status' ? { subresource: 'status' } : {}),
      };
      if (sub === 'scale') {
        const updated = await store.guaranteedUpdate(ns, name, (cur) => {
          const patched = applyPatch(contentType, scaleOf(info, cur), raw, { ...patchCtx, kind: 'Scale', apiVersion: 'autoscaling/v1' }) as KubeObject;
          return { ...cur, spec: { ...(cur.spec as object), replicas: scaleReplicas(patched) } };
        }, opts);
        res.status(200).json(scaleOf(info, updated));
        return;
      }
      const subOpts = { ...opts, ...(sub === 'status' ? { subresource: 'status' as const } : {}) };
      try {
        const updated = await store.guaranteedUpdate(ns, name, (cur) => applyPatch(contentType, cur, raw, patchCtx) as KubeObject, subOpts);
        send(req, res, ctx, info, 200, updated);
      } catch (e: unknown) {
        // Server-side apply creates what does not exist yet.
        if (isApply && e instanceof NotFoundError && sub === undefined) {
          const obj = applyPatch(contentType, undefined, raw, patchCtx) as KubeObject;
          send(req, res, ctx, info, 201, await store.create(ns, { ...obj, metadata: { ...obj.metadata, name } }, opts));
          return;
        }
        throw e;
      }
      return;
    }
    case 'DELETE': {
      const opts = writeOptions(req.query, req.headers['user-agent']);
      const delOpts = deleteOptions(req);
      if (r.name === undefined) {
        send(req, res, ctx, info, 200, await store.deleteCollection(ns, listOptions(info, req.query), delOpts, opts));
        return;
      }
      const { object, deleted } = await store.delete(ns, r.name, delOpts, opts);
      if (!deleted) {
        send(req, res, ctx, info, 202, object);
        return;
      }
      if (info.kind === 'Pod' || info.kind === 'Namespace') send(req, res, ctx, info, 200, object);
      else res.status(200).json(successStatus(info, object, 200));
      return;
    }
    default:
      throw new MethodNotAllowedError(`method ${method} is not supported`);
  }
}

/** pods/binding: sets spec.nodeName once and marks the pod scheduled. */
async function bindPod(store: ResourceStore, ns: string | undefined, name: string, body: KubeObject, opts: WriteOptions, clock: Clock): Promise<StoredObject> {
  const target = (body as { target?: { kind?: string; name?: string } }).target;
  if (!target?.name) throw new BadRequestError('Binding.target.name is required');
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    throw new BadRequestError(`Binding.target.kind must be Node, got ${target.kind}`);
  }
  const bindingName = body.metadata?.name;
  if (bindingName !== undefined && bindingName !== name) {
    throw new BadRequestError(`the name of the binding (${bindingName}) does not match the pod (${name})`);
  }
  return store.guaranteedUpdate(
    ns,
    name,
    (cur) => {
      const spec = (cur.spec ?? {}) as { nodeName?: string };
      if (cur.metadata.deletionTimestamp) throw new ConflictError({ resource: 'pods', name }, 'pod is being deleted, cannot be assigned to a host');
      if (spec.nodeName) throw new ConflictError({ resource: 'pods', name }, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      const wantUid = body.metadata?.uid;
      if (wantUid && wantUid !== cur.metadata.uid) throw new ConflictError({ resource: 'pods', name }, `Precondition failed: UID in precondition: ${wantUid}, UID in object meta: ${cur.metadata.uid ?? ''}`);
      const status = structuredClone((cur.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] });
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(clock.now()) });
      status.conditions = conditions;
      return { ...cur, spec: { ...spec, nodeName: target.name }, status };
    },
    { ...opts, subresource: 'binding' },
  );
}

export { parseRevision };
