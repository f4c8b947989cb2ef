// keelctl cordon, uncordon and drain against a real API server: kubectl's filters, messages and exit codes.
import { FakeClock, flushMicrotasks } from '@keelson/client';
import { testBackends, uniqueName } from '@keelson/apiserver';
import type { Pod } from '@keelson/api';
import { keelctl } from '../testing';
import { daemonSet, node, pod } from '../ops/fixtures';
import { startCluster, startKeelctl, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl cordon and drain on $name', ({ uri }) => {
  let k: TestCluster;
  let dsUid = '';
  const pods = () => k.client.resource('v1', 'Pod').namespace(k.namespace);
  const nodes = () => k.client.resource('v1', 'Node');
  const run = (...args: string[]) => keelctl(k.kubeconfig, args);
  const rs = { kind: 'ReplicaSet', name: 'web-5d4f', uid: '0f0f0f0f-0000-4000-8000-000000000001' };

  async function freshNode(): Promise<string> {
    const name = uniqueName('node');
    await nodes().create(node(name));
    return name;
  }
  async function podOn(n: string, name: string, o: Parameters<typeof pod>[1] = {}, extra: Partial<Pod['metadata']> = {}): Promise<void> {
    const p = pod(name, { nodeName: n, ...o });
    p.metadata = { ...p.metadata, ...extra };
    await pods().create(p);
  }
  const names = async (): Promise<string[]> => (await pods().list()).items.map((p) => p.metadata?.name ?? '');

  beforeAll(async () => {
    k = await startCluster(uri(), 'drain');
    dsUid = (await k.client.resource('apps/v1', 'DaemonSet').namespace(k.namespace).create(daemonSet('agent'))).metadata?.uid ?? '';
  });
  afterAll(async () => {
    await k?.stop();
  });

  describe('cordon and uncordon', () => {
    it('sets and clears spec.unschedulable, saying when nothing changes', async () => {
      const n = await freshNode();
      expect(await run('cordon', n)).toEqual({ code: 0, out: `node/${n} cordoned\n`, err: '' });
      expect((await nodes().get(n)).spec?.unschedulable).toBe(true);
      expect(await run('cordon', n)).toEqual({ code: 0, out: `node/${n} already cordoned\n`, err: '' });
      expect(await run('uncordon', `node/${n}`)).toEqual({ code: 0, out: `node/${n} uncordoned\n`, err: '' });
      expect((await nodes().get(n)).spec?.unschedulable).toBeUndefined();
      expect(await run('uncordon', n)).toEqual({ code: 0, out: `node/${n} already uncordoned\n`, err: '' });
    });

    it("fails with kubectl's messages", async () => {
      expect(await run('cordon', 'no-such-node')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): nodes "no-such-node" not found\n' });
      expect(await run('uncordon')).toEqual({ code: 1, out: '', err: "error: USAGE: uncordon NODE [flags]\nSee 'keelctl uncordon -h' for help and examples\n" });
    });
  });

  describe('drain', () => {
    it('cordons, then refuses pods kubectl would refuse, naming each', async () => {
      const n = await freshNode();
      await podOn(n, 'bare');
      await podOn(n, 'ds-pod', { owner: { kind: 'DaemonSet', name: 'agent', uid: dsUid } });
      await podOn(n, 'scratch', { owner: rs, emptyDir: true });
      const ns = k.namespace;
      const errors = `[cannot delete Pods that declare no controller (use --force to override): ${ns}/bare, cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ns}/ds-pod, cannot delete Pods with local storage (use --delete-emptydir-data to override): ${ns}/scratch]`;
      expect(await run('drain', n)).toEqual({
        code: 1,
        out: `node/${n} cordoned\n`,
        err: `error: unable to drain node "${n}" due to error: ${errors}, continuing command...\nThere are pending nodes to be drained:\n ${n}\nerror: ${errors}\n`,
      });
      expect((await nodes().get(n)).spec?.unschedulable).toBe(true);

      // With the overrides: warnings, evictions through the pods/eviction subresource, done.
      expect(await run('drain', n, '--force', '--ignore-daemonsets', '--delete-emptydir-data', '--grace-period=0')).toEqual({
        code: 0,
        out: `node/${n} already cordoned\nevicting pod ${ns}/bare\nevicting pod ${ns}/scratch\npod/bare evicted\npod/scratch evicted\nnode/${n} drained\n`,
        err: `Warning: deleting Pods that declare no controller: ${ns}/bare; ignoring DaemonSet-managed Pods: ${ns}/ds-pod\n`,
      });
      expect(await names()).toContain('ds-pod');
      expect(await names()).not.toContain('bare');
      expect(await names()).not.toContain('scratch');
      await pods().delete('ds-pod', { gracePeriodSeconds: 0 });
    });

    it('waits for the kubelet to finish a graceful deletion', async () => {
      const n = await freshNode();
      await podOn(n, 'graceful', { owner: rs });
      const r = startKeelctl(k.kubeconfig, ['drain', n, '--disable-eviction']);
      await r.until(`node/${n} cordoned`);
      // Play the kubelet: once the pod is marked for deletion, confirm it.
      for (let i = 0; i < 200 && (await pods().get('graceful')).metadata?.deletionTimestamp === undefined; i++) await new Promise((res) => setTimeout(res, 10));
      expect(r.out()).toBe(`node/${n} cordoned\n`);
      await pods().delete('graceful', { gracePeriodSeconds: 0 });
      expect(await r.done).toEqual({ code: 0, out: `node/${n} cordoned\npod/graceful deleted\nnode/${n} drained\n`, err: '' });
    });

    it('gives up after --timeout and lists the pods left (on an injected clock)', async () => {
      const n = await freshNode();
      await podOn(n, 'slow', { owner: rs });
      const clock = new FakeClock(Date.now());
      const r = startKeelctl(k.kubeconfig, ['drain', n, '--timeout=45s', '--disable-eviction'], { clock });
      for (let i = 0; i < 5000 && !(clock.pendingTimers() === 1 && clock.nextTimerIn() === 45_000 && r.out() !== ''); i++) await flushMicrotasks(1);
      clock.advance(45_000);
      const msg = 'timed out waiting for the condition';
      expect(await r.done).toEqual({
        code: 1,
        out: `node/${n} cordoned\n`,
        err: `There are pending pods in node "${n}" when an error occurred: ${msg}\npod/slow\nerror: unable to drain node "${n}" due to error: ${msg}, continuing command...\nThere are pending nodes to be drained:\n ${n}\nerror: ${msg}\n`,
      });
      await pods().delete('slow', { gracePeriodSeconds: 0 });
    });

    it('handles orphans of a deleted DaemonSet, mirror pods, finished pods and --pod-selector', async () => {
      const n = await freshNode();
      const ns = k.namespace;
      await podOn(n, 'orphan', { owner: { kind: 'DaemonSet', name: 'gone', uid: '0f0f0f0f-0000-4000-8000-000000000002' } });
      await podOn(n, 'mirror', {}, { annotations: { 'kubernetes.io/config.mirror': 'abc' } });
      await podOn(n, 'done');
      const done = await pods().get('done');
      await pods().updateStatus({ ...done, status: { phase: 'Succeeded' } });
      await podOn(n, 'other', { owner: rs, labels: { app: 'other' } });
      expect(await run('drain', n, '--grace-period=0', '--pod-selector=app=demo', '--disable-eviction')).toEqual({
        code: 1,
        out: `node/${n} cordoned\n`,
        err: `error: unable to drain node "${n}" due to error: cannot delete daemonsets.apps "gone" not found: ${ns}/orphan, continuing command...\nThere are pending nodes to be drained:\n ${n}\nerror: cannot delete daemonsets.apps "gone" not found: ${ns}/orphan\n`,
      });
      expect(await run('drain', n, '--grace-period=0', '--pod-selector=app=demo', '--force', '--disable-eviction')).toEqual({
        code: 0,
        out: `node/${n} already cordoned\npod/done deleted\npod/orphan deleted\nnode/${n} drained\n`,
        // As kubectl: a later filter's verdict (the pod has a controller) replaces the orphan warning.
        err: '',
      });
      expect((await names()).filter((x) => ['mirror', 'other', 'orphan', 'done'].includes(x)).sort()).toEqual(['mirror', 'other']);
    });

    it('drains an empty node, and fails for a missing one', async () => {
      const n = await freshNode();
      expect(await run('drain', n)).toEqual({ code: 0, out: `node/${n} cordoned\nnode/${n} drained\n`, err: '' });
      expect(await run('drain', 'no-such-node')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): nodes "no-such-node" not found\n' });
    });
  });
});
