// TTL after finished: a finished Job is deleted (foreground, uid precondition) once its TTL ran out, and looked at again before that.
import type { Job } from '@keelson/api';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { t0 } from '../testing/builders';
import { quietLogger } from '../testing/fixtures';
import { timestamp } from '../common/time';
import { TTLAfterFinishedController } from './controller';

function fixture(j: Job) {
  const api = new FakeApi();
  const jobs = fakeInformers(api).forKind('batch/v1', 'Job');
  seed(jobs, j);
  api.seed(j);
  return { api, c: new TTLAfterFinishedController({ client: api.client, jobs, logger: quietLogger, clock: api.clock }) };
}

const finished = (ttl: number, agoMs: number): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'default', uid: 'uid-work' },
  spec: { ttlSecondsAfterFinished: ttl, template: { spec: { containers: [] } } },
  status: { completionTime: timestamp(t0 - agoMs), conditions: [{ type: 'Complete', status: 'True' }] },
});

describe('ttlafterfinished', () => {
  it('deletes a Job whose TTL ran out, re-checking a fresh copy first', async () => {
    const f = fixture(finished(10, 11_000));
    await f.c.sync('default/work');
    expect(f.api.actions.map((a) => `${a.verb} ${a.resource}`)).toEqual(['get jobs', 'delete jobs']);
    expect(f.api.actions[1]!.body).toMatchObject({ propagationPolicy: 'Foreground', preconditions: { uid: 'uid-work' } });
  });

  it('looks again when the TTL will have run out', async () => {
    const f = fixture(finished(10, 4_000));
    await f.c.sync('default/work');
    expect(f.api.actions).toEqual([]);
    expect(f.c.queue.waitingCount()).toBe(1);
  });

  it('leaves Jobs without a TTL or not finished alone', async () => {
    const running = finished(0, 0);
    running.status = {};
    const f = fixture(running);
    await f.c.sync('default/work');
    expect(f.api.actions).toEqual([]);
  });
});
