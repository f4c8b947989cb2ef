// Job reconcile over fake caches: parallelism, completion, back-off, backoffLimit, deadline, suspension, Indexed mode.
import type { Job, Pod } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { pod, t0 } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { timestamp } from '../common/time';
import { JobController } from './controller';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './indexed';

function fixture() {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const jobs = factory.forKind('batch/v1', 'Job');
  const pods = factory.forKind('v1', 'Pod');
  const recorder = new FakeEventRecorder();
  const c = new JobController({ client: api.client, jobs, pods, recorder, logger: quietLogger, clock: api.clock, backoffBaseMs: 10_000 });
  const add = (j: Job): void => {
    seed(jobs, j);
    api.seed(j);
  };
  const addPods = (...ps: Pod[]): void => {
    seed(pods, ...ps);
    api.seed(...ps);
  };
  return { api, c, recorder, add, addPods };
}

const labels = { 'batch.kubernetes.io/controller-uid': 'uid-work' };

function job(spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'work', namespace: 'default', uid: 'uid-work', resourceVersion: '3' },
    spec: {
      completions: 3,
      parallelism: 2,
      backoffLimit: 6,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
    status,
  };
}

const jobRef = { apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: 'uid-work', controller: true, blockOwnerDeletion: true };

function jobPod(name: string, phase: 'Running' | 'Succeeded' | 'Failed' | 'Pending', finishedAgoMs = 60_000, index?: number): Pod {
  const p = pod(name, { labels, owner: jobRef, phase, ready: phase === 'Running', nodeName: 'n1' });
  if (index !== undefined) p.metadata!.annotations = { 'batch.kubernetes.io/job-completion-index': String(index) };
  if (phase === 'Succeeded' || phase === 'Failed') {
    return { ...p, status: { ...p.status, containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: timestamp(t0 - finishedAgoMs) } } }] } };
  }
  return p;
}

const lastStatus = (f: ReturnType<typeof fixture>): NonNullable<Job['status']> => (f.api.writes().filter((a) => a.resource === 'jobs/status').at(-1)!.body as Job).status!;

describe('syncJob', () => {
  it('starts parallelism pods, owned by the Job, and records the start time', async () => {
    const f = fixture();
    f.add(job());
    await f.c.sync('default/work');
    expect(f.api.summary()).toEqual(['create pods', 'create pods', 'update jobs/status default/work']);
    expect((f.api.writes()[0]!.body as Pod).metadata?.ownerReferences).toEqual([jobRef]);
    expect(lastStatus(f)).toMatchObject({ active: 2, succeeded: 0, failed: 0, startTime: '2024-05-01T12:00:00Z' });
  });

  it('never runs more pods than completions left', async () => {
    const f = fixture();
    f.add(job({}, { startTime: timestamp(t0 - 1000) }));
    f.addPods(jobPod('a', 'Succeeded'), jobPod('b', 'Succeeded'));
    await f.c.sync('default/work');
    expect(f.api.summary().filter((s) => s.startsWith('create'))).toHaveLength(1);
  });

  it('completes once enough pods succeeded', async () => {
    const f = fixture();
    f.add(job({}, { startTime: timestamp(t0 - 1000), active: 1 }));
    f.addPods(jobPod('a', 'Succeeded'), jobPod('b', 'Succeeded'), jobPod('c', 'Succeeded'));
    await f.c.sync('default/work');
    const s = lastStatus(f);
    expect(s).toMatchObject({ active: 0, succeeded: 3, completionTime: '2024-05-01T12:00:00Z' });
    expect(s.conditions).toEqual([expect.objectContaining({ type: 'Complete', status: 'True', reason: 'CompletionsReached' })]);
    expect(f.recorder.events).toContain('Normal Completed Job completed');
  });

  it('without completions, runs parallelism pods until one succeeds, then completes when none is active', async () => {
    const f = fixture();
    f.add(job({ completions: undefined, parallelism: 3 }, { startTime: timestamp(t0 - 1000) }));
    f.addPods(jobPod('a', 'Succeeded'), jobPod('b', 'Running'));
    await f.c.sync('default/work');
    expect(f.api.summary().filter((s) => s.startsWith('create'))).toEqual([]);
    expect(lastStatus(f).conditions).toBeUndefined();
  });

  it('waits out the failure back-off before replacing a failed pod, doubling per failure', async () => {
    const f = fixture();
    f.add(job({ completions: 1, parallelism: 1 }, { startTime: timestamp(t0 - 60_000) }));
    f.addPods(jobPod('a', 'Failed', 30_000), jobPod('b', 'Failed', 2_000));
    await f.c.sync('default/work');
    expect(f.api.summary().filter((s) => s.startsWith('create'))).toEqual([]);
    // Two failures: 10 s · 2 = 20 s after the last one, 2 s ago.
    expect(f.c.queue.waitingCount()).toBe(1);
    expect(lastStatus(f)).toMatchObject({ failed: 2, active: 0 });
    f.api.clock.advance(18_001);
    f.api.clearActions();
    await f.c.sync('default/work');
    expect(f.api.summary().filter((s) => s.startsWith('create'))).toHaveLength(1);
  });

  it('fails with BackoffLimitExceeded once more pods failed than backoffLimit, stopping the active ones', async () => {
    const f = fixture();
    f.add(job({ backoffLimit: 1 }, { startTime: timestamp(t0 - 60_000) }));
    f.addPods(jobPod('a', 'Failed'), jobPod('b', 'Failed'), jobPod('c', 'Running'));
    await f.c.sync('default/work');
    expect(f.api.summary()).toEqual(['delete pods default/c', 'update jobs/status default/work']);
    const s = lastStatus(f);
    expect(s).toMatchObject({ active: 0, failed: 3 });
    expect(s.conditions).toEqual([expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' })]);
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds', async () => {
    const f = fixture();
    f.add(job({ activeDeadlineSeconds: 30 }, { startTime: timestamp(t0 - 31_000) }));
    f.addPods(jobPod('a', 'Running'));
    await f.c.sync('default/work');
    expect(lastStatus(f).conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  });

  it('stops its pods while suspended and restarts the clock when resumed', async () => {
    const f = fixture();
    f.add(job({ suspend: true }, { startTime: timestamp(t0 - 1000) }));
    f.addPods(jobPod('a', 'Running'));
    await f.c.sync('default/work');
    const s = lastStatus(f);
    expect(f.api.summary()[0]).toBe('delete pods default/a');
    expect(s.startTime).toBeUndefined();
    expect(s.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'True', reason: 'JobSuspended' });

    const g = fixture();
    g.add(job({ suspend: false }, { conditions: s.conditions ?? [] }));
    await g.c.sync('default/work');
    const r = lastStatus(g);
    expect(r.startTime).toBe('2024-05-01T12:00:00Z');
    expect(r.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'False', reason: 'JobResumed' });
  });

  it('gives Indexed pods their completion index, env var, hostname and name, starting with the lowest missing', async () => {
    const f = fixture();
    f.add(job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { startTime: timestamp(t0 - 1000) }));
    f.addPods(jobPod('work-0-x', 'Succeeded', 1000, 0), jobPod('work-1-y', 'Running', 0, 1));
    await f.c.sync('default/work');
    const created = f.api.writes().filter((a) => a.verb === 'create').map((a) => a.body as Pod);
    expect(created).toHaveLength(1);
    const p = created[0]!;
    expect(p.metadata?.generateName).toBe('work-2-');
    expect(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).toBe('2');
    expect(p.spec?.hostname).toBe('work-2');
    expect(p.spec?.containers[0]?.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    expect(lastStatus(f)).toMatchObject({ completedIndexes: '0', succeeded: 1, active: 2 });
  });

  it('does nothing for a finished Job', async () => {
    const f = fixture();
    f.add(job({}, { conditions: [{ type: 'Complete', status: 'True' }] }));
    await f.c.sync('default/work');
    expect(f.api.actions).toEqual([]);
  });
});

describe('completion indexes', () => {
  it('formats runs of three or more as ranges and parses them back', () => {
    expect(formatIndexes([7, 0, 1, 2, 5, 8])).toBe('0-2,5,7,8');
    expect([...parseIndexes('0-2,5,7,8', 8)]).toEqual([0, 1, 2, 5, 7]);
    expect(firstPendingIndexes(new Set([0, 2]), new Set([1]), 2, 6)).toEqual([3, 4]);
  });
});
