// Who a request is (the authenticated user) and what it asks to do (authorization attributes).

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** Well-known users and groups (k8s.io/apiserver/pkg/authentication/user). */
export const SystemMasters = 'system:masters';
export const NodesGroup = 'system:nodes';
export const NodeUserPrefix = 'system:node:';
export const Authenticated = 'system:authenticated';
export const ControllerManagerUser = 'system:kube-controller-manager';
export const SchedulerUser = 'system:kube-scheduler';
export const KubeProxyUser = 'system:kube-proxy';

/** A Kubernetes verb, as authorizers see it. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceAttributes {
  kind: 'resource';
  verb: Verb;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  /** The object's name: from the path, or from the body of a create. */
  name: string;
}

export interface NonResourceAttributes {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

/** The node a user is, when it is a node's identity (`system:node:<name>` in `system:nodes`). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NodesGroup) || !user.name.startsWith(NodeUserPrefix)) return undefined;
  const name = user.name.slice(NodeUserPrefix.length);
  return name === '' ? undefined : name;
}
