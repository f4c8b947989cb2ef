// Emptying a namespace: delete every kind of content in it, then report what remains and whether finalizers hold it.
import { isStatusError, resources, type ResourceInfo } from '@keelson/api';
import type { ObjectLike, RestClient } from '@keelson/client';
import { errorText } from '../common/errors';
import { parseTime } from '../common/time';

/** Namespaced resources the namespace controller empties: every one that can be listed and deleted. */
export function namespacedResources(all: readonly ResourceInfo[] = resources): ResourceInfo[] {
  return all.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
}

/** What deleting a namespace's content left behind. */
export interface ContentReport {
  /** Remaining objects by qualified resource (`pods`, `deployments.apps`). */
  remaining: Map<string, number>;
  /** Finalizers on remaining objects, with how many objects carry each. */
  finalizers: Map<string, number>;
  /** Resources whose deletion or listing failed, with the error. */
  failures: Map<string, string>;
  /** Seconds until the slowest graceful pod deletion is due (0 when none). */
  estimateSeconds: number;
}

function qualified(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/**
 * Deletes all content of `namespace` (deleteAllContent): each resource by delete-collection
 * when it is served, else one by one (Background propagation), then lists what is still there
 * — objects waiting on finalizers or on graceful termination — and estimates how long pods
 * still need.
 */
export async function deleteAllContent(client: RestClient, namespace: string, infos: readonly ResourceInfo[], now: number): Promise<ContentReport> {
  const report: ContentReport = { remaining: new Map(), finalizers: new Map(), failures: new Map(), estimateSeconds: 0 };
  for (const info of infos) {
    const name = qualified(info);
    const api = client.resource<ObjectLike>(info).namespace(namespace);
    try {
      if (info.verbs.includes('deletecollection')) {
        await api.deleteCollection({ propagationPolicy: 'Background' });
      } else {
        for (const item of (await api.listAll()).items) {
          if (item.metadata?.deletionTimestamp !== undefined) continue;
          try {
            await api.delete(item.metadata?.name ?? '', { propagationPolicy: 'Background' });
          } catch (e: unknown) {
            if (!isStatusError(e, 'NotFound')) throw e;
          }
        }
      }
      const left = (await api.listAll()).items;
      if (left.length === 0) continue;
      report.remaining.set(name, left.length);
      for (const item of left) {
        for (const f of item.metadata?.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
        if (info.kind === 'Pod') report.estimateSeconds = Math.max(report.estimateSeconds, podEstimate(item, now));
      }
    } catch (e: unknown) {
      if (isStatusError(e, 'NotFound') || isStatusError(e, 'MethodNotAllowed')) continue;
      report.failures.set(name, errorText(e));
    }
  }
  return report;
}

/** Seconds until a terminating pod's grace period ends (estimateGracefulTermination). */
function podEstimate(pod: ObjectLike, now: number): number {
  const due = parseTime(pod.metadata?.deletionTimestamp);
  if (due === undefined) return 0;
  return Math.max(0, Math.ceil((due - now) / 1000));
}
