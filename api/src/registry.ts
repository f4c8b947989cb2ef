// The scheme: every kind the API serves, with its group, version, resource name and scope.

/** A subresource served under a resource (`pods/status`, `deployments/scale`). */
export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'exec' | 'attach' | 'portforward' | 'eviction';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface ResourceInfo {
  /** API group; '' for the legacy core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower-case resource name used in URLs (`deployments`). */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  subresources: readonly Subresource[];
  verbs: readonly Verb[];
  categories: readonly string[];
  /**
   * The OpenAPI definition name of the kind's schema suffix, e.g. `CoreV1Pod`, used to find its
   * JSON-schema validator. Undefined for kinds served without a schema of their own.
   */
  schema: string;
}

const allVerbs: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Entry {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  subresources?: Subresource[];
  verbs?: Verb[];
  categories?: string[];
  schemaPrefix: string;
}

// Schema prefixes follow the OpenAPI definition names: io.k8s.api.<pkg>.<version>.<Kind>.
const entries: Entry[] = [
  // core/v1
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], subresources: ['status'], schemaPrefix: 'CoreV1', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], subresources: ['status', 'binding', 'log', 'exec', 'attach', 'portforward', 'eviction'], categories: ['all'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], subresources: ['status'], categories: ['all'], schemaPrefix: 'CoreV1', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: ['status'], schemaPrefix: 'CoreV1' },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], subresources: ['status'], schemaPrefix: 'CoreV1' },
  // apps/v1
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], subresources: ['status', 'scale'], categories: ['all'], schemaPrefix: 'AppsV1' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'], subresources: ['status', 'scale'], categories: ['all'], schemaPrefix: 'AppsV1' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'], subresources: ['status', 'scale'], categories: ['all'], schemaPrefix: 'AppsV1' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], subresources: ['status'], categories: ['all'], schemaPrefix: 'AppsV1' },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true, schemaPrefix: 'AppsV1' },
  // batch/v1
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true, subresources: ['status'], categories: ['all'], schemaPrefix: 'BatchV1' },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], subresources: ['status'], categories: ['all'], schemaPrefix: 'BatchV1' },
  // coordination.k8s.io/v1
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true, schemaPrefix: 'CoordinationV1' },
  // discovery.k8s.io/v1
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true, schemaPrefix: 'DiscoveryV1' },
  // storage.k8s.io/v1
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'], schemaPrefix: 'StorageV1' },
];

function complete(e: Entry): ResourceInfo {
  return Object.freeze({
    group: e.group,
    version: e.version,
    kind: e.kind,
    listKind: `${e.kind}List`,
    resource: e.resource,
    singular: e.kind.toLowerCase(),
    namespaced: e.namespaced,
    shortNames: Object.freeze(e.shortNames ?? []),
    subresources: Object.freeze(e.subresources ?? []),
    verbs: Object.freeze(e.verbs ?? allVerbs),
    categories: Object.freeze(e.categories ?? []),
    schema: `${e.schemaPrefix}${e.kind}`,
  });
}

/** Every resource served, in a stable order (core first, then by group). */
export const resources: readonly ResourceInfo[] = Object.freeze(entries.map(complete));

/**
 * Kinds that exist on the wire but are not stored resources of their own: the bodies of
 * subresources (`Binding` for pods/binding, `Scale` for …/scale).
 */
export const subresourceKinds = Object.freeze({
  Binding: { group: '', version: 'v1', kind: 'Binding', schema: 'CoreV1Binding' },
  Scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', schema: 'AutoscalingV1Scale' },
});

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const byGVK = new Map<string, ResourceInfo>();
const byGVR = new Map<string, ResourceInfo>();
for (const r of resources) {
  byGVK.set(`${apiVersionOf(r)}/${r.kind}`, r);
  byGVR.set(`${r.group}/${r.version}/${r.resource}`, r);
}

/** The resource for an object's `apiVersion` and `kind`, if served. */
export function lookupKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

/** The resource for a URL's group, version and plural resource name, if served. */
export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

/**
 * Resolves what a user types (`deploy`, `deployments`, `deployment`, `Deployment`,
 * `deployments.apps`, `deploy.apps`) to resources, as kubectl does. Several matches are possible
 * only for ambiguous names; the preferred one comes first.
 */
export function resolveResourceName(name: string): ResourceInfo[] {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  return resources.filter(
    (r) =>
      (group === undefined || r.group === group || (group !== '' && r.group.startsWith(`${group}.`))) &&
      (r.resource === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)),
  );
}

/** API groups and their versions, core excluded, in the order discovery lists them. */
export function apiGroups(): { group: string; versions: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.group === '') continue;
    const set = groups.get(r.group) ?? new Set<string>();
    set.add(r.version);
    groups.set(r.group, set);
  }
  return [...groups].map(([group, versions]) => ({ group, versions: [...versions] }));
}

/** The storage key prefix of a resource, in a namespace or across all of them. */
export function storagePrefix(info: ResourceInfo, namespace?: string): string {
  return info.namespaced && namespace ? `/registry/${info.resource}/${namespace}/` : `/registry/${info.resource}/`;
}

/** The storage key of one object. */
export function storageKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `/registry/${info.resource}/${namespace ?? ''}/${name}` : `/registry/${info.resource}/${name}`;
}
