// The CronJob reconcile: track active Jobs, clean up finished ones past the history limits, start the Job of the latest unmet schedule.
import { isStatusError, type CronJob, type CronJobStatus, type Job, type ObjectReference } from '@keelson/api';
import { splitKey, type Clock, type EventRecorder, type Lister, type Logger, type RestClient } from '@keelson/client';
import { controllerOf, newControllerRef } from '../common/controllerref';
import { toError } from '../common/errors';
import { isNamespaceTerminating } from '../common/podcontrol';
import { parseTime, timestamp } from '../common/time';
import { ScheduleError, jobName, mostRecentScheduleTime, nextScheduleDelay, parseSchedule, rfc3339In, maxMissedSchedules, type Schedule } from './schedule';

/** The annotation carrying a Job's scheduled time (RFC 3339 in the CronJob's time zone). */
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobSyncDeps {
  client: RestClient;
  cronJobs: Lister<CronJob>;
  jobs: Lister<Job>;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  enqueueAfter(key: string, delayMs: number): void;
}

function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

function jobRef(job: Job): ObjectReference {
  const m = job.metadata ?? {};
  return { apiVersion: 'batch/v1', kind: 'Job', name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion ?? '' };
}

/** Jobs this CronJob controls (by controller reference uid). */
export function jobsOf(cj: CronJob, jobs: readonly Job[]): Job[] {
  return jobs.filter((j) => {
    const ref = controllerOf(j);
    return ref?.kind === 'CronJob' && ref.uid === cj.metadata?.uid;
  });
}

/**
 * Reconciles CronJob `namespace/name` (ControllerV2.sync):
 *
 *   gone ─► nothing
 *   cleanup: finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first
 *   active list ◄─ unfinished Jobs it controls; finished or vanished ones leave it; lastSuccessfulTime
 *   deleting, bad timeZone, suspended, bad schedule ─► status only
 *   latest unmet schedule time (≤ 100 missed, within startingDeadlineSeconds)
 *     Forbid with an active Job ─► skip · Replace ─► delete the active Jobs
 *     create `<name>-<minutes>` ─► active += it, lastScheduleTime
 *   status (when changed) ─► /status; requeue at the next schedule time
 */
export async function syncCronJob(d: CronJobSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = d.cronJobs.get(namespace, name);
  if (cached === undefined) return;
  const cj = structuredClone(cached);
  const jobs = jobsOf(cj, d.jobs.namespace(namespace ?? '').list());
  const previous = structuredClone(cj.status ?? {});
  cj.status ??= {};
  await cleanupFinishedJobs(d, cj, jobs);
  let requeueMs: number | undefined;
  let syncError: Error | undefined;
  try {
    requeueMs = await reconcile(d, cj, jobs);
  } catch (e: unknown) {
    syncError = toError(e);
  }
  if (JSON.stringify(normalize(cj.status)) !== JSON.stringify(normalize(previous))) {
    await d.client.resource('batch/v1', 'CronJob').namespace(namespace ?? '').updateStatus(cj);
  }
  if (requeueMs !== undefined) {
    d.enqueueAfter(key, requeueMs);
    return;
  }
  if (syncError !== undefined) throw syncError;
}

function normalize(s: CronJobStatus | undefined): CronJobStatus {
  const out: CronJobStatus = { ...s };
  if (out.active?.length === 0) delete out.active;
  return out;
}

/** The body of syncCronJob: returns when to look again (ms), or undefined for "only on the next change". */
async function reconcile(d: CronJobSyncDeps, cj: CronJob, jobs: readonly Job[]): Promise<number | undefined> {
  const now = d.clock.now();
  const status = cj.status ?? {};
  const children = new Set<string>();
  for (const j of jobs) {
    const uid = j.metadata?.uid ?? '';
    children.add(uid);
    const active = (status.active ?? []).some((r) => r.uid === uid);
    const finished = finishedType(j);
    if (!active && finished === undefined) {
      // Our own status write may just not have reached the cache yet: ask the API server first.
      const fresh = await d.client.resource('batch/v1', 'CronJob').namespace(cj.metadata?.namespace ?? '').get(cj.metadata?.name ?? '');
      if (!(fresh.status?.active ?? []).some((r) => r.uid === uid)) {
        d.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name ?? ''}`);
      }
      // Kubernetes only warns here; we count the Job as active (a crash between creating it and
      // writing status must not let Forbid start a second one).
      status.active = [...(status.active ?? []), jobRef(j)];
    } else if (active && finished !== undefined) {
      status.active = (status.active ?? []).filter((r) => r.uid !== uid);
      d.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${finished}`);
    }
    if (finished === 'Complete') {
      const done = parseTime(j.status?.completionTime);
      const last = parseTime(status.lastSuccessfulTime);
      if (done !== undefined && (last === undefined || done > last)) status.lastSuccessfulTime = j.status?.completionTime;
    }
  }
  // Active Jobs that are gone from the cache: check with the API server before forgetting them.
  for (const ref of [...(status.active ?? [])]) {
    if (children.has(ref.uid ?? '')) continue;
    try {
      const fresh = await d.client.resource('batch/v1', 'Job').namespace(ref.namespace ?? '').get(ref.name ?? '');
      if (fresh.metadata?.uid === ref.uid) continue;
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    d.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
    status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
  }

  if (cj.metadata?.deletionTimestamp !== undefined) return undefined;
  let schedule: Schedule;
  try {
    schedule = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone ?? undefined);
  } catch (e: unknown) {
    if (!(e instanceof ScheduleError)) throw e;
    // A user error in the spec: say so once per sync, and wait for the spec to change.
    const message = e.reason === 'UnknownTimeZone' ? e.message : `unparseable schedule: "${cj.spec?.schedule ?? ''}" : ${e.message}`;
    d.recorder.event(cj, 'Warning', e.reason, message);
    d.logger.info('not scheduling: bad schedule', { kind: 'CronJob', namespace: cj.metadata?.namespace, name: cj.metadata?.name, error: e.message });
    return undefined;
  }
  if (cj.spec?.suspend === true) return undefined;

  const recent = mostRecentScheduleTime(cj, now, schedule, true);
  if (recent.missed > maxMissedSchedules) {
    d.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times (> ${maxMissedSchedules}): ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
  }
  const scheduled = recent.mostRecent;
  const requeue = (): number => nextScheduleDelay(cj, now, schedule);
  const deadline = cj.spec?.startingDeadlineSeconds ?? undefined;
  const missed = (t: number): number => {
    d.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(t).toUTCString()}`);
    return requeue();
  };
  if (scheduled === undefined || scheduled > now) {
    // Kubernetes' window already hides a time older than the deadline; still say it was missed.
    const late = deadline === undefined ? undefined : mostRecentScheduleTime(cj, now, schedule, false).mostRecent;
    if (late !== undefined && deadline !== undefined && late + deadline * 1000 < now) return missed(late);
    return requeue();
  }
  if (deadline !== undefined && scheduled + deadline * 1000 < now) return missed(scheduled);
  const name = jobName(cj.metadata?.name ?? '', scheduled);
  if ((status.active ?? []).some((r) => r.name === name) || parseTime(status.lastScheduleTime) === scheduled) return requeue();

  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (status.active ?? []).length > 0) {
    d.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return requeue();
  }
  if (policy === 'Replace') {
    for (const ref of [...(status.active ?? [])]) await deleteJob(d, cj, ref);
  }

  const namespace = cj.metadata?.namespace ?? '';
  const jobsApi = d.client.resource('batch/v1', 'Job').namespace(namespace);
  let created: Job;
  try {
    created = await jobsApi.create(jobFromTemplate(cj, scheduled, schedule.timeZone));
    d.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name ?? name}`);
  } catch (e: unknown) {
    if (isNamespaceTerminating(e)) throw e;
    if (!isStatusError(e, 'AlreadyExists')) {
      d.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    // Made by an earlier sync whose status write was lost (the name is the lock): take it back if ours.
    const existing = await jobsApi.get(name);
    const ref = controllerOf(existing);
    if (ref?.uid !== cj.metadata?.uid) return undefined;
    if ((status.active ?? []).some((r) => r.uid === existing.metadata?.uid)) return undefined;
    created = existing;
  }
  status.active = [...(status.active ?? []), jobRef(created)];
  status.lastScheduleTime = timestamp(scheduled);
  return requeue();
}

/** The Job for one scheduled time: the template's labels, annotations and spec, the scheduled-time annotation, a controller reference. */
export function jobFromTemplate(cj: CronJob, scheduled: number, timeZone: string): Job {
  const template = cj.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj.metadata?.name ?? '', scheduled),
      namespace: cj.metadata?.namespace ?? '',
      labels: { ...template?.metadata?.labels },
      annotations: { ...template?.metadata?.annotations, [scheduledTimestampAnnotation]: rfc3339In(scheduled, timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(template?.spec ?? { template: {} }),
  };
}

/** Deletes an active Job (Replace, history cleanup) in the background; its pods follow through the garbage collector. */
async function deleteJob(d: CronJobSyncDeps, cj: CronJob, ref: ObjectReference): Promise<void> {
  try {
    await d.client.resource('batch/v1', 'Job').namespace(ref.namespace ?? cj.metadata?.namespace ?? '').delete(ref.name ?? '', { propagationPolicy: 'Background', ...(ref.uid ? { preconditions: { uid: ref.uid } } : {}) });
  } catch (e: unknown) {
    if (!isStatusError(e, 'NotFound')) {
      d.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
  if (cj.status) cj.status.active = (cj.status.active ?? []).filter((r) => r.uid !== ref.uid);
  d.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name ?? ''}`);
}

/** Oldest first by start time (Jobs never started last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = parseTime(a.status?.startTime);
  const sb = parseTime(b.status?.startTime);
  if (sa === undefined || sb === undefined) return sa === sb ? (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '') : sa === undefined ? 1 : -1;
  return sa === sb ? (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '') : sa - sb;
}

/** Deletes finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first (cleanupFinishedJobs). */
async function cleanupFinishedJobs(d: CronJobSyncDeps, cj: CronJob, jobs: readonly Job[]): Promise<void> {
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
  for (const type of ['Complete', 'Failed'] as const) {
    const limit = limits[type];
    if (limit === undefined || limit === null) continue;
    const finished = jobs.filter((j) => finishedType(j) === type && j.metadata?.deletionTimestamp === undefined).sort(byStartTime);
    for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await deleteJob(d, cj, jobRef(j));
  }
}
