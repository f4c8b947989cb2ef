// Jobs against a real API server with a simulated node that ends pods as told: retries after failures, Indexed completion, backoffLimit, TTL.
import type { Job, Pod } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import type { RestClient } from '@keelson/client';
import { createNamespace, podsIn, startCluster, waitFor, type TestCluster } from '../testing/cluster';

const [sqlite] = testBackends();

/** Per Job name: how many of its pods still fail before the rest succeed. */
const failures = new Map<string, number>();

function jobOf(name: string, namespace: string, spec: Partial<NonNullable<Job['spec']>>): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } }, ...spec },
  };
}

async function finished(client: RestClient, ns: string, name: string): Promise<Job | undefined> {
  const j = await client.resource('batch/v1', 'Job').namespace(ns).get(name);
  return j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') === true ? j : undefined;
}

describe('Jobs on sqlite', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster(sqlite!.uri(), {
      agent: {
        outcome: (p: Pod) => {
          const job = p.metadata?.labels?.['job-name'] ?? '';
          const left = failures.get(job) ?? 0;
          if (left > 0) {
            failures.set(job, left - 1);
            return 'Failed';
          }
          return 'Succeeded';
        },
      },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('retries failed pods with back-off and completes', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'job');
    failures.set('retry', 2);
    await client.resource('batch/v1', 'Job').create(jobOf('retry', ns, { completions: 3, parallelism: 2, backoffLimit: 4 }));
    const j = await waitFor('the Job to finish', () => finished(client, ns, 'retry'));
    expect(j.status).toMatchObject({ succeeded: 3, failed: 2, active: 0 });
    expect(j.status?.conditions?.find((c) => c.status === 'True')?.type).toBe('Complete');
    expect(j.status?.completionTime).toBeDefined();
    const pods = await podsIn(client, ns);
    expect(pods.filter((p) => p.status?.phase === 'Failed')).toHaveLength(2);
    expect(pods.filter((p) => p.status?.phase === 'Succeeded')).toHaveLength(3);
  });

  it('runs an Indexed Job: one successful pod per index', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'indexed');
    failures.set('idx', 1);
    await client.resource('batch/v1', 'Job').create(jobOf('idx', ns, { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const j = await waitFor('the Job to finish', () => finished(client, ns, 'idx'));
    expect(j.status).toMatchObject({ succeeded: 3, failed: 1, completedIndexes: '0-2' });
    const indexes = (await podsIn(client, ns)).filter((p) => p.status?.phase === 'Succeeded').map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2']);
  });

  it('fails with BackoffLimitExceeded when pods keep failing', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'doomed');
    failures.set('doomed', 100);
    await client.resource('batch/v1', 'Job').create(jobOf('doomed', ns, { completions: 1, backoffLimit: 2 }));
    const j = await waitFor('the Job to fail', () => finished(client, ns, 'doomed'));
    expect(j.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(j.status?.failed).toBe(3);
  });

  it('deletes a finished Job and its pods after ttlSecondsAfterFinished', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'ttl');
    await client.resource('batch/v1', 'Job').create(jobOf('brief', ns, { completions: 1, ttlSecondsAfterFinished: 0 }));
    await waitFor('the Job and its pods to go', async () => {
      const gone = await client.resource('batch/v1', 'Job').namespace(ns).get('brief').then(() => false, () => true);
      return gone && (await podsIn(client, ns)).length === 0;
    });
  });
});
