// CronJobs against a real API server, with the controller-manager on an injected clock: Jobs at each minute, status, history cleanup.
import type { CronJob, Job } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import { FakeClock, type Timer } from '@keelson/client';
import { createNamespace, startCluster, waitFor, type TestCluster } from '../testing/cluster';
import { parseTime } from '../common/time';

// etcd when the integration setup started one, else sqlite.
const backend = testBackends().at(-1)!;

function isComplete(j: Job): boolean {
  return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true;
}

/** A FakeClock that remembers when each timer set on it is due. */
class RecordingClock extends FakeClock {
  readonly dues = new Set<number>();
  override setTimer(ms: number, fn: () => void): Timer {
    this.dues.add(this.now() + Math.max(0, ms));
    return super.setTimer(ms, fn);
  }
}

describe(`CronJobs on ${backend.name} with an injected clock`, () => {
  let cluster: TestCluster;
  const clock = new RecordingClock(Date.now());

  beforeAll(async () => {
    cluster = await startCluster(backend.uri(), { manager: { controllers: ['cronjob', 'job'], clock }, agent: { outcome: () => 'Succeeded' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Waits until the controller has asked (through its queue's delayed add) to be woken at `at`, then moves the clock there. */
  async function advanceTo(at: number): Promise<void> {
    await waitFor(`the controller to ask for ${new Date(at).toISOString()}`, async () => clock.dues.has(at));
    clock.advance(at - clock.now());
  }

  it('creates a Job at each minute of */1 * * * *, tracks it in status, and keeps successfulJobsHistoryLimit of them', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'cron');
    const jobs = client.resource('batch/v1', 'Job').namespace(ns);
    const cj = await client.resource('batch/v1', 'CronJob').create({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: ns },
      spec: {
        schedule: '*/1 * * * *',
        successfulJobsHistoryLimit: 2,
        jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    } satisfies CronJob);
    // The first schedule time is the first whole minute after the CronJob was made.
    const created = parseTime(cj.metadata?.creationTimestamp)!;
    const first = Math.floor(created / 60_000) * 60_000 + 60_000;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const at = first + i * 60_000;
      names.push(`tick-${at / 60_000}`);
      expect((await jobs.list()).items.map((j) => j.metadata?.name)).not.toContain(names[i]);
      // 100 ms after the scheduled time, as Kubernetes' controller wakes.
      await advanceTo(at + 100);
      const job = await waitFor(`Job ${names[i]!}`, () => jobs.get(names[i]!).catch(() => undefined));
      expect(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(at).toISOString().replace('.000Z', 'Z'));
      expect(job.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', uid: cj.metadata?.uid, controller: true })]);
      expect(job.metadata?.labels?.['app']).toBe('tick');
      const status = await waitFor('the CronJob to record the run', async () => {
        const s = (await client.resource('batch/v1', 'CronJob').namespace(ns).get('tick')).status;
        return parseTime(s?.lastScheduleTime) === at ? s : undefined;
      });
      expect(status.active === undefined || status.active.every((r) => r.name === names[i])).toBe(true);
      // The agent runs the pod to success; the Job completes and the CronJob notices.
      await waitFor(`Job ${names[i]!} to complete and leave active`, async () => {
        const done = isComplete(await jobs.get(names[i]!));
        const s = (await client.resource('batch/v1', 'CronJob').namespace(ns).get('tick')).status;
        return done && (s?.active ?? []).length === 0 && s?.lastSuccessfulTime !== undefined;
      });
    }
    // Three finished, history limit 2: the oldest is deleted.
    await waitFor('the oldest Job to be cleaned up', async () => {
      const left = (await jobs.list()).items.map((j) => j.metadata?.name ?? '').sort();
      return JSON.stringify(left) === JSON.stringify([names[1], names[2]].sort());
    });
    // And the next wake-up asked for is the next minute.
    await waitFor('the next wake-up', async () => clock.dues.has(first + 3 * 60_000 + 100));
  });
});
