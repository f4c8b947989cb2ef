// The `paths` of the OpenAPI documents: every served resource's operations, from the registry, named and shaped as Kubernetes names them.
import { definitionNameOf, resources, subresourceKinds, type GroupVersionKind, type ResourceInfo, type SchemaObject } from '@keelson/api';
import type { Action, HttpMethod, V2Operation, V2Parameter, V2PathItem } from './types';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const JSON_TYPE = 'application/json';
const WATCH_STREAM = 'application/json;stream=watch';
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

const ref = (definition: string): SchemaObject => ({ $ref: `#/definitions/${definition}` });

function definitionOf(gvk: GroupVersionKind): string {
  const name = definitionNameOf(gvk);
  if (name === undefined) throw new Error(`no OpenAPI definition for ${gvk.group}/${gvk.version} ${gvk.kind}: regenerate api/generated/openapi-schemas.json`);
  return name;
}

function groupWords(group: string): string[] {
  return group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split('.');
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The group version in operation ids: `CoreV1`, `AppsV1`, `CoordinationV1`, `RbacAuthorizationV1`. */
export function groupVersionName(group: string, version: string): string {
  return `${groupWords(group).map(cap).join('')}${cap(version)}`;
}

/** The tag of a group version's operations: `core_v1`, `apps_v1`, `coordination_v1`. */
export function groupVersionTag(group: string, version: string): string {
  const [first = '', ...rest] = groupWords(group);
  return `${first}${rest.map(cap).join('')}_${version}`;
}

/** The URL prefix of a group version: `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function query(name: string, type: 'string' | 'boolean' | 'integer', description: string): V2Parameter {
  return { name, in: 'query', description, type, uniqueItems: true };
}

/** Query parameters, described as this server implements them. */
const param = {
  pretty: query('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: query('dryRun', 'string', 'When present, the request is validated and defaulted but nothing is stored. The only valid value is All.'),
  fieldManager: query(
    'fieldManager',
    'string',
    'The name of the actor making these changes, recorded in managedFields. At most 128 characters of printable text. Required for apply patches.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'What the server does with fields the object\'s schema does not declare and with duplicate fields. They are never stored. Ignore: dropped silently. Warn (the default): dropped, with one "Warning: 299" response header per field. Strict: the request fails with 400 BadRequest listing every such field.',
  ),
  force: query('force', 'boolean', 'Apply patches only: take ownership of fields other managers own instead of failing with a conflict. Must be unset for other patch types.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes at once. Defaults to the kind\'s own grace period.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned (the "orphan" finalizer is added).'),
  propagationPolicy: query('propagationPolicy', 'string', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Watch only: the server may send BOOKMARK events carrying just a resourceVersion.'),
  continue: query('continue', 'string', 'The continue token of the previous page of a paged list.'),
  fieldSelector: query('fieldSelector', 'string', 'Restricts the objects returned by their fields (metadata.name, metadata.namespace and the kind\'s own field labels).'),
  labelSelector: query('labelSelector', 'string', 'Restricts the objects returned by their labels.'),
  limit: query('limit', 'integer', 'The most objects to return; the response carries a continue token when there are more.'),
  resourceVersion: query('resourceVersion', 'string', 'Which version of the objects to serve: unset for the latest, "0" for any, or a resourceVersion.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion is matched on a list: Exact or NotOlderThan.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'Watch only: begin with ADDED events for the current objects, then a bookmark.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Ends the list or watch after this many seconds.'),
  watch: query('watch', 'boolean', 'Watch for changes to the described resources instead of listing them.'),
} as const;

const listParams = [
  param.allowWatchBookmarks,
  param.continue,
  param.fieldSelector,
  param.labelSelector,
  param.limit,
  param.resourceVersion,
  param.resourceVersionMatch,
  param.sendInitialEvents,
  param.timeoutSeconds,
  param.watch,
];

function body(schema: SchemaObject, required: boolean): V2Parameter {
  return required ? { name: 'body', in: 'body', description: '', required: true, schema } : { name: 'body', in: 'body', description: '', schema };
}

function pathParam(name: string, description: string): V2Parameter {
  return { name, in: 'path', description, required: true, type: 'string', uniqueItems: true };
}

const namespaceParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

interface OperationSpec {
  action: Action;
  id: string;
  description: string;
  gvk: GroupVersionKind;
  parameters?: V2Parameter[];
  responses: Record<string, SchemaObject>;
  consumes?: string[];
  produces?: string[];
}

function operation(tag: string, spec: OperationSpec): V2Operation {
  const responses: V2Operation['responses'] = {};
  for (const [code, schema] of Object.entries(spec.responses)) {
    responses[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', schema };
  }
  responses['401'] = { description: 'Unauthorized' };
  const op: V2Operation = {
    description: spec.description,
    ...(spec.consumes ? { consumes: spec.consumes } : {}),
    produces: spec.produces ?? [JSON_TYPE],
    schemes: ['https', 'http'],
    tags: [tag],
    operationId: spec.id,
    ...(spec.parameters && spec.parameters.length > 0 ? { parameters: spec.parameters } : {}),
    responses,
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': spec.gvk,
  };
  return op;
}

/** Every path and operation of one resource, with its served subresources. */
export function resourcePaths(info: ResourceInfo): Record<string, V2PathItem> {
  const paths: Record<string, V2PathItem> = {};
  const prefix = groupVersionPrefix(info.group, info.version);
  const gv = groupVersionName(info.group, info.version);
  const tag = groupVersionTag(info.group, info.version);
  const kind = info.kind;
  const gvk: GroupVersionKind = { group: info.group, kind, version: info.version };
  const object = ref(definitionOf(gvk));
  const list = ref(definitionOf({ ...gvk, kind: info.listKind }));
  const status = ref(`${META}.Status`);
  const deleteOptions = ref(`${META}.DeleteOptions`);
  const watchEvent = ref(`${META}.WatchEvent`);
  const patch = ref(`${META}.Patch`);
  const scope = info.namespaced ? 'Namespaced' : '';
  const nsParams = info.namespaced ? [namespaceParam] : [];
  const collectionPath = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
  const itemPath = `${collectionPath}/{name}`;
  const has = (verb: ResourceInfo['verbs'][number]): boolean => info.verbs.includes(verb);
  const mk = (spec: OperationSpec): V2Operation => operation(tag, spec);
  const add = (path: string, pathParams: V2Parameter[], ops: Partial<Record<HttpMethod, V2Operation>>): void => {
    if (Object.keys(ops).length > 0) paths[path] = { ...ops, parameters: [...pathParams, param.pretty] };
  };
  const writeParams = [param.dryRun, param.fieldManager, param.fieldValidation];
  const patchParams = [param.dryRun, param.fieldManager, param.fieldValidation, param.force];
  // Pods and namespaces answer a delete with the object, other kinds with a Status.
  const deleted = kind === 'Pod' || kind === 'Namespace' ? object : status;

  const collection: Partial<Record<HttpMethod, V2Operation>> = {};
  if (has('list')) {
    collection.get = mk({ action: 'list', id: `list${gv}${scope}${kind}`, description: `list or watch objects of kind ${kind}`, gvk, parameters: listParams, responses: { 200: list }, produces: [JSON_TYPE, WATCH_STREAM] });
  }
  if (has('create')) {
    collection.post = mk({
      action: 'post', id: `create${gv}${scope}${kind}`, description: `create a ${kind}`, gvk,
      parameters: [body(object, true), ...writeParams], responses: { 200: object, 201: object, 202: object }, consumes: ['*/*'],
    });
  }
  if (has('deletecollection')) {
    collection.delete = mk({
      action: 'deletecollection', id: `delete${gv}Collection${scope}${kind}`, description: `delete collection of ${kind}`, gvk,
      parameters: [body(deleteOptions, false), param.continue, param.dryRun, param.fieldSelector, param.gracePeriodSeconds, param.labelSelector, param.limit,
        param.orphanDependents, param.propagationPolicy, param.resourceVersion, param.resourceVersionMatch, param.sendInitialEvents, param.timeoutSeconds],
      responses: { 200: status }, consumes: ['*/*'],
    });
  }
  add(collectionPath, nsParams, collection);

  const nameParam = pathParam('name', `name of the ${kind}`);
  const item: Partial<Record<HttpMethod, V2Operation>> = {};
  if (has('get')) item.get = mk({ action: 'get', id: `read${gv}${scope}${kind}`, description: `read the specified ${kind}`, gvk, responses: { 200: object } });
  if (has('update')) {
    item.put = mk({
      action: 'put', id: `replace${gv}${scope}${kind}`, description: `replace the specified ${kind}`, gvk,
      parameters: [body(object, true), ...writeParams], responses: { 200: object, 201: object }, consumes: ['*/*'],
    });
  }
  if (has('patch')) {
    item.patch = mk({
      action: 'patch', id: `patch${gv}${scope}${kind}`, description: `partially update the specified ${kind}`, gvk,
      parameters: [body(patch, true), ...patchParams], responses: { 200: object, 201: object }, consumes: PATCH_TYPES,
    });
  }
  if (has('delete')) {
    item.delete = mk({
      action: 'delete', id: `delete${gv}${scope}${kind}`, description: `delete a ${kind}`, gvk,
      parameters: [body(deleteOptions, false), param.dryRun, param.gracePeriodSeconds, param.orphanDependents, param.propagationPolicy],
      responses: { 200: deleted, 202: deleted }, consumes: ['*/*'],
    });
  }
  add(itemPath, [nameParam, ...nsParams], item);

  if (info.namespaced && has('list')) {
    add(`${prefix}/${info.resource}`, [], {
      get: mk({ action: 'list', id: `list${gv}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, gvk, parameters: listParams, responses: { 200: list }, produces: [JSON_TYPE, WATCH_STREAM] }),
    });
  }
  if (has('watch')) {
    const deprecated = "deprecated: use the 'watch' parameter with a list operation instead";
    const watchCollection = info.namespaced ? `${prefix}/watch/namespaces/{namespace}/${info.resource}` : `${prefix}/watch/${info.resource}`;
    const watchParams = listParams;
    add(watchCollection, nsParams, {
      get: mk({ action: 'watchlist', id: `watch${gv}${scope}${kind}List`, description: `watch individual changes to a list of ${kind}. ${deprecated}.`, gvk, parameters: watchParams, responses: { 200: watchEvent }, produces: [JSON_TYPE, WATCH_STREAM] }),
    });
    add(`${watchCollection}/{name}`, [nameParam, ...nsParams], {
      get: mk({
        action: 'watch', id: `watch${gv}${scope}${kind}`, gvk, parameters: watchParams, responses: { 200: watchEvent }, produces: [JSON_TYPE, WATCH_STREAM],
        description: `watch changes to an object of kind ${kind}. ${deprecated}, filtered to a single item with the 'fieldSelector' parameter.`,
      }),
    });
    if (info.namespaced) {
      add(`${prefix}/watch/${info.resource}`, [], {
        get: mk({ action: 'watchlist', id: `watch${gv}${kind}ListForAllNamespaces`, description: `watch individual changes to a list of ${kind}. ${deprecated}.`, gvk, parameters: watchParams, responses: { 200: watchEvent }, produces: [JSON_TYPE, WATCH_STREAM] }),
      });
    }
  }

  for (const sub of info.subresources) {
    if (sub === 'status' || sub === 'scale') {
      const subGvk: GroupVersionKind = sub === 'scale' ? { group: subresourceKinds.Scale.group, kind: 'Scale', version: subresourceKinds.Scale.version } : gvk;
      const subObject = sub === 'scale' ? ref(definitionOf(subGvk)) : object;
      const suffix = cap(sub);
      add(`${itemPath}/${sub}`, [pathParam('name', `name of the ${sub === 'scale' ? 'Scale' : kind}`), ...nsParams], {
        get: mk({ action: 'get', id: `read${gv}${scope}${kind}${suffix}`, description: `read ${sub} of the specified ${kind}`, gvk: subGvk, responses: { 200: subObject } }),
        put: mk({
          action: 'put', id: `replace${gv}${scope}${kind}${suffix}`, description: `replace ${sub} of the specified ${kind}`, gvk: subGvk,
          parameters: [body(subObject, true), ...writeParams], responses: { 200: subObject, 201: subObject }, consumes: ['*/*'],
        }),
        patch: mk({
          action: 'patch', id: `patch${gv}${scope}${kind}${suffix}`, description: `partially update ${sub} of the specified ${kind}`, gvk: subGvk,
          parameters: [body(patch, true), ...patchParams], responses: { 200: subObject, 201: subObject }, consumes: PATCH_TYPES,
        }),
      });
    } else if (sub === 'binding') {
      const bindingGvk: GroupVersionKind = { group: subresourceKinds.Binding.group, kind: 'Binding', version: subresourceKinds.Binding.version };
      const binding = ref(definitionOf(bindingGvk));
      add(`${itemPath}/binding`, [pathParam('name', 'name of the Binding'), ...nsParams], {
        post: mk({
          action: 'post', id: `create${gv}${scope}${kind}Binding`, description: `create binding of a ${kind}`, gvk: bindingGvk,
          parameters: [body(binding, true), ...writeParams], responses: { 200: binding, 201: binding, 202: binding }, consumes: ['*/*'],
        }),
      });
    }
    // log, exec, attach, portforward and eviction are not served yet (405), so not described.
  }
  if (kind === 'Namespace') {
    add(`${itemPath}/finalize`, [nameParam], {
      put: mk({
        action: 'put', id: `replace${gv}NamespaceFinalize`, description: 'replace finalize of the specified Namespace', gvk,
        parameters: [body(object, true), param.dryRun, param.fieldManager, param.fieldValidation], responses: { 200: object, 201: object }, consumes: ['*/*'],
      }),
    });
  }
  return paths;
}

/** The group versions served, core first, in registry order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) if (!seen.has(`${r.group}/${r.version}`)) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

/** The paths of one group version: its discovery document and every resource's operations. */
export function groupVersionPaths(group: string, version: string): Record<string, V2PathItem> {
  const gv = groupVersionName(group, version);
  const paths: Record<string, V2PathItem> = {
    [`${groupVersionPrefix(group, version)}/`]: {
      get: {
        description: 'get available resources',
        consumes: [JSON_TYPE],
        produces: [JSON_TYPE],
        schemes: ['https', 'http'],
        tags: [groupVersionTag(group, version)],
        operationId: `get${gv}APIResources`,
        responses: { 200: { description: 'OK', schema: ref(`${META}.APIResourceList`) }, 401: { description: 'Unauthorized' } },
        'x-kubernetes-action': 'get',
      },
    },
  };
  for (const r of resources) if (r.group === group && r.version === version) Object.assign(paths, resourcePaths(r));
  return paths;
}
