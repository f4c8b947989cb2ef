// `keelson server` as a user meets it: it starts, writes a kubeconfig, and a stock client can use the cluster.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { runServer } from './server';

describe('keelson server', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-server-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over SQLite in its data directory, keeps state across restarts, and writes a working kubeconfig', async () => {
    const kubeconfig = join(dir, 'etc', 'keelson.yaml');
    const lines: string[] = [];
    const start = async (): Promise<{ abort: AbortController; done: Promise<void> }> => {
      const abort = new AbortController();
      const s = runServer({ dataDir: join(dir, 'data'), port: 0, bindAddress: '127.0.0.1', kubeconfig, logLevel: 'error' }, abort.signal, (l) => lines.push(l));
      await s.ready;
      return { abort, done: s.done };
    };

    const first = await start();
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context: keelson');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { a: 'b' } } });
    first.abort.abort();
    await first.done;

    const second = await start();
    const kc2 = new k8s.KubeConfig();
    kc2.loadFromFile(kubeconfig);
    const cm = await kc2.makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ name: 'kept', namespace: 'default' });
    expect(cm.data).toEqual({ a: 'b' });
    // The controller-manager runs in the same process: a Deployment gets its ReplicaSet and pods.
    const apps = kc2.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } } },
      },
    });
    const core2 = kc2.makeApiClient(k8s.CoreV1Api);
    const deadline = Date.now() + 15_000;
    let pods: k8s.V1Pod[] = [];
    while (Date.now() < deadline) {
      pods = (await core2.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items;
      if (pods.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(pods).toHaveLength(2);
    expect(pods[0]?.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');

    // The scheduler runs too: with no node registered, it says why the pods wait.
    let reason: string | undefined;
    while (Date.now() < deadline && reason === undefined) {
      const pod = await core2.readNamespacedPod({ name: pods[0]!.metadata!.name!, namespace: 'default' });
      reason = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')?.message;
      if (reason === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(reason).toBe('no nodes available to schedule pods');

    second.abort.abort();
    await second.done;
    expect(lines.some((l) => l.includes('kubeconfig written to'))).toBe(true);
  });
});
