// Authorization: system:masters and the control-plane components, the Node authorizer, kube-proxy, and discovery for everyone else.
import { ControllerManagerUser, KubeProxyUser, SchedulerUser, SystemMasters, nodeNameOf, type Attributes, type ResourceAttributes, type UserInfo } from './user';

export interface Decision {
  allowed: boolean;
}

/** What the Node authorizer looks up: the node a pod is bound to (undefined: no such pod). */
export interface AuthorizerLookups {
  podNodeName(namespace: string, name: string): Promise<string | undefined>;
}

/** Paths anyone may read, authenticated or not (upstream's system:public-info-viewer). */
export const publicPaths: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Paths every authenticated user may read (upstream's system:discovery and system:basic-user). */
function isDiscoveryPath(path: string): boolean {
  return path === '/api' || path === '/apis' || path.startsWith('/api/') || path.startsWith('/apis/') || path.startsWith('/openapi/') || publicPaths.has(path);
}

const readVerbs: ReadonlySet<string> = new Set(['get', 'list', 'watch']);

/**
 * What a kubelet reads. Upstream's graph-based Node authorizer limits secrets, configmaps, PVCs and PVs
 * to those referenced by pods bound to the node; here a node may read all of them (read-only), a
 * documented simplification: a node credential can never write what it does not own.
 */
const nodeReadable: ReadonlySet<string> = new Set([
  '/pods',
  '/services',
  '/endpoints',
  '/nodes',
  '/namespaces',
  '/configmaps',
  '/secrets',
  '/persistentvolumeclaims',
  '/persistentvolumes',
  'discovery.k8s.io/endpointslices',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/csidrivers',
  'node.k8s.io/runtimeclasses',
  'coordination.k8s.io/leases',
]);

const proxyReadable: ReadonlySet<string> = new Set(['/services', '/endpoints', '/nodes', 'discovery.k8s.io/endpointslices']);

function isEventWrite(a: ResourceAttributes): boolean {
  return a.resource === 'events' && (a.group === '' || a.group === 'events.k8s.io') && (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch');
}

/** The Node authorizer (plus NodeRestriction's "only your own" rules): a node writes only its Node, its Lease, its pods' status and deletion, and events. */
async function authorizeNode(node: string, a: ResourceAttributes, lookups: AuthorizerLookups): Promise<boolean> {
  const key = `${a.group}/${a.resource}`;
  if (readVerbs.has(a.verb) && a.subresource === '' && nodeReadable.has(key)) return true;
  if (isEventWrite(a)) return true;
  switch (key) {
    case '/nodes':
      // The kubelet registers its own Node and keeps it and its status current.
      if (a.name !== node) return false;
      if (a.subresource === '') return a.verb === 'create' || a.verb === 'update' || a.verb === 'patch' || a.verb === 'get';
      return a.subresource === 'status' && (a.verb === 'get' || a.verb === 'update' || a.verb === 'patch');
    case 'coordination.k8s.io/leases':
      return a.namespace === 'kube-node-lease' && a.name === node && a.subresource === '' && ['get', 'create', 'update', 'patch', 'delete'].includes(a.verb);
    case '/pods': {
      const statusWrite = a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch' || a.verb === 'get');
      const deletion = a.subresource === '' && a.verb === 'delete';
      if (!statusWrite && !deletion) return false;
      if (a.name === '' || a.namespace === '') return false;
      return (await lookups.podNodeName(a.namespace, a.name)) === node;
    }
    default:
      return false;
  }
}

/** Decides one request. Resource requests of users with no rule here are refused (403). */
export async function authorize(user: UserInfo, a: Attributes, lookups: AuthorizerLookups): Promise<Decision> {
  if (user.groups.includes(SystemMasters)) return { allowed: true };
  // The controller-manager and scheduler run with full access (upstream gives them broad ClusterRoles).
  if (user.name === ControllerManagerUser || user.name === SchedulerUser) return { allowed: true };
  if (a.kind === 'nonResource') return { allowed: a.verb === 'get' && isDiscoveryPath(a.path) };
  const node = nodeNameOf(user);
  if (node !== undefined) return { allowed: await authorizeNode(node, a, lookups) };
  if (user.name === KubeProxyUser) return { allowed: (readVerbs.has(a.verb) && a.subresource === '' && proxyReadable.has(`${a.group}/${a.resource}`)) || isEventWrite(a) };
  return { allowed: false };
}

/** Upstream's forbidden message (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters). */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (a.kind === 'nonResource') return `User "${user.name}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource !== '' ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace !== '' ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}
