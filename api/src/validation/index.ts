// Validation of API objects: the OpenAPI schema first, then the semantic rules Kubernetes enforces.
import { InvalidError, type FieldError } from '../errors';
import type { ResourceInfo } from '../registry';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../types/apps';
import type { CronJob, Job } from '../types/batch';
import type { ConfigMap, Endpoints, Node, PersistentVolumeClaim, Pod, Secret, Service } from '../types/core';
import type { KubeObject, LabelSelector } from '../types/meta';
import type { EndpointSlice, Lease } from '../types/others';
import { FieldPath, fieldErr } from './errors';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta';
import {
  validateConfigMap,
  validateEndpointSlice,
  validateEndpoints,
  validateImmutableData,
  validateLease,
  validateNode,
  validateNodeUpdate,
  validatePersistentVolumeClaimUpdate,
  validateSecret,
  validateService,
  validateServiceUpdate,
} from './other';
import { validatePodSpec, validatePodSpecUpdate } from './pod';
import { checkSchema } from './schema';
import { validateCronJob, validateDaemonSet, validateDeployment, validateJob, validateReplicaSet, validateStatefulSet } from './workloads';

export { FieldPath, fieldErr } from './errors';
export { validateSchema, checkSchema, fieldPathFromPointer, type SchemaResult } from './schema';
export { isValidCronSchedule } from './workloads';

type Rule = (obj: KubeObject) => FieldError[];
type UpdateRule = (obj: KubeObject, old: KubeObject) => FieldError[];

const rules: Record<string, Rule> = {
  Pod: (o) => validatePodSpec((o as Pod).spec, FieldPath.root('spec')),
  Deployment: (o) => validateDeployment(o as Deployment),
  ReplicaSet: (o) => validateReplicaSet(o as ReplicaSet),
  StatefulSet: (o) => validateStatefulSet(o as StatefulSet),
  DaemonSet: (o) => validateDaemonSet(o as DaemonSet),
  Job: (o) => validateJob(o as Job),
  CronJob: (o) => validateCronJob(o as CronJob),
  Service: (o) => validateService(o as Service),
  ConfigMap: (o) => validateConfigMap(o as ConfigMap),
  Secret: (o) => validateSecret(o as Secret),
  Node: (o) => validateNode(o as Node),
  Endpoints: (o) => validateEndpoints(o as Endpoints),
  EndpointSlice: (o) => validateEndpointSlice(o as unknown as EndpointSlice),
  Lease: (o) => validateLease(o as Lease),
};

function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = (o: KubeObject): LabelSelector | undefined => (o.spec as { selector?: LabelSelector } | undefined)?.selector;
  if (JSON.stringify(sel(obj) ?? null) !== JSON.stringify(sel(old) ?? null)) {
    return [fieldErr.immutable(FieldPath.root('spec').child('selector'), sel(obj))];
  }
  return [];
}

const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

const updateRules: Record<string, UpdateRule> = {
  Pod: (o, old) => validatePodSpecUpdate((o as Pod).spec, (old as Pod).spec, FieldPath.root('spec')),
  Deployment: selectorImmutable,
  ReplicaSet: selectorImmutable,
  DaemonSet: selectorImmutable,
  StatefulSet: (o, old) => {
    const strip = (x: KubeObject): string => {
      const spec = { ...((x.spec ?? {}) as Record<string, unknown>) };
      for (const f of statefulSetMutable) delete spec[f];
      return JSON.stringify(spec);
    };
    if (strip(o) === strip(old)) return [];
    return [
      fieldErr.forbidden(
        FieldPath.root('spec'),
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  },
  Job: (o, old) => {
    const errs = selectorImmutable(o, old);
    const spec = (o as Job).spec;
    const oldSpec = (old as Job).spec;
    if (spec?.completions !== oldSpec?.completions && spec?.completionMode !== 'Indexed') {
      errs.push(fieldErr.immutable(FieldPath.root('spec').child('completions'), spec?.completions));
    }
    // The template may change only while the job is suspended (as Kubernetes allows for scheduling directives).
    if (JSON.stringify(spec?.template ?? null) !== JSON.stringify(oldSpec?.template ?? null) && oldSpec?.suspend !== true) {
      errs.push(fieldErr.immutable(FieldPath.root('spec').child('template'), spec?.template));
    }
    return errs;
  },
  Service: (o, old) => validateServiceUpdate(o as Service, old as Service),
  ConfigMap: (o, old) => validateImmutableData(o as ConfigMap, old as ConfigMap),
  Secret: (o, old) => validateImmutableData(o as Secret, old as Secret),
  Node: (o, old) => validateNodeUpdate(o as Node, old as Node),
  PersistentVolumeClaim: (o, old) => validatePersistentVolumeClaimUpdate(o as PersistentVolumeClaim, old as PersistentVolumeClaim),
};

/**
 * Every problem with `obj` as a new object of `info`'s kind, or as an update of `old` when
 * given, one per field. A value of the wrong type stops validation at the schema: semantic
 * rules run only on a well-typed object.
 */
export function validateObject(info: ResourceInfo, obj: KubeObject, old?: KubeObject): FieldError[] {
  const schema = checkSchema(info.schema, obj);
  if (schema.malformed) return schema.errors;
  const errs = [...schema.errors];
  errs.push(...validateObjectMeta(info, obj.metadata));
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  const rule = rules[info.kind];
  if (rule) errs.push(...rule(obj));
  const updateRule = old ? updateRules[info.kind] : undefined;
  if (updateRule && old) errs.push(...updateRule(obj, old));
  // The schema and a semantic rule may both flag one field: report it once.
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.field}\u0000${e.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Throws InvalidError when a value has the wrong type (a string where the schema wants an
 * integer, a number where it wants an object): what Kubernetes rejects while decoding, before
 * defaulting or any other step reads the object.
 */
export function assertWellTyped(info: ResourceInfo, obj: KubeObject): void {
  const schema = checkSchema(info.schema, obj);
  if (schema.malformed) {
    throw new InvalidError({ group: info.group, kind: info.kind, resource: info.resource, name: obj.metadata?.name ?? obj.metadata?.generateName ?? '' }, schema.errors);
  }
}

/** Throws InvalidError (HTTP 422, with one cause per field) unless `obj` is valid. */
export function assertValid(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
  const errs = validateObject(info, obj, old);
  if (errs.length > 0) {
    throw new InvalidError({ group: info.group, kind: info.kind, resource: info.resource, name: obj.metadata?.name ?? obj.metadata?.generateName ?? '' }, errs);
  }
}
