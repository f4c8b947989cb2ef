// Rollout history as Kubernetes keeps it: a Deployment's ReplicaSets, a StatefulSet's or DaemonSet's ControllerRevisions.
import { defaultPodSpec, selectorFromLabelSelector, type ControllerRevision, type DaemonSet, type Deployment, type LabelSelector, type ObjectMeta, type PodTemplateSpec, type ReplicaSet, type StatefulSet } from '@keelson/api';
import type { RestClient } from '@keelson/client';

/** The Deployment controller's revision number, on the Deployment and on each of its ReplicaSets. */
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
/** Why a revision was made (`kubectl … --record`, or set by hand). */
export const changeCauseAnnotation = 'kubernetes.io/change-cause';
/** The label the Deployment controller adds to each ReplicaSet's template. */
export const podTemplateHashLabel = 'pod-template-hash';

/** One entry of a rollout history. */
export interface Revision {
  revision: number;
  /** The pod template of that revision (for a ReplicaSet, with its pod-template-hash label). */
  template: PodTemplateSpec | undefined;
  changeCause: string | undefined;
  /** `replicaset/web-5d4f` or `controllerrevision/db-7c9`: where the revision is kept. */
  source: { kind: 'ReplicaSet' | 'ControllerRevision'; name: string; annotations: Readonly<Record<string, string>> };
}

/** True when `meta` names `owner` (by uid) as its managing controller. */
export function isControlledBy(meta: ObjectMeta | undefined, ownerUid: string | undefined): boolean {
  return ownerUid !== undefined && (meta?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === ownerUid);
}

/** The revision a Deployment or ReplicaSet's annotation records: 0 when absent, undefined when unreadable. */
export function revisionOf(meta: ObjectMeta | undefined): number | undefined {
  const v = meta?.annotations?.[revisionAnnotation];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

function selectorString(s: LabelSelector | undefined): string {
  return selectorFromLabelSelector(s).toString();
}

/** The ReplicaSets a Deployment controls (by owner reference), as kubectl's deploymentutil finds them. */
export async function ownedReplicaSets(client: RestClient, d: Deployment): Promise<ReplicaSet[]> {
  const ns = d.metadata?.namespace ?? '';
  const list = await client.resource('apps/v1', 'ReplicaSet').namespace(ns).listAll({ labelSelector: selectorString(d.spec?.selector) });
  return list.items.filter((rs) => isControlledBy(rs.metadata, d.metadata?.uid));
}

/** A Deployment's revisions: its ReplicaSets with a readable revision annotation, oldest first. */
export async function deploymentRevisions(client: RestClient, d: Deployment): Promise<Revision[]> {
  const out: Revision[] = [];
  for (const rs of await ownedReplicaSets(client, d)) {
    const revision = revisionOf(rs.metadata);
    if (revision === undefined) continue;
    const annotations = rs.metadata?.annotations ?? {};
    out.push({ revision, template: rs.spec?.template, changeCause: annotations[changeCauseAnnotation], source: { kind: 'ReplicaSet', name: rs.metadata?.name ?? '', annotations } });
  }
  return out.sort((a, b) => a.revision - b.revision);
}

/** The pod template a ControllerRevision records (its `data` is a patch of `spec.template`). */
export function templateOfControllerRevision(cr: ControllerRevision): PodTemplateSpec | undefined {
  const data: { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined = cr.data;
  const t = data?.spec?.template;
  if (t === undefined) return undefined;
  const copy = structuredClone(t);
  delete copy.$patch;
  return copy;
}

/** The ControllerRevisions a StatefulSet or DaemonSet controls, oldest first. */
export async function controllerRevisions(client: RestClient, owner: StatefulSet | DaemonSet): Promise<{ revision: Revision; object: ControllerRevision }[]> {
  const ns = owner.metadata?.namespace ?? '';
  const list = await client.resource('apps/v1', 'ControllerRevision').namespace(ns).listAll({ labelSelector: selectorString(owner.spec?.selector) });
  return list.items
    .filter((cr) => isControlledBy(cr.metadata, owner.metadata?.uid))
    .map((cr) => {
      const annotations = cr.metadata?.annotations ?? {};
      return {
        object: cr,
        revision: { revision: cr.revision, template: templateOfControllerRevision(cr), changeCause: annotations[changeCauseAnnotation], source: { kind: 'ControllerRevision' as const, name: cr.metadata?.name ?? '', annotations } },
      };
    })
    .sort((a, b) => a.revision.revision - b.revision.revision);
}

/**
 * Deep equality that, like apimachinery's semantic DeepEqual, treats a missing, empty or null
 * map or list as the same thing.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!semanticEqual(ra[k], rb[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * Whether two pod templates describe the same pods, once both carry the server's defaults (a
 * ControllerRevision may hold a template as written, its owner the template as stored).
 */
export function sameTemplate(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const defaulted = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
    const copy: PodTemplateSpec = structuredClone(t ?? {});
    if (copy.spec) defaultPodSpec(copy.spec);
    return copy;
  };
  return semanticEqual(defaulted(a), defaulted(b));
}

/** A template without the pod-template-hash label (what a Deployment's own template would hold). */
export function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy: PodTemplateSpec = structuredClone(t ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[podTemplateHashLabel];
  }
  return copy;
}

/** kubectl's equalIgnoreHash: the templates are the same but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return sameTemplate(withoutHash(a), withoutHash(b));
}
