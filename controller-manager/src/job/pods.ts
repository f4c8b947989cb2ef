// Job pods: which pods count, when each finished, the failure back-off, and the pods to create or remove to reach the wanted parallelism.
import type { Job, Pod, PodTemplateSpec } from '@keelson/api';
import { isPodActive, isPodReady } from '../common/pods';
import { parseTime } from '../common/time';
import { completionIndexAnnotation, podIndex } from './indexed';

/** Default and cap of the pause before a Job creates pods again after failures (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). */
export const defaultBackoffMs = 10_000;
export const maxBackoffMs = 10 * 60_000;
/** Most pods created or deleted in one sync (MaxPodCreateDeletePerSync). */
export const maxPodCreateDeletePerSync = 500;

export function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** When a finished pod finished: its containers' last finishedAt, else its last condition change, else its creation. */
export function finishTime(pod: Pod): number {
  let t: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    const f = parseTime(s.state?.terminated?.finishedAt);
    if (f !== undefined && (t === undefined || f > t)) t = f;
  }
  if (t !== undefined) return t;
  for (const c of pod.status?.conditions ?? []) {
    const f = parseTime(c.lastTransitionTime);
    if (f !== undefined && (t === undefined || f > t)) t = f;
  }
  return t ?? parseTime(pod.metadata?.creationTimestamp) ?? 0;
}

/**
 * How long before pods may be created again: base · 2^(n−1) (capped) after the last failure,
 * n being the failures since the last success (the Job's backoffRecord). 0 when none.
 */
export function remainingBackoffMs(pods: readonly Pod[], now: number, baseMs: number, maxMs: number): number {
  const finished = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed').sort((a, b) => finishTime(a) - finishTime(b));
  let failures = 0;
  let last = 0;
  for (const p of finished) {
    if (p.status?.phase === 'Succeeded') failures = 0;
    else {
      failures++;
      last = finishTime(p);
    }
  }
  if (failures === 0) return 0;
  const backoff = Math.min(maxMs, baseMs * 2 ** (failures - 1));
  return Math.max(0, last + backoff - now);
}

/** Active pods to remove: duplicates and out-of-range indexes first (Indexed), then the surplus, not-ready and newest first (activePodsForRemoval). */
export function activePodsForRemoval(job: Job, active: readonly Pod[], atLeast: number): Pod[] {
  const out: Pod[] = [];
  let rest = [...active];
  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 1;
    const seen = new Set<number>();
    const keep: Pod[] = [];
    for (const p of [...active].sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)))) {
      const i = podIndex(p);
      if (i === undefined || i >= completions || seen.has(i)) out.push(p);
      else {
        seen.add(i);
        keep.push(p);
      }
    }
    rest = keep;
  }
  if (out.length < atLeast) {
    const byPreference = rest.sort((a, b) => {
      const ra = isPodReady(a);
      const rb = isPodReady(b);
      if (ra !== rb) return ra ? 1 : -1;
      return (parseTime(b.metadata?.creationTimestamp) ?? 0) - (parseTime(a.metadata?.creationTimestamp) ?? 0);
    });
    out.push(...byPreference.slice(0, atLeast - out.length));
  }
  return out;
}

/** The template for the pod of completion index `index` (Indexed Jobs): index annotation and label, JOB_COMPLETION_INDEX, hostname. */
export function indexedTemplate(job: Job, index: number): PodTemplateSpec {
  const t = structuredClone(job.spec?.template ?? {});
  const meta = (t.metadata ??= {});
  meta.annotations = { ...meta.annotations, [completionIndexAnnotation]: String(index) };
  meta.labels = { ...meta.labels, [completionIndexAnnotation]: String(index) };
  if (t.spec !== undefined) {
    t.spec.hostname ??= `${job.metadata?.name ?? ''}-${index}`;
    for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
      c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexAnnotation}']` } } }];
    }
  }
  return t;
}

export function activePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}
