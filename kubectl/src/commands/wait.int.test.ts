// keelctl wait against a real API server: conditions, jsonpath, delete and create, selectors and timeouts.
import { FakeClock, flushMicrotasks } from '@keelson/client';
import { testBackends } from '@keelson/apiserver';
import type { PodStatus } from '@keelson/api';
import { keelctl } from '../testing';
import { deployment, pod } from '../ops/fixtures';
import { startCluster, startKeelctl, type Running, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl wait on $name', ({ uri }) => {
  let k: TestCluster;
  const pods = () => k.client.resource('v1', 'Pod').namespace(k.namespace);
  const wait = (...args: string[]) => keelctl(k.kubeconfig, ['wait', ...args]);
  const setPodStatus = async (name: string, status: PodStatus): Promise<void> => {
    const p = await pods().get(name);
    await pods().updateStatus({ ...p, status });
  };
  const ready = (status: 'True' | 'False'): PodStatus => ({
    phase: 'Running',
    podIP: '10.0.0.7',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status },
    ],
  });
  /**
   * Resolves once the command is waiting: the only timer left on its clock is its 45 s timeout
   * (request timers are 30 s and go once each answer is in).
   */
  async function waiting(clock: FakeClock, r: Running): Promise<void> {
    for (let i = 0; i < 5000 && !(clock.pendingTimers() === 1 && clock.nextTimerIn() === 45_000); i++) await flushMicrotasks(1);
    expect(clock.nextTimerIn()).toBe(45_000);
    expect(r.out()).toBe('');
  }

  beforeAll(async () => {
    k = await startCluster(uri(), 'wait');
  });
  afterAll(async () => {
    await k?.stop();
  });

  it('waits for a condition to become true', async () => {
    await pods().create(pod('p1'));
    const r = startKeelctl(k.kubeconfig, ['wait', '--for=condition=Ready', 'pod/p1']);
    await setPodStatus('p1', ready('False'));
    await setPodStatus('p1', ready('True'));
    expect(await r.done).toEqual({ code: 0, out: 'pod/p1 condition met\n', err: '' });
  });

  it('compares the condition value case-insensitively and checks at once with --timeout=0', async () => {
    await pods().create(pod('p2'));
    await setPodStatus('p2', ready('False'));
    expect(await wait('--for=condition=ready=false', 'pod/p2', '--timeout=0')).toEqual({ code: 0, out: 'pod/p2 condition met\n', err: '' });
    expect(await wait('--for=condition=Ready', 'pod/p2', '--timeout=0')).toEqual({ code: 1, out: '', err: 'error: condition not met for pod/p2\n' });
  });

  it('times out with kubectl’s message (on an injected clock)', async () => {
    const clock = new FakeClock(Date.now());
    const r = startKeelctl(k.kubeconfig, ['wait', '--for=condition=Ready', 'pod/p2', '--timeout=45s'], { clock });
    await waiting(clock, r);
    clock.advance(44_999);
    await flushMicrotasks();
    expect(r.err()).toBe('');
    clock.advance(1);
    expect(await r.done).toEqual({ code: 1, out: '', err: 'error: timed out waiting for the condition on pods/p2\n' });
  });

  it('waits on a jsonpath value, or on the path existing', async () => {
    await pods().create(pod('p3'));
    const r = startKeelctl(k.kubeconfig, ['wait', "--for=jsonpath={.status.phase}=Running", 'pod/p3']);
    await setPodStatus('p3', { phase: 'Running' });
    expect(await r.done).toEqual({ code: 0, out: 'pod/p3 condition met\n', err: '' });
    const ip = startKeelctl(k.kubeconfig, ['wait', '--for', 'jsonpath=status.podIP', 'pod/p3']);
    await setPodStatus('p3', ready('True'));
    expect(await ip.done).toEqual({ code: 0, out: 'pod/p3 condition met\n', err: '' });
    expect(await wait('--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=True', 'pod/p3', '--timeout=0')).toEqual({ code: 0, out: 'pod/p3 condition met\n', err: '' });
    expect(await wait('--for=jsonpath={.status.conditions[*].type}=Ready', 'pod/p3')).toEqual({ code: 1, out: '', err: 'error: given jsonpath expression matches more than one value\n' });
  });

  it('waits for deletion, and succeeds quietly for what is already gone', async () => {
    await pods().create(pod('p4'));
    const clock = new FakeClock(Date.now());
    const r = startKeelctl(k.kubeconfig, ['wait', '--for=delete', 'pod/p4', '--timeout=45s'], { clock });
    await waiting(clock, r);
    await pods().delete('p4');
    expect(await r.done).toEqual({ code: 0, out: 'pod/p4 condition met\n', err: '' });
    expect(await wait('--for=delete', 'pod/never-was')).toEqual({ code: 0, out: '', err: '' });
  });

  it('waits for creation, then for the other conditions', async () => {
    const r = startKeelctl(k.kubeconfig, ['wait', '--for=condition=Ready', '--for=create', 'pod/later']);
    await pods().create(pod('later'));
    await setPodStatus('later', ready('True'));
    expect(await r.done).toEqual({ code: 0, out: 'pod/later condition met\npod/later condition met\n', err: '' });
  });

  it('selects by label', async () => {
    for (const n of ['s1', 's2']) {
      await pods().create(pod(n, { labels: { tier: 'batch' } }));
      await setPodStatus(n, ready('True'));
    }
    expect(await wait('--for=condition=Ready', 'pods', '-l', 'tier=batch')).toEqual({ code: 0, out: 'pod/s1 condition met\npod/s2 condition met\n', err: '' });
    expect(await wait('--for=condition=Ready', 'pods', '-l', 'tier=none')).toEqual({ code: 1, out: '', err: 'error: no matching resources found\n' });
    expect(await wait('--for=delete', 'pods', '-l', 'tier=none')).toEqual({ code: 0, out: '', err: '' });
  });

  it('ignores a condition observed for an older generation', async () => {
    const d = await k.client.resource('apps/v1', 'Deployment').namespace(k.namespace).create(deployment('web', 1));
    const deployments = k.client.resource('apps/v1', 'Deployment').namespace(k.namespace);
    await deployments.updateStatus({ ...d, status: { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True' }] } });
    expect(await wait('--for=condition=Available', 'deployment/web', '--timeout=0')).toEqual({ code: 0, out: 'deployment.apps/web condition met\n', err: '' });
    await deployments.patch('web', 'merge', { spec: { replicas: 2 } });
    expect(await wait('--for=condition=Available', 'deployment/web', '--timeout=0')).toEqual({ code: 1, out: '', err: 'error: condition not met for deployment.apps/web\n' });
  });

  it("fails with kubectl's messages", async () => {
    expect(await wait('--for=condition=Ready', 'pod/ghost')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): pods "ghost" not found\n' });
    expect(await wait('--for=bogus', 'pod/p2')).toEqual({ code: 1, out: '', err: 'error: unrecognized condition: "bogus"\n' });
    expect(await wait('pod/p2')).toEqual({ code: 1, out: '', err: 'error: unrecognized condition: []\n' });
    expect(await wait('--for=condition=Ready')).toEqual({ code: 1, out: '', err: 'error: You must provide one or more resources by argument or filename.\n' });
    expect(await wait('--for=jsonpath={.status.phase}=', 'pod/p2')).toEqual({
      code: 1,
      out: '',
      err: "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n",
    });
    expect(await wait('--for=condition=Ready', 'pods')).toEqual({ code: 1, out: '', err: 'error: resource(s) were provided, but no name was specified\n' });
  });
});
