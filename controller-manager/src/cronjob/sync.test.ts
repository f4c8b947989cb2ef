// CronJob reconcile over fake caches: Job creation and naming, concurrency policies, missed deadlines, suspension, history cleanup, status.
import type { CronJob, Job } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { t0 } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { timestamp } from '../common/time';
import { CronJobController } from './controller';
import { jobName } from './schedule';

function fixture() {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const cronJobs = factory.forKind('batch/v1', 'CronJob');
  const jobs = factory.forKind('batch/v1', 'Job');
  const recorder = new FakeEventRecorder();
  const c = new CronJobController({ client: api.client, cronJobs, jobs, recorder, logger: quietLogger, clock: api.clock });
  const add = (cj: CronJob): void => {
    seed(cronJobs, cj);
    api.seed(cj);
  };
  const addJobs = (...js: Job[]): void => {
    seed(jobs, ...js);
    api.seed(...js);
  };
  const statusWrites = (): NonNullable<CronJob['status']>[] => api.writes().filter((a) => a.resource === 'cronjobs/status').map((a) => (a.body as CronJob).status ?? {});
  const created = (): Job[] => api.writes().filter((a) => a.verb === 'create' && a.resource === 'jobs').map((a) => a.body as Job);
  return { api, c, recorder, add, addJobs, statusWrites, created };
}

const min = 60_000;

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}, createdAgo = 10 * min + 30_000): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'uid-tick', resourceVersion: '5', creationTimestamp: timestamp(t0 - createdAgo) },
    spec: {
      schedule: '*/1 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' }, annotations: { team: 'ops' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  };
}

const cjRef = { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'uid-tick', controller: true, blockOwnerDeletion: true };

/** A Job the CronJob made for the time `scheduledAgo` ms before t0. */
function childJob(scheduledAgo: number, state: 'running' | 'Complete' | 'Failed' = 'running'): Job {
  const name = jobName('tick', t0 - scheduledAgo);
  const done = t0 - scheduledAgo + 20_000;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', ownerReferences: [cjRef] },
    spec: { template: {} },
    status: {
      startTime: timestamp(t0 - scheduledAgo),
      ...(state === 'running' ? { active: 1 } : { conditions: [{ type: state, status: 'True' }], ...(state === 'Complete' ? { completionTime: timestamp(done) } : {}) }),
    },
  };
}

const ref = (j: Job) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata!.name!, namespace: 'default', uid: j.metadata!.uid!, resourceVersion: '7' });

describe('cronjob sync', () => {
  it('creates the Job of the scheduled time, named by its minute, annotated and owned, and requeues for the next minute', async () => {
    const f = fixture();
    f.add(cronJob({}, { lastScheduleTime: timestamp(t0 - min) }));
    f.api.clock.advance(2_000); // 12:00:02
    await f.c.sync('default/tick');
    const [job] = f.created();
    expect(f.created()).toHaveLength(1);
    expect(job!.metadata).toMatchObject({
      name: `tick-${t0 / min}`,
      labels: { app: 'tick' },
      annotations: { team: 'ops', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-05-01T12:00:00Z' },
      ownerReferences: [cjRef],
    });
    expect(job!.spec?.template?.spec?.containers[0]?.image).toBe('busybox');
    const s = f.statusWrites().at(-1)!;
    expect(s.lastScheduleTime).toBe('2024-05-01T12:00:00Z');
    expect(s.active).toEqual([expect.objectContaining({ kind: 'Job', name: `tick-${t0 / min}`, uid: `uid-tick-${t0 / min}` })]);
    expect(f.recorder.events).toEqual([`Normal SuccessfulCreate Created job tick-${t0 / min}`]);
    // Next run 12:01:00 (+100 ms), 58.1 s from now, through the queue's delayed add.
    expect(f.c.queue.waitingCount()).toBe(1);
    expect(f.api.clock.nextTimerIn()).toBe(58_100);
  });

  it('does nothing before the first schedule time after creation, and wakes up for it', async () => {
    const f = fixture();
    f.add(cronJob({ schedule: '30 12 * * *' }, {}, 60_000));
    await f.c.sync('default/tick');
    expect(f.api.writes()).toEqual([]);
    expect(f.api.clock.nextTimerIn()).toBe(30 * min + 100);
    // At that time the queue hands the key out again and the Job is made.
    f.api.clock.advance(30 * min + 100);
    expect(f.c.queue.len()).toBe(1);
    await f.c.sync('default/tick');
    expect(f.created().map((j) => j.metadata?.name)).toEqual([jobName('tick', t0 + 30 * min)]);
  });

  it('does not create the same scheduled time twice', async () => {
    const f = fixture();
    const running = childJob(0);
    f.add(cronJob({}, { lastScheduleTime: timestamp(t0), active: [ref(running)] }));
    f.addJobs(running);
    await f.c.sync('default/tick');
    expect(f.created()).toEqual([]);
  });

  it('Allow starts the next Job while one still runs', async () => {
    const f = fixture();
    const running = childJob(min);
    f.add(cronJob({ concurrencyPolicy: 'Allow' }, { lastScheduleTime: timestamp(t0 - min), active: [ref(running)] }));
    f.addJobs(running);
    await f.c.sync('default/tick');
    expect(f.created()).toHaveLength(1);
    expect(f.statusWrites().at(-1)!.active).toHaveLength(2);
  });

  it('Forbid skips the run while a Job is active', async () => {
    const f = fixture();
    const running = childJob(min);
    f.add(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: timestamp(t0 - min), active: [ref(running)] }));
    f.addJobs(running);
    await f.c.sync('default/tick');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual(['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid']);
    expect(f.c.queue.waitingCount()).toBe(1);
  });

  it('Replace deletes the running Job, then starts the new one', async () => {
    const f = fixture();
    const running = childJob(min);
    f.add(cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: timestamp(t0 - min), active: [ref(running)] }));
    f.addJobs(running);
    await f.c.sync('default/tick');
    expect(f.api.summary()).toEqual([`delete jobs default/${running.metadata!.name!}`, 'create jobs', 'update cronjobs/status default/tick']);
    expect(f.api.writes()[0]!.body).toMatchObject({ propagationPolicy: 'Background', preconditions: { uid: running.metadata!.uid } });
    expect(f.statusWrites().at(-1)!.active?.map((r) => r.name)).toEqual([`tick-${t0 / min}`]);
    expect(f.recorder.events).toContain(`Normal SuccessfulDelete Deleted job ${running.metadata!.name!}`);
  });

  it('skips a start time older than startingDeadlineSeconds (MissSchedule) and waits for the next', async () => {
    const f = fixture();
    f.add(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }, { lastScheduleTime: timestamp(t0 - 60 * min) }));
    f.api.clock.advance(30_000); // 12:00:30, 30 s after 12:00
    await f.c.sync('default/tick');
    expect(f.created()).toEqual([]);
    expect(f.recorder.events).toEqual(['Warning MissSchedule Missed scheduled time to start a job: Wed, 01 May 2024 12:00:00 GMT']);
    expect(f.api.clock.nextTimerIn()).toBe(59 * min + 30_000 + 100);
  });

  it('starts a late Job that is still within startingDeadlineSeconds', async () => {
    const f = fixture();
    f.add(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: timestamp(t0 - 60 * min) }));
    f.api.clock.advance(30_000);
    await f.c.sync('default/tick');
    expect(f.created().map((j) => j.metadata?.name)).toEqual([jobName('tick', t0)]);
  });

  it('warns about more than 100 missed start times and starts only the most recent', async () => {
    const f = fixture();
    f.add(cronJob({}, {}, 5 * 60 * min));
    await f.c.sync('default/tick');
    expect(f.recorder.events[0]).toBe('Warning TooManyMissedTimes too many missed start times (> 100): 300. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    expect(f.created().map((j) => j.metadata?.name)).toEqual([jobName('tick', t0)]);
  });

  it('starts nothing while suspended', async () => {
    const f = fixture();
    f.add(cronJob({ suspend: true }, { lastScheduleTime: timestamp(t0 - min) }));
    await f.c.sync('default/tick');
    expect(f.api.writes()).toEqual([]);
  });

  it('reports a schedule it cannot use and does not requeue', async () => {
    for (const [schedule, timeZone, event] of [
      ['@every 1m', undefined, 'Warning UnparseableSchedule unparseable schedule: "@every 1m" : "@every" intervals are not supported: use a five-field schedule'],
      ['TZ=UTC * * * * *', undefined, 'Warning UnparseableSchedule unparseable schedule: "TZ=UTC * * * * *" : cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
      ['* * * * *', 'Nowhere/Special', 'Warning UnknownTimeZone invalid timeZone: "Nowhere/Special": unknown time zone Nowhere/Special'],
    ] as const) {
      const f = fixture();
      f.add(cronJob({ schedule, ...(timeZone ? { timeZone } : {}) }, { lastScheduleTime: timestamp(t0 - min) }));
      await f.c.sync('default/tick');
      expect(f.created()).toEqual([]);
      expect(f.recorder.events).toEqual([event]);
      expect(f.c.queue.waitingCount()).toBe(0);
    }
  });

  it('schedules in spec.timeZone and stamps the Job with the local time', async () => {
    const f = fixture();
    // 14:00 in Berlin is 12:00Z (t0) in May.
    f.add(cronJob({ schedule: '0 14 * * *', timeZone: 'Europe/Berlin' }, {}, 60 * min));
    await f.c.sync('default/tick');
    const [job] = f.created();
    expect(job?.metadata?.name).toBe(jobName('tick', t0));
    expect(job?.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2024-05-01T14:00:00+02:00');
  });

  it('drops finished Jobs from active, records lastSuccessfulTime and keeps only the history limits', async () => {
    const f = fixture();
    const ok = [childJob(5 * min, 'Complete'), childJob(4 * min, 'Complete'), childJob(3 * min, 'Complete'), childJob(2 * min, 'Complete')];
    const failed = [childJob(7 * min, 'Failed'), childJob(6 * min, 'Failed')];
    f.add(cronJob({ successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }, { lastScheduleTime: timestamp(t0), active: [ref(ok[3]!)] }));
    f.addJobs(...ok, ...failed);
    await f.c.sync('default/tick');
    expect(f.api.summary().filter((s) => s.startsWith('delete')).sort()).toEqual([`delete jobs default/${failed[0]!.metadata!.name!}`, `delete jobs default/${ok[0]!.metadata!.name!}`].sort());
    const s = f.statusWrites().at(-1)!;
    expect(s.active ?? []).toEqual([]);
    expect(s.lastSuccessfulTime).toBe(timestamp(t0 - 2 * min + 20_000));
    expect(f.recorder.events).toContain(`Normal SawCompletedJob Saw completed job: ${ok[3]!.metadata!.name!}, condition: Complete`);
  });

  it('forgets an active Job that is gone from the API server (MissingJob)', async () => {
    const f = fixture();
    const gone = childJob(min);
    f.add(cronJob({}, { lastScheduleTime: timestamp(t0), active: [ref(gone)] }));
    await f.c.sync('default/tick');
    expect(f.recorder.events).toEqual([`Normal MissingJob Active job went missing: ${gone.metadata!.name!}`]);
    expect(f.statusWrites().at(-1)!.active ?? []).toEqual([]);
  });

  it('takes back its own Job when the create finds it already made (a lost status write)', async () => {
    const f = fixture();
    const existing = childJob(0);
    f.api.seed(existing); // in the API server, not yet in the cache
    f.add(cronJob({}, { lastScheduleTime: timestamp(t0 - min) }));
    await f.c.sync('default/tick');
    const s = f.statusWrites().at(-1)!;
    expect(s.active?.map((r) => r.uid)).toEqual([existing.metadata!.uid]);
    expect(s.lastScheduleTime).toBe(timestamp(t0));
  });

  it('counts an unfinished Job it owns but forgot as active, so Forbid does not start another', async () => {
    const f = fixture();
    const orphaned = childJob(min);
    f.add(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: timestamp(t0 - min) }));
    f.addJobs(orphaned);
    await f.c.sync('default/tick');
    expect(f.created()).toEqual([]);
    expect(f.recorder.events[0]).toBe(`Warning UnexpectedJob Saw a job that the controller did not create or forgot: ${orphaned.metadata!.name!}`);
    expect(f.statusWrites().at(-1)!.active?.map((r) => r.uid)).toEqual([orphaned.metadata!.uid]);
  });
});
