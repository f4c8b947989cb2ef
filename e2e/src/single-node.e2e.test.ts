// End-to-end on a real single-node cluster (`keelson server` on the host): manifests, rollouts, scaling, Jobs, CronJobs, StatefulSets, OOM, liveness, namespaces.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CronJob, Deployment, Job, Pod } from '@keelson/api';
import { Cluster, REPO_ROOT, ServicePoller, until } from './harness';
import { createNamespace, greetingOf, helloManifest, isReady, pods, readyPods, rolloutStatus, type List } from './scenarios';

// Scenarios wait on real rollouts, back-offs and a cron schedule.
jest.setTimeout(300_000);

let c: Cluster;

beforeAll(async () => {
  c = await Cluster.start({ workers: 0, keepLogsIn: process.env.KEELSON_E2E_LOGS });
}, 180_000);

afterAll(async () => {
  await c?.stop();
}, 180_000);

/** Manifests under manifests/ (every .yaml, recursively), as keelctl -f arguments. */
function manifestFiles(dir = join(REPO_ROOT, 'manifests')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? manifestFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('single-node cluster', () => {
  const ns = 'manifests';

  it('applies every manifest in manifests/ and each reaches its ready state', async () => {
    await createNamespace(c, ns);
    // Manifests that name their namespace (add-ons in kube-system) go there; the rest into the test namespace.
    const files = manifestFiles();
    const own = files.filter((f) => /^\s+namespace:/m.test(readFileSync(f, 'utf8')));
    let out = await c.keelctl(['apply', '-n', ns, ...files.filter((f) => !own.includes(f)).flatMap((f) => ['-f', f])]);
    if (own.length > 0) out += await c.keelctl(['apply', ...own.flatMap((f) => ['-f', f])]);
    expect(out).toMatch(/deployment\.apps\/hello (created|configured)/);
    expect(out).toMatch(/storageclass\.storage\.k8s\.io\/local-path (created|configured|unchanged)/);
    await rolloutStatus(c, ns, 'deployment/hello');
    await rolloutStatus(c, ns, 'deployment/web');
    await rolloutStatus(c, ns, 'daemonset/node-reporter');
    await rolloutStatus(c, ns, 'statefulset/counter');
    await c.keelctl(['wait', '-n', ns, '--for=condition=complete', 'job/sum', '--timeout=120s'], { timeoutMs: 150_000 });
    const table = await c.keelctl(['get', 'deploy,sts,ds', '-n', ns]);
    expect(table).toMatch(/hello\s+3\/3\s+3\s+3/);
    expect(table).toMatch(/web\s+2\/2\s+2\s+2/);
    expect(table).toMatch(/counter\s+2\/2/);
    const logs = await c.keelctl(['logs', '-n', ns, 'job/sum']);
    expect(logs).toContain('sum=500500');
    const pvcs = await c.keelctl(['get', 'pvc', '-n', ns]);
    expect(pvcs).toMatch(/data-counter-0\s+Bound/);
    expect(pvcs).toMatch(/data-counter-1\s+Bound/);
  });

  it('starts a StatefulSet in order with stable names and keeps its volume data across a pod deletion', async () => {
    const [p0, p1] = await Promise.all([c.getJson<Pod>(['pod', 'counter-0', '-n', ns]), c.getJson<Pod>(['pod', 'counter-1', '-n', ns])]);
    // OrderedReady: counter-1 is created only once counter-0 is Ready.
    const ready0 = p0.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime ?? '';
    expect(Date.parse(p1.metadata!.creationTimestamp!)).toBeGreaterThanOrEqual(Date.parse(ready0) - 1000);
    expect(p0.spec?.hostname).toBe('counter-0');
    expect((await c.keelctl(['exec', '-n', ns, 'counter-0', '--', 'cat', '/data/starts'])).trim()).toBe('counter-0');
    await c.keelctl(['delete', 'pod', 'counter-0', '-n', ns]);
    const again = await until('counter-0 back and Ready', async () => {
      const p = await c.getJson<Pod>(['pod', 'counter-0', '-n', ns]).catch(() => undefined);
      return p !== undefined && p.metadata?.uid !== p0.metadata?.uid && isReady(p) ? p : undefined;
    }, 120_000);
    expect(again.metadata?.name).toBe('counter-0');
    // The same claim, so the file written by the first pod is still there and the new start appended to it.
    expect((await c.keelctl(['exec', '-n', ns, 'counter-0', '--', 'cat', '/data/starts'])).trim().split('\n')).toEqual(['counter-0', 'counter-0']);
  });

  it('rolls a 6-replica Deployment to a new version and back (rollout undo) without one failed request', async () => {
    const rns = 'rollout';
    await createNamespace(c, rns);
    await c.keelctl(['apply', '-n', rns, '-f', '-'], { input: helloManifest(6, 'v1') });
    await rolloutStatus(c, rns, 'deployment/hello');
    // The pods are ready; their endpoints reach the node's proxy a moment later (EndpointSlice, then a ≥ 1 s sync).
    // Polling starts once the Service answers, as a client would only start using it then.
    const clusterIP = (await c.keelctl(['get', 'service', 'hello', '-n', rns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await until('the Service to answer', async () => {
      try {
        const res = await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? true : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    // Through the Service's ClusterIP: the node's proxy balances over ready endpoints, as any client in the cluster sees it.
    const poller = new ServicePoller({ kubeconfig: c.kubeconfig, namespace: rns, service: 'hello', port: 8080, via: 'clusterIP', servicePort: 80 });
    await poller.start();
    let result;
    try {
      await c.keelctl(['apply', '-n', rns, '-f', '-'], { input: helloManifest(6, 'v2') });
      await rolloutStatus(c, rns, 'deployment/hello');
      const v2 = await readyPods(c, rns, 'app=hello', 6);
      expect(v2.every((p) => p.spec?.containers[0]?.env?.some((e) => e.name === 'GREETING' && e.value === 'v2'))).toBe(true);
      const history = await c.keelctl(['rollout', 'history', 'deployment/hello', '-n', rns]);
      expect(history).toMatch(/^1\s/m);
      expect(history).toMatch(/^2\s/m);
      await c.keelctl(['rollout', 'undo', 'deployment/hello', '-n', rns]);
      await rolloutStatus(c, rns, 'deployment/hello');
      const back = await readyPods(c, rns, 'app=hello', 6);
      expect(back.every((p) => p.spec?.containers[0]?.env?.some((e) => e.name === 'GREETING' && e.value === 'v1'))).toBe(true);
      // The client sees the old version again once the undo completes.
      await until('only v1 answers', async () => {
        const before = poller.snapshot().bodies;
        await new Promise((r) => setTimeout(r, 1500));
        const after = poller.snapshot().bodies;
        const fresh = [...after].filter(([b, n]) => n > (before.get(b) ?? 0)).map(([b]) => greetingOf(b));
        return fresh.length > 0 && fresh.every((g) => g === 'v1') ? true : undefined;
      }, 30_000);
    } finally {
      result = await poller.stop();
    }
    const greetings = new Set([...result.bodies.keys()].map(greetingOf));
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(100);
    expect(greetings).toEqual(new Set(['v1', 'v2']));
    const d = await c.getJson<Deployment>(['deployment', 'hello', '-n', rns]);
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('scales a Deployment up and down', async () => {
    const rns = 'rollout';
    await c.keelctl(['scale', 'deployment/hello', '--replicas=8', '-n', rns]);
    await readyPods(c, rns, 'app=hello', 8);
    expect(await c.keelctl(['get', 'deployment', 'hello', '-n', rns])).toMatch(/hello\s+8\/8/);
    await c.keelctl(['scale', 'deployment/hello', '--replicas=2', '-n', rns]);
    await until('2 pods left', async () => ((await pods(c, rns, 'app=hello')).length === 2 ? true : undefined), 90_000);
    expect(await c.keelctl(['get', 'deployment', 'hello', '-n', rns])).toMatch(/hello\s+2\/2/);
  });

  it('runs a Job to completion through a failed attempt (retries with back-off)', async () => {
    const jns = 'jobs';
    await createNamespace(c, jns);
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'flaky' },
      spec: {
        backoffLimit: 3,
        template: {
          spec: {
            restartPolicy: 'Never',
            volumes: [{ name: 'state', hostPath: { path: join(c.dir, 'job-state'), type: 'DirectoryOrCreate' } }],
            containers: [
              {
                name: 'flaky',
                image: 'busybox:latest',
                imagePullPolicy: 'IfNotPresent',
                // Fails on the first attempt, succeeds on the next (the attempt is remembered on the node).
                command: ['sh', '-c', 'if [ -e /state/tried ]; then echo second attempt ok; else touch /state/tried; echo failing; exit 3; fi'],
                volumeMounts: [{ name: 'state', mountPath: '/state' }],
              },
            ],
          },
        },
      },
    };
    await c.keelctl(['apply', '-n', jns, '-f', '-'], { input: JSON.stringify(job) });
    await c.keelctl(['wait', '-n', jns, '--for=condition=complete', 'job/flaky', '--timeout=150s'], { timeoutMs: 180_000 });
    const done = await c.getJson<Job>(['job', 'flaky', '-n', jns]);
    expect(done.status?.succeeded).toBe(1);
    expect(done.status?.failed).toBe(1);
    const phases = (await pods(c, jns, 'job-name=flaky')).map((p) => p.status?.phase).sort();
    expect(phases).toEqual(['Failed', 'Succeeded']);
    expect(await c.keelctl(['get', 'job', 'flaky', '-n', jns])).toMatch(/flaky\s+(Complete\s+)?1\/1/);
  });

  it('reports a container over its memory limit as OOMKilled', async () => {
    const ons = 'oom';
    await createNamespace(c, ons);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'hog',
            image: 'busybox:latest',
            imagePullPolicy: 'IfNotPresent',
            // dd holds one 256 MiB block in memory: far over the 32 MiB limit.
            command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=256M', 'count=4'],
            resources: { limits: { memory: '32Mi' } },
          },
        ],
      },
    };
    await c.keelctl(['apply', '-n', ons, '-f', '-'], { input: JSON.stringify(pod) });
    const dead = await until('hog terminated', async () => {
      const p = await c.getJson<Pod>(['pod', 'hog', '-n', ons]);
      return p.status?.containerStatuses?.[0]?.state?.terminated !== undefined ? p : undefined;
    }, 90_000);
    expect(dead.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
    expect(dead.status?.phase).toBe('Failed');
    expect(await c.keelctl(['get', 'pod', 'hog', '-n', ons])).toMatch(/hog\s+0\/1\s+OOMKilled/);
  });

  it('restarts a container whose liveness probe fails', async () => {
    const lns = 'liveness';
    await createNamespace(c, lns);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sick' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'busybox:latest',
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 4; rm /tmp/healthy; exec sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 1 },
          },
        ],
      },
    };
    await c.keelctl(['apply', '-n', lns, '-f', '-'], { input: JSON.stringify(pod) });
    const restarted = await until('sick restarted', async () => {
      const p = await c.getJson<Pod>(['pod', 'sick', '-n', lns]);
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    }, 90_000);
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated).toBeDefined();
    const events = await c.keelctl(['get', 'events', '-n', lns]);
    expect(events).toMatch(/Killing\s+pod\/sick\s+Container app failed liveness probe, will be restarted/);
    expect(await c.keelctl(['get', 'pod', 'sick', '-n', lns])).toMatch(/sick\s+\d\/1\s+\S+\s+[1-9]/);
  });

  it('deleting a namespace removes everything in it', async () => {
    const dns = 'doomed';
    await createNamespace(c, dns);
    await c.keelctl(['apply', '-n', dns, '-f', join(REPO_ROOT, 'manifests/examples/web-deployment.yaml')]);
    await c.keelctl(['create', 'configmap', 'settings', '--from-literal=a=b', '-n', dns]);
    await readyPods(c, dns, 'app=web', 2);
    await c.keelctl(['delete', 'namespace', dns], { timeoutMs: 180_000 });
    await until('namespace doomed gone', async () => {
      const out = await c.keelctl(['get', 'namespaces', '-o', 'name']);
      return out.includes('namespace/doomed') ? undefined : true;
    }, 120_000);
    const all = await c.getJson<List<Pod>>(['pods', '--all-namespaces']);
    expect(all.items.filter((p) => p.metadata?.namespace === dns)).toEqual([]);
    await expect(c.keelctl(['get', 'configmap', 'settings', '-n', dns])).rejects.toThrow(/not found/i);
  });

  it('fires a CronJob on its schedule and its Job completes', async () => {
    const cj = await until('the tick CronJob to fire', async () => {
      const x = await c.getJson<CronJob>(['cronjob', 'tick', '-n', ns]);
      return x.status?.lastSuccessfulTime !== undefined ? x : undefined;
    }, 130_000, 2000);
    expect(cj.status?.lastScheduleTime).toBeDefined();
    const jobs = await c.getJson<List<Job>>(['jobs', '-n', ns]);
    const fired = jobs.items.filter((j) => j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick'));
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.some((j) => j.status?.succeeded === 1)).toBe(true);
    const logs = await c.keelctl(['logs', '-n', ns, `job/${fired[0]!.metadata!.name!}`]);
    expect(logs).toContain('tick');
  });
});
