// The Job reconcile: count pods, fail on backoffLimit or activeDeadlineSeconds, suspend, keep parallelism pods running, complete.
import { isStatusError, selectorFromLabelSelector, type Job, type JobCondition, type JobStatus, type Pod, type Selector } from '@keelson/api';
import { splitKey, type Clock, type EventRecorder, type Lister, type Logger, type RestClient } from '@keelson/client';
import { AdoptionRefusedError, adoptPatch, claimObjects, newControllerRef, releasePatch } from '../common/controllerref';
import { errorText, toError } from '../common/errors';
import type { ControllerExpectations } from '../common/expectations';
import { isNamespaceTerminating, type PodControl } from '../common/podcontrol';
import { isPodReady } from '../common/pods';
import { slowStartBatch } from '../common/slowstart';
import { parseTime, timestamp } from '../common/time';
import { firstPendingIndexes, formatIndexes, parseIndexes, podIndex } from './indexed';
import { activePods, activePodsForRemoval, indexedTemplate, isIndexed, maxPodCreateDeletePerSync, remainingBackoffMs } from './pods';

export type JobConditionType = 'Complete' | 'Failed' | 'Suspended';
export type JobFailureReason = 'BackoffLimitExceeded' | 'DeadlineExceeded';

export interface JobSyncDeps {
  client: RestClient;
  jobs: Lister<Job>;
  pods: Lister<Pod>;
  podControl: PodControl;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  backoffBaseMs: number;
  backoffMaxMs: number;
  enqueueAfter(key: string, delayMs: number): void;
}

export function isFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function condition(type: JobConditionType, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = timestamp(now);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. */
function setCondition(status: JobStatus, c: JobCondition): void {
  const current = status.conditions?.find((x) => x.type === c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason && current.message === c.message) return;
  const next = { ...c };
  if (current !== undefined && current.status === c.status && current.lastTransitionTime !== undefined) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

/**
 * Reconciles Job `namespace/name` (syncJob):
 *
 *   gone or finished ─► forget / nothing
 *   claim pods ─► count active (ready), succeeded, failed (Indexed: by completion index)
 *   failed > backoffLimit, or active past activeDeadlineSeconds ─► delete active pods, Failed
 *   suspended ─► delete active pods, Suspended; resumed ─► startTime restarts
 *   expectations met ─► remove surplus pods; create up to min(parallelism, remaining) pods in
 *                       slow start, after the failure back-off (base · 2^(failures−1))
 *   enough successes (any, with no completions and nothing active) ─► Complete
 *   status (only when it changed) ─► /status
 *
 * Counts come from the pods present, never decreasing below what status already says: a
 * finished pod deleted after it was counted is not forgotten. (Kubernetes tracks each pod with
 * a finalizer until it is counted; see the README.)
 */
export async function syncJob(d: JobSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = d.jobs.get(namespace, name);
  if (cached === undefined) {
    d.expectations.delete(key);
    return;
  }
  if (isFinished(cached)) return;
  const job = structuredClone(cached);
  const now = d.clock.now();
  const needsSync = d.expectations.satisfied(key);
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(job.spec?.selector);
  } catch (e: unknown) {
    d.logger.error('invalid selector', { kind: 'Job', namespace, name, error: errorText(e) });
    return;
  }
  const pods = await claimPods(d, job, selector, d.pods.namespace(namespace ?? '').list());
  const active = activePods(pods);
  const completions = job.spec?.completions;
  const indexed = isIndexed(job) && completions !== undefined;

  const previous = job.status ?? {};
  const status: JobStatus = structuredClone(previous);
  const failedNow = pods.filter((p) => p.status?.phase === 'Failed').length;
  const failed = Math.max(previous.failed ?? 0, failedNow);
  let succeeded: number;
  let succeededIndexes = new Set<number>();
  if (indexed) {
    succeededIndexes = parseIndexes(previous.completedIndexes, completions);
    for (const p of pods) {
      const i = podIndex(p);
      if (p.status?.phase === 'Succeeded' && i !== undefined && i < completions) succeededIndexes.add(i);
    }
    succeeded = succeededIndexes.size;
    status.completedIndexes = formatIndexes(succeededIndexes);
  } else {
    succeeded = Math.max(previous.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length);
  }
  const suspended = job.spec?.suspend === true;

  // Start (or, after a suspension, restart) the clock of activeDeadlineSeconds.
  if (!suspended && status.startTime === undefined) {
    status.startTime = timestamp(now);
    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline !== undefined) d.enqueueAfter(key, deadline * 1000);
  }

  let failure: { reason: JobFailureReason; message: string } | undefined;
  if (failed > (job.spec?.backoffLimit ?? 6)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  else if (pastActiveDeadline(job, status, now)) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

  let activeCount = active.length;
  let manageError: Error | undefined;
  if (failure !== undefined) {
    await deletePods(d, job, active);
    activeCount = 0;
    setCondition(status, condition('Failed', 'True', failure.reason, failure.message, now));
    d.recorder.event(job, 'Warning', failure.reason, failure.message);
  } else if (suspended) {
    await deletePods(d, job, active);
    activeCount = 0;
    if (status.conditions?.find((c) => c.type === 'Suspended')?.status !== 'True') {
      setCondition(status, condition('Suspended', 'True', 'JobSuspended', 'Job suspended', now));
      d.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    }
    delete status.startTime;
  } else {
    if (status.conditions?.find((c) => c.type === 'Suspended')?.status === 'True') {
      setCondition(status, condition('Suspended', 'False', 'JobResumed', 'Job resumed', now));
      d.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
    }
    if (needsSync && job.metadata?.deletionTimestamp === undefined) {
      try {
        activeCount = await manageJob(d, job, key, pods, active, succeeded, succeededIndexes, now);
      } catch (e: unknown) {
        manageError = toError(e);
      }
    }
    const complete = completions === undefined ? succeeded > 0 && activeCount === 0 : succeeded >= completions;
    if (complete) {
      if (completions !== undefined && activeCount > 0) d.recorder.event(job, 'Warning', 'TooManyActivePods', 'Too many active pods running after completion count reached');
      setCondition(status, condition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now));
      status.completionTime = timestamp(now);
      d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    }
  }

  status.active = activeCount;
  status.ready = active.filter(isPodReady).length;
  status.succeeded = succeeded;
  // Pods stopped because the Job failed count as failed, as Kubernetes counts them.
  status.failed = failure !== undefined ? failed + active.length : failed;
  if (JSON.stringify(status) !== JSON.stringify(previous)) {
    await d.client.resource('batch/v1', 'Job').namespace(namespace ?? '').updateStatus({ ...job, status });
  }
  if (manageError !== undefined) throw manageError;
  // A deadline not yet reached: look again when it is.
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = parseTime(status.startTime);
  if (failure === undefined && !suspended && deadline !== undefined && start !== undefined) d.enqueueAfter(key, Math.max(0, start + deadline * 1000 - now) + 1);
}

function pastActiveDeadline(job: Job, status: JobStatus, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = parseTime(status.startTime);
  return deadline !== undefined && start !== undefined && now - start >= deadline * 1000;
}

/**
 * Brings the active pods to what the Job wants (manageJob): with completions, min(parallelism,
 * completions − succeeded); without, parallelism until the first success. Surplus pods are
 * deleted; missing ones created in slow start once the failure back-off has passed. Returns
 * the active count after this sync.
 */
async function manageJob(d: JobSyncDeps, job: Job, key: string, pods: readonly Pod[], active: readonly Pod[], succeeded: number, succeededIndexes: ReadonlySet<number>, now: number): Promise<number> {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  let want: number;
  if (completions === undefined) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(parallelism, completions - succeeded));

  let count = active.length;
  const removal = activePodsForRemoval(job, active, Math.max(0, active.length - want)).slice(0, maxPodCreateDeletePerSync);
  if (removal.length > 0) {
    d.expectations.expectDeletions(key, removal.map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`));
    await deletePods(d, job, removal);
    count -= removal.length;
  }
  if (count >= want) return count;

  const wait = remainingBackoffMs(pods, now, d.backoffBaseMs, d.backoffMaxMs);
  if (wait > 0) {
    d.enqueueAfter(key, wait);
    return count;
  }
  let diff = Math.min(want - count, maxPodCreateDeletePerSync);
  let indexes: number[] = [];
  if (isIndexed(job) && completions !== undefined) {
    const activeIndexes = new Set(active.filter((p) => !removal.includes(p)).map(podIndex).filter((i): i is number => i !== undefined));
    indexes = firstPendingIndexes(succeededIndexes, activeIndexes, diff, completions);
    diff = indexes.length;
  }
  if (diff === 0) return count;
  d.expectations.expectCreations(key, diff);
  const ref = newControllerRef(job, 'batch/v1', 'Job');
  const owner = { apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata };
  let next = 0;
  const { successes, error } = await slowStartBatch(diff, 1, async () => {
    const index = indexes[next++];
    const template = index !== undefined ? indexedTemplate(job, index) : job.spec?.template;
    const generateName = index !== undefined ? `${job.metadata?.name ?? ''}-${index}-` : undefined;
    try {
      await d.podControl.createPod(job.metadata?.namespace ?? '', template, owner, ref, generateName);
    } catch (e: unknown) {
      if (!isNamespaceTerminating(e)) throw e;
    }
  });
  for (let i = successes; i < diff; i++) d.expectations.creationObserved(key);
  if (error !== undefined) throw error;
  return count + successes;
}

async function deletePods(d: JobSyncDeps, job: Job, pods: readonly Pod[]): Promise<void> {
  const owner = { apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata };
  const results = await Promise.allSettled(pods.map((p) => d.podControl.deletePod(p.metadata?.namespace ?? '', p.metadata?.name ?? '', owner)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isStatusError(r.reason, 'NotFound'));
  if (failure !== undefined) throw toError(failure.reason);
}

/** Adopts matching orphan pods and releases owned ones that stopped matching (the Job's selector is generated by the API server). */
async function claimPods(d: JobSyncDeps, job: Job, selector: Selector, pods: readonly Pod[]): Promise<Pod[]> {
  const namespace = job.metadata?.namespace ?? '';
  const podsApi = d.client.resource('v1', 'Pod').namespace(namespace);
  const ref = newControllerRef(job, 'batch/v1', 'Job');
  return claimObjects(pods, {
    controller: job,
    selector,
    // Finished pods count too, but only active ones are adopted.
    filter: (p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    canAdopt: async () => {
      const fresh = await d.client
        .resource('batch/v1', 'Job')
        .namespace(namespace)
        .get(job.metadata?.name ?? '')
        .catch((e: unknown) => {
          if (isStatusError(e, 'NotFound')) return undefined;
          throw e;
        });
      if (fresh === undefined || fresh.metadata?.uid !== job.metadata?.uid) throw new AdoptionRefusedError(`original Job ${namespace}/${job.metadata?.name ?? ''} is gone`);
      if (fresh.metadata?.deletionTimestamp !== undefined) throw new AdoptionRefusedError(`Job ${namespace}/${job.metadata?.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    },
    adopt: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', adoptPatch(ref, p.metadata?.uid));
    },
    release: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', releasePatch(job.metadata?.uid ?? '', p.metadata?.uid));
    },
  });
}
