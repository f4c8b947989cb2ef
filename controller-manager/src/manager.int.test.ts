// The process against a real API server: status endpoints, metrics, and leader election handing over between two instances.
import type { Lease } from '@keelson/api';
import { startTestServer, testBackends, type TestServer } from '@keelson/apiserver';
import { run } from './manager';
import { clientFor, testLogger, waitFor } from './testing/cluster';

const [sqlite] = testBackends();

describe('controller-manager process', () => {
  let server: TestServer;

  beforeAll(async () => {
    const { uri, cleanup } = sqlite!.uri();
    server = await startTestServer(uri, cleanup);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves /healthz, /readyz and /metrics with workqueue and leader metrics', async () => {
    const abort = new AbortController();
    const cm = run({ client: clientFor(server.url), port: 0, logger: testLogger(), controllers: ['replicaset', 'deployment'] }, abort.signal);
    try {
      await cm.ready;
      await cm.started;
      expect(cm.state()).toBe('leading');
      const health = await fetch(`${cm.url()}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('ok');
      expect((await fetch(`${cm.url()}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${cm.url()}/metrics`)).text();
      expect(metrics).toContain('workqueue_depth{name="replicaset"}');
      expect(metrics).toContain('workqueue_depth{name="deployment"}');
      expect(metrics).not.toContain('name="namespace"');
      expect(metrics).toContain('leader_election_master_status{name="kube-controller-manager"} 1');
      expect((await fetch(`${cm.url()}/nope`)).status).toBe(404);
    } finally {
      abort.abort();
      await cm.done;
    }
    expect(cm.state()).toBe('stopped');
  });

  it('runs controllers only in the instance holding the Lease, and hands over when it stops', async () => {
    const client = clientFor(server.url);
    const leaderElection = { name: 'cm-handover', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const a = new AbortController();
    const b = new AbortController();
    const first = run({ client: clientFor(server.url), port: 0, logger: testLogger(), leaderElect: true, leaderElection: { ...leaderElection, identity: 'first' } }, a.signal);
    await first.started;
    const second = run({ client: clientFor(server.url), port: 0, logger: testLogger(), leaderElect: true, leaderElection: { ...leaderElection, identity: 'second' } }, b.signal);
    try {
      await second.ready;
      const lease = (): Promise<Lease> => client.resource('coordination.k8s.io/v1', 'Lease').namespace('kube-system').get('cm-handover');
      expect((await lease()).spec?.holderIdentity).toBe('first');
      await waitFor('the second to campaign', async () => second.state() === 'campaigning');
      expect((await fetch(`${second.url()}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${second.url()}/metrics`)).text()).not.toContain('workqueue_depth{name="replicaset"}');

      a.abort();
      await first.done;
      await second.started;
      expect(second.state()).toBe('leading');
      expect((await lease()).spec?.holderIdentity).toBe('second');
    } finally {
      a.abort();
      b.abort();
      await Promise.allSettled([first.done, second.done]);
      client.close();
    }
  });
});
