// Object shapes the client works with, and the map from apiVersion/kind to the @keelson/api type.
import type {
  ConfigMap,
  ControllerRevision,
  CronJob,
  DaemonSet,
  Deployment,
  EndpointSlice,
  Endpoints,
  Event,
  Job,
  Lease,
  ListMeta,
  Namespace,
  Node,
  ObjectMeta,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  Secret,
  Service,
  ServiceAccount,
  StatefulSet,
  StorageClass,
} from '@keelson/api';

/**
 * Any API object. The kubernetes-types interfaces (Pod, Deployment, …) satisfy this, which
 * @keelson/api's KubeObject (with its index signature) they do not.
 */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** `FooList`, as list calls answer. */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** Every kind the registry serves, by `apiVersion/kind`, so `client.resource('apps/v1', 'Deployment')` is typed. */
export interface KnownKinds {
  'v1/Namespace': Namespace;
  'v1/Node': Node;
  'v1/Pod': Pod;
  'v1/Service': Service;
  'v1/Endpoints': Endpoints;
  'v1/ConfigMap': ConfigMap;
  'v1/Secret': Secret;
  'v1/Event': Event;
  'v1/ServiceAccount': ServiceAccount;
  'v1/PersistentVolume': PersistentVolume;
  'v1/PersistentVolumeClaim': PersistentVolumeClaim;
  'apps/v1/Deployment': Deployment;
  'apps/v1/ReplicaSet': ReplicaSet;
  'apps/v1/StatefulSet': StatefulSet;
  'apps/v1/DaemonSet': DaemonSet;
  'apps/v1/ControllerRevision': ControllerRevision;
  'batch/v1/Job': Job;
  'batch/v1/CronJob': CronJob;
  'coordination.k8s.io/v1/Lease': Lease;
  'discovery.k8s.io/v1/EndpointSlice': EndpointSlice;
  'storage.k8s.io/v1/StorageClass': StorageClass;
}

/** The object type of `apiVersion` + `kind`: the known type, or ObjectLike. */
export type KindOf<A extends string, K extends string> = `${A}/${K}` extends keyof KnownKinds ? KnownKinds[`${A}/${K}`] : ObjectLike;

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: ObjectLike): string {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** Splits a key made by keyOf. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The key of `name` in `namespace` (undefined or '' for cluster-scoped objects). */
export function makeKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
