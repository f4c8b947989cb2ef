// StatefulSet pod identity (stateful_set_utils.go): ordinals, names, labels, claims, revisions applied to a set, pod health.
import type { ControllerRevision, PersistentVolumeClaim, Pod, PodTemplateSpec, StatefulSet, Volume } from '@keelson/api';
import { newControllerRef } from '../common/controllerref';
import { revisionLabel } from '../common/history';
import { podFromTemplate } from '../common/podcontrol';
import { isPodAvailable, isPodReady } from '../common/pods';

/** The pod label holding the pod's own name (apps.StatefulSetPodNameLabel), for per-pod Services. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
/** The pod label holding the pod's ordinal (apps.PodIndexLabel). */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** The pod label naming the ControllerRevision the pod was made from (apps.StatefulSetRevisionLabel). */
export const statefulSetRevisionLabel = revisionLabel;

export type PodManagementPolicy = 'OrderedReady' | 'Parallel';
export type RetentionPolicyType = 'Retain' | 'Delete';

const podNamePattern = /^(.*)-([0-9]+)$/;

/** The set a pod name belongs to and its ordinal; ordinal −1 when the name has none (getParentNameAndOrdinal). */
export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = podNamePattern.exec(pod.metadata?.name ?? '');
  if (m === null) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1] ?? '', ordinal } : { parent: '', ordinal: -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

/** The pod's name says it belongs to `set` (isMemberOf). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata?.name;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** The first ordinal (`spec.ordinals.start`, default 0). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The last ordinal a pod of the set may have; start − 1 when scaled to zero. */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

/** `<claim>-<set>-<ordinal>` (getPersistentVolumeClaimName). */
export function claimName(set: StatefulSet, claim: PersistentVolumeClaim, ordinal: number): string {
  return `${claim.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`;
}

export function podManagementPolicy(set: StatefulSet): PodManagementPolicy {
  return set.spec?.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady';
}

/** Parallel sets may create and delete pods in bursts; OrderedReady ones go one at a time (allowsBurst). */
export function allowsBurst(set: StatefulSet): boolean {
  return podManagementPolicy(set) === 'Parallel';
}

export function retentionPolicy(set: StatefulSet): { whenDeleted: RetentionPolicyType; whenScaled: RetentionPolicyType } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p?.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

/**
 * The claims the pod should mount, by template name (getPersistentVolumeClaims): each
 * volumeClaimTemplate named for the pod's ordinal, in the set's namespace, labelled with the
 * set's selector labels.
 */
export function podClaims(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaim> {
  const ordinal = ordinalOf(pod);
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...claim } = structuredClone(t);
    const metadata = { ...(claim.metadata ?? {}) };
    metadata.name = claimName(set, t, ordinal);
    if (set.metadata?.namespace !== undefined) metadata.namespace = set.metadata.namespace;
    metadata.labels = { ...(metadata.labels ?? {}), ...(set.spec?.selector.matchLabels ?? {}) };
    claim.metadata = metadata;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claims.set(t.metadata?.name ?? '', claim);
  }
  return claims;
}

/** Name, namespace and the identity labels (pod name, pod index) are the set's for the pod's ordinal (identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata?.namespace &&
    pod.metadata.labels?.[podNameLabel] === pod.metadata.name &&
    pod.metadata.labels[podIndexLabel] === String(ordinal)
  );
}

/** Sets name, namespace and the identity labels on `pod` (updateIdentity). */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  const meta = (pod.metadata ??= {});
  meta.name = podName(set, ordinal);
  if (set.metadata?.namespace !== undefined) meta.namespace = set.metadata.namespace;
  meta.labels = { ...(meta.labels ?? {}), [podNameLabel]: meta.name, [podIndexLabel]: String(ordinal) };
}

/** Every volumeClaimTemplate is mounted from the pod's own claim (storageMatches). */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata?.name ?? '');
    if (v?.persistentVolumeClaim?.claimName !== claimName(set, t, ordinal)) return false;
  }
  return true;
}

/** Mounts the pod's claims as volumes named after their templates, replacing same-named template volumes (updateStorage). */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = podClaims(set, pod);
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata?.name ?? '' } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  const spec = (pod.spec ??= { containers: [] });
  spec.volumes = volumes;
}

/**
 * The pod for `ordinal` from the set's template (newStatefulSetPod): controlled by the set,
 * named `<set>-<ordinal>`, hostname the pod name and subdomain the governing Service, with
 * identity labels and the claim volumes.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
  const pod = podFromTemplate(set.spec?.template, set.metadata?.namespace ?? '', set.metadata?.name ?? '', ref);
  const meta = (pod.metadata ??= {});
  delete meta.generateName;
  meta.name = podName(set, ordinal);
  updateIdentity(set, pod);
  const spec = (pod.spec ??= { containers: [] });
  // Set only at creation: both are immutable afterwards.
  spec.hostname = meta.name;
  if (set.spec?.serviceName !== undefined && set.spec.serviceName !== '') spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

export function setPodRevision(pod: Pod, revision: string): void {
  const meta = (pod.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [statefulSetRevisionLabel]: revision };
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[statefulSetRevisionLabel] ?? '';
}

/**
 * The pod for `ordinal` at the revision it should start at (newVersionedStatefulSetPod): below
 * the rolling update's partition the current revision, otherwise the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const us = currentSet.spec?.updateStrategy;
  const rolling = us?.type === undefined || us.type === 'RollingUpdate';
  if (rolling && ordinal < startOrdinal(currentSet) + (us?.rollingUpdate?.partition ?? 0)) {
    const pod = newStatefulSetPod(currentSet, ordinal);
    setPodRevision(pod, currentRevision);
    return pod;
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  setPodRevision(pod, updateRevision);
  return pod;
}

// ---- revisions

/** What a StatefulSet revision stores: a strategic merge patch replacing the template (getPatch). */
export interface StatefulSetRevisionData {
  spec: { template: PodTemplateSpec & { $patch: 'replace' } };
}

export function revisionData(set: StatefulSet): StatefulSetRevisionData {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The set with the revision's template (ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const out = structuredClone(set);
  const stored = storedTemplate(revision.data);
  if (stored !== undefined && out.spec !== undefined) {
    const { $patch: _replace, ...template } = structuredClone(stored);
    out.spec.template = template;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The template a revision's data holds, if it has the shape revisionData writes. */
function storedTemplate(data: unknown): (PodTemplateSpec & { $patch?: string }) | undefined {
  if (!isRecord(data) || !isRecord(data['spec'])) return undefined;
  const t = data['spec']['template'];
  return isRecord(t) ? t : undefined;
}

// ---- pod states

/** Made by the API server: it has a phase (isCreated). */
export function isCreated(pod: Pod): boolean {
  return (pod.status?.phase ?? '') !== '';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** Running, Ready and not being deleted (isHealthy). */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}
