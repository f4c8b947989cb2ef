// DaemonSet pod labels and orderings: the revision hash and template generation labels, "is this pod up to date", oldest-first.
import type { DaemonSet, Pod, PodTemplateSpec } from '@keelson/api';
import { revisionLabel } from '../common/history';
import { scaledValue } from '../common/intstr';
import { parseTime } from '../common/time';
import { addDaemonTolerations } from './predicates';

/** The revision a daemon pod was made from (apps.DefaultDaemonSetUniqueLabelKey = ControllerRevisionHashLabelKey). */
export const hashLabel = revisionLabel;
/** The template generation a daemon pod was made from (extensions.DaemonSetTemplateGenerationKey). */
export const templateGenerationLabel = 'pod-template-generation';
/** Where Kubernetes' API server records a DaemonSet's template generation (apps.DeprecatedTemplateGeneration). */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/**
 * The template generation of a DaemonSet (util.GetTemplateGeneration). Kubernetes' API server
 * keeps it in an annotation it bumps on template changes only; this API server does not write
 * that annotation, so without it `metadata.generation` stands in. It grows on any spec change,
 * never repeats, and a pod carrying the current value was made from the current template, which
 * is all "updated" needs.
 */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata?.annotations?.[templateGenerationAnnotation];
  if (a !== undefined) return /^\d+$/.test(a) ? Number(a) : undefined;
  return ds.metadata?.generation;
}

/** A pod made from the current revision: its hash label, or its generation label, is current (util.IsPodUpdated). */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[templateGenerationLabel] === String(generation);
  const hashMatches = hash !== '' && labels[hashLabel] === hash;
  return hashMatches || templateMatches;
}

/** The template daemon pods are created from (util.CreatePodTemplate): the daemon tolerations, the generation and hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {});
  t.spec ??= { containers: [] };
  addDaemonTolerations(t.spec);
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[templateGenerationLabel] = String(generation);
  if (hash !== '') labels[hashLabel] = hash;
  t.metadata = { ...t.metadata, labels };
  return t;
}

/** Scheduled pods first, then oldest first, then by name (podByCreationTimestampAndPhase). */
export function compareOldestFirst(a: Pod, b: Pod): number {
  const sa = (a.spec?.nodeName ?? '') !== '';
  const sb = (b.spec?.nodeName ?? '') !== '';
  if (sa !== sb) return sa ? -1 : 1;
  const ta = parseTime(a.metadata?.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata?.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** `updateStrategy.type`, defaulted (RollingUpdate). */
export function strategyOf(ds: DaemonSet): 'RollingUpdate' | 'OnDelete' {
  return ds.spec?.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate';
}

/** maxSurge scaled to `desired` nodes, rounded up; 0 unless RollingUpdate sets it (util.SurgeCount). */
export function surgeCount(ds: DaemonSet, desired: number): number {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  if (strategyOf(ds) !== 'RollingUpdate' || ru?.maxSurge === undefined) return 0;
  return scaledValue(ru.maxSurge, desired, true, 'spec.updateStrategy.rollingUpdate.maxSurge');
}

/** maxUnavailable scaled to `desired` nodes, rounded up; default 1 (util.UnavailableCount). */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  if (strategyOf(ds) !== 'RollingUpdate') return 0;
  return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true, 'spec.updateStrategy.rollingUpdate.maxUnavailable');
}

/** Whether a rolling update may start the new pod on a node before the old one goes (util.AllowsSurge). */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) !== 0;
  } catch {
    return false;
  }
}
