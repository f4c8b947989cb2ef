// Indexed Jobs: the completion index of a pod, the compressed index list of status.completedIndexes, and which indexes to start next.
import type { Pod } from '@keelson/api';

export const completionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';

/** The completion index a pod carries (annotation, or the label of the same name), if valid. */
export function podIndex(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[completionIndexAnnotation] ?? pod.metadata?.labels?.[completionIndexAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** `[0,1,2,5,7,8]` → `"0-2,5,7,8"`: ranges of three or more, as Kubernetes writes completedIndexes. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const first = sorted[i] ?? 0;
    const last = sorted[j] ?? 0;
    if (j - i >= 2) parts.push(`${first}-${last}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}

/** `"0-2,5"` → `{0,1,2,5}`, keeping only indexes below `completions`. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

/** The lowest `count` indexes below `completions` that have neither succeeded nor an active pod (firstPendingIndexes). */
export function firstPendingIndexes(succeeded: ReadonlySet<number>, active: ReadonlySet<number>, count: number, completions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !active.has(i)) out.push(i);
  return out;
}
