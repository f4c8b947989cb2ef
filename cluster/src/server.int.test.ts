// `keelson server` as a user meets it: it starts, writes a kubeconfig, and a stock client can use the cluster.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { buildBusyboxImage, startShim } from '@keelson/kubelet';
import { cleanup as cleanupProxy } from '@keelson/proxy';
import { runServer } from './server';

function httpsGet(url: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keelson server', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-server-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over TLS on SQLite in its data directory, keeps state and its CA across restarts, and writes a working kubeconfig', async () => {
    const kubeconfig = join(dir, 'etc', 'keelson.yaml');
    const lines: string[] = [];
    const start = async (): Promise<{ abort: AbortController; done: Promise<void> }> => {
      const abort = new AbortController();
      const s = runServer({ dataDir: join(dir, 'data'), port: 0, bindAddress: '127.0.0.1', kubeconfig, logLevel: 'error', disableAgent: true }, abort.signal, (l) => lines.push(l));
      await s.ready;
      return { abort, done: s.done };
    };

    const first = await start();
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context: keelson');
    // The same admin kubeconfig in the data directory (k3s keeps one there too).
    expect(readFileSync(join(dir, 'data', 'kubeconfig'), 'utf8')).toBe(readFileSync(kubeconfig, 'utf8'));
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const server = kc.getCurrentCluster()?.server ?? '';
    expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { a: 'b' } } });
    // Without credentials the API refuses (health stays open).
    const ca = readFileSync(join(dir, 'data', 'tls', 'server-ca.crt'), 'utf8');
    const anonymous = await httpsGet(`${server}/api/v1/namespaces/default/configmaps`, ca);
    expect(anonymous.status).toBe(401);
    expect((await httpsGet(`${server}/healthz`, ca)).status).toBe(200);
    first.abort.abort();
    await first.done;

    const second = await start();
    // The CA survives the restart: credentials issued before still work.
    expect(readFileSync(join(dir, 'data', 'tls', 'server-ca.crt'), 'utf8')).toBe(ca);
    const kc2 = new k8s.KubeConfig();
    kc2.loadFromFile(kubeconfig);
    expect(kc2.getCurrentUser()?.certData).toBe(kc.getCurrentUser()?.certData);
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

  it('runs its own node: a Deployment\'s pods are scheduled there and run busybox, and come back after a restart', async () => {
    const suffix = randomBytes(3).toString('hex');
    const dnsIP = `10.96.0.${150 + (parseInt(suffix.slice(0, 2), 16) % 40)}`;
    const image = await buildBusyboxImage({ out: join(dir, 'images', 'busybox.tar') });
    // The shim the kubelet would start, in-process here so the test can remove everything it made.
    const shim = await startShim({ root: join(dir, 'kubelet', 'shim'), cgroupRoot: `keelson-srv-${suffix}`, chainPrefix: `KT${suffix.toUpperCase()}`, bridge: `ksv${suffix}`, clusterCIDR: '10.42.0.0/16' });
    const kubeconfig = join(dir, 'etc', 'keelson.yaml');
    const start = async (): Promise<{ abort: AbortController; done: Promise<void> }> => {
      const abort = new AbortController();
      const s = runServer(
        {
          dataDir: join(dir, 'data'),
          port: 0,
          bindAddress: '127.0.0.1',
          kubeconfig,
          logLevel: 'error',
          kubelet: { nodeName: `srv-${suffix}`, nodeIP: '127.0.0.1', rootDir: join(dir, 'kubelet'), imagesImportDir: join(dir, 'images'), relistMs: 200, port: 0 },
          proxy: { table: `kp-srv-${suffix}`, dnsIP, healthzPort: 0, metricsPort: 0, healthzBindAddress: '127.0.0.1' },
        },
        abort.signal,
        () => undefined,
      );
      try {
        await s.ready;
      } catch (e: unknown) {
        abort.abort();
        await s.done;
        throw e;
      }
      return { abort, done: s.done };
    };
    let server: { abort: AbortController; done: Promise<void> } | undefined;
    try {
      server = await start();
      expect(image.names).toContain('docker.io/library/busybox:latest');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      let core = kc.makeApiClient(k8s.CoreV1Api);
      await kc.makeApiClient(k8s.AppsV1Api).createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'sleepers' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'sleepers' } },
            template: { metadata: { labels: { app: 'sleepers' } }, spec: { containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '1000'] }] } },
          },
        },
      });
      const runningPods = async (): Promise<k8s.V1Pod[]> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=sleepers' })).items;
          const ready = pods.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
          if (ready.length === 2) return ready;
          if (Date.now() > deadline) throw new Error(`pods not running: ${JSON.stringify(pods.map((p) => [p.metadata?.name, p.status?.phase, p.spec?.nodeName]))}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const before = await runningPods();
      expect(before.map((p) => p.spec?.nodeName)).toEqual([`srv-${suffix}`, `srv-${suffix}`]);
      const node = await core.readNode({ name: `srv-${suffix}` });
      expect(node.spec?.podCIDR).toMatch(/^10\.42\.\d+\.0\/24$/);
      expect(before.every((p) => p.status?.podIP?.startsWith(node.spec!.podCIDR!.split('.').slice(0, 3).join('.')))).toBe(true);
      server.abort.abort();
      await server.done;
      server = await start();
      // A new port: read the rewritten kubeconfig.
      const kc2 = new k8s.KubeConfig();
      kc2.loadFromFile(kubeconfig);
      core = kc2.makeApiClient(k8s.CoreV1Api);
      const after = await runningPods();
      expect(after.map((p) => p.status?.containerStatuses?.[0]?.containerID).sort()).toEqual(before.map((p) => p.status?.containerStatuses?.[0]?.containerID).sort());
    } finally {
      server?.abort.abort();
      await server?.done;
      await shim.destroyNode().catch(() => undefined);
      // The proxy leaves its rules and DNS address in place when it stops (as kube-proxy does): remove them.
      await cleanupProxy({ table: `kp-srv-${suffix}`, dnsIP }).catch(() => undefined);
      await shim.close();
    }
  });
});
