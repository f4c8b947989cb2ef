// The kubelet against a real API server and a real shim: node registration, pods running busybox, restarts, probes, volumes, deletion.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Container, Pod } from '@keelson/api';
import { startTestServer, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { buildBusyboxImage } from './images';
import { run, type RunningKubelet } from './kubelet';
import { startShim, type RunningShim } from './shim/shim';

const suffix = randomBytes(3).toString('hex');
const dir = mkdtempSync(path.join(os.tmpdir(), 'keelson-kubelet-'));
const octet = 100 + (parseInt(suffix.slice(0, 2), 16) % 100);
const nodeName = `kt-${suffix}`;
const shimOptions = {
  root: path.join(dir, 'shim'),
  socket: path.join(dir, 'shim', 'shim.sock'),
  cgroupRoot: `keelson-kt-${suffix}`,
  chainPrefix: `KT${suffix.toUpperCase()}`,
  bridge: `kb${suffix}`,
  clusterCIDR: `10.253.${octet}.0/24`,
};

let api: TestServer;
let client: RestClient;
let shim: RunningShim;
let kubelet: RunningKubelet;
let abort: AbortController;

function startKubelet(): RunningKubelet {
  abort = new AbortController();
  return run(
    {
      client,
      nodeName,
      rootDir: path.join(dir, 'kubelet'),
      runtimeEndpoint: shimOptions.socket,
      podCIDR: `10.253.${octet}.0/24`,
      nodeIP: '127.0.0.1',
      port: 0,
      relistMs: 200,
      resyncMs: 500,
      backoffBaseMs: 400,
      maxBackoffMs: 3200,
      logLevel: 'error',
    },
    abort.signal,
  );
}

const pods = () => client.resource('v1', 'Pod').namespace('default');

function pod(name: string, containers: Container[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName, terminationGracePeriodSeconds: 2, containers: containers.map((c) => ({ image: 'busybox', imagePullPolicy: 'IfNotPresent', ...c })), ...extra },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function podWhere(name: string, ok: (p: Pod) => boolean, ms?: number): Promise<Pod> {
  return until(
    `pod ${name}`,
    async () => {
      const p = (await pods().get(name));
      return ok(p) ? p : undefined;
    },
    ms,
  );
}

const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function logs(p: Pod, container: string): Promise<string> {
  const id = p.status?.containerStatuses?.find((c) => c.name === container)?.containerID?.replace('keelson://', '') ?? '';
  const st = await kubelet.runtime().containerStatus(id);
  const { readFile } = await import('node:fs/promises');
  return (await readFile(st.logPath, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').slice(3).join(' '))
    .join('\n');
}

beforeAll(async () => {
  const image = await buildBusyboxImage({ out: path.join(dir, 'busybox.tar') });
  shim = await startShim(shimOptions);
  await shim.runtime.importImage(image.path);
  const d = mkdtempSync(path.join(os.tmpdir(), 'keelson-kubelet-api-'));
  api = await startTestServer(`sqlite://${path.join(d, 'state.db')}`, () => rmSync(d, { recursive: true, force: true }));
  client = new RestClient({ config: { server: api.url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
  kubelet = startKubelet();
  await kubelet.ready;
}, 60_000);

afterAll(async () => {
  abort?.abort();
  await kubelet?.done.catch(() => undefined);
  await shim?.destroyNode().catch(() => undefined);
  await shim?.close();
  client?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('kubelet', () => {
  it('registers its Node with capacity, labels, node info, a Ready condition and a Lease', async () => {
    const node = await until('a Ready node', async () => {
      const n = (await client.resource('v1', 'Node').get(nodeName));
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' });
    expect(Number(node.status?.capacity?.cpu)).toBe(os.availableParallelism());
    expect(node.status?.capacity?.pods).toBe('110');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toBe('keelson://0.1.0');
    expect(node.status?.conditions?.map((c) => c.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    const lease = await client.resource('coordination.k8s.io/v1', 'Lease').namespace('kube-node-lease').get(nodeName);
    expect(lease.spec).toMatchObject({ holderIdentity: nodeName, leaseDurationSeconds: 40 });
  });

  it('runs a pod to Running and Ready with its IP, env from every source, and volumes', async () => {
    await client.resource('v1', 'ConfigMap').namespace('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { color: 'blue', 'app.conf': 'port=80\n' } });
    await client.resource('v1', 'Secret').namespace('default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await pods().create(
      pod(
        'web',
        [
          {
            name: 'app',
            command: ['sh', '-c', 'echo "$COLOR $PASSWORD $MY_NAME $MY_IP $GREETING"; cat /etc/config/app.conf /etc/creds/password /etc/info/labels; echo; echo data > /scratch/x; exec sleep 1000'],
            env: [
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'GREETING', value: 'hi-$(MY_NAME)' },
            ],
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config' },
              { name: 'creds', mountPath: '/etc/creds', readOnly: true },
              { name: 'info', mountPath: '/etc/info' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
        {
          volumes: [
            { name: 'config', configMap: { name: 'settings' } },
            { name: 'creds', secret: { secretName: 'creds' } },
            { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
            { name: 'scratch', emptyDir: {} },
          ],
        },
      ),
    );
    const p = await podWhere('web', (x) => x.status?.phase === 'Running' && ready(x));
    expect(p.status?.podIP).toMatch(new RegExp(`^10\\.253\\.${octet}\\.`));
    expect(p.status?.qosClass).toBe('BestEffort');
    expect(p.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0, state: { running: {} } });
    const out = await until('the app output', async () => {
      const text = await logs(p, 'app');
      return text.includes('port=80') ? text : undefined;
    });
    expect(out.split('\n')[0]).toBe(`blue s3cret web  hi-web`);
    expect(out).toContain('port=80');
    expect(out).toContain('s3cret');
  });

  it('updates a configMap volume when the ConfigMap changes', async () => {
    const p = await podWhere('web', ready);
    const id = p.status?.containerStatuses?.[0]?.containerID?.replace('keelson://', '') ?? '';
    await client.resource('v1', 'ConfigMap').namespace('default').patch('settings', 'merge', { data: { color: 'green' } });
    await until('the new value in the volume', async () => {
      const r = await kubelet.runtime().execSync(id, ['cat', '/etc/config/color']);
      return r.stdout.toString() === 'green' ? true : undefined;
    });
  });

  it('routes other nodes\' pod CIDRs via their addresses', async () => {
    await client.resource('v1', 'Node').create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `other-${suffix}` },
      spec: { podCIDR: '10.252.7.0/24', podCIDRs: ['10.252.7.0/24'] },
    });
    await client.resource('v1', 'Node').patch(`other-${suffix}`, 'merge', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } }, { subresource: 'status' });
    const { execFileSync } = await import('node:child_process');
    await until('the route', async () => (execFileSync('ip', ['route', 'show', '10.252.7.0/24']).toString().includes('via 127.0.0.1') ? true : undefined));
    await client.resource('v1', 'Node').delete(`other-${suffix}`);
    await until('the route to go', async () => (execFileSync('ip', ['route', 'show', '10.252.7.0/24']).toString().trim() === '' ? true : undefined));
  });

  it('restarts a crashing container with back-off and reports CrashLoopBackOff and the last exit', async () => {
    await pods().create(pod('crash', [{ name: 'app', command: ['sh', '-c', 'echo boom; exit 3'] }]));
    const p = await podWhere('crash', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(p.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(p.status?.phase).toBe('Running');
  });

  it('runs init containers in order before the app, and finishes a restartPolicy Never pod as Succeeded', async () => {
    await pods().create(
      pod('job', [{ name: 'main', command: ['sh', '-c', 'cat /work/log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }], {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          { name: 'first', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo first >> /work/log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          { name: 'second', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo second >> /work/log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ],
      }),
    );
    const p = await podWhere('job', (x) => x.status?.phase === 'Succeeded');
    expect(p.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason])).toEqual([
      ['first', 'Completed'],
      ['second', 'Completed'],
    ]);
    expect(await logs(p, 'main')).toBe('first\nsecond');
    const failing = await pods().create(pod('fails', [{ name: 'main', command: ['sh', '-c', 'exit 2'] }], { restartPolicy: 'Never' }));
    expect(failing.metadata?.name).toBe('fails');
    const f = await podWhere('fails', (x) => x.status?.phase === 'Failed');
    expect(f.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(2);
  });

  it('drives Ready from a readiness probe and restarts a container whose liveness probe fails', async () => {
    await pods().create(
      pod('probed', [
        {
          name: 'app',
          command: ['sh', '-c', 'exec sleep 1000'],
          readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
          livenessProbe: { exec: { command: ['test', '!', '-f', '/tmp/dead'] }, periodSeconds: 1, failureThreshold: 2 },
        },
      ]),
    );
    const running = await podWhere('probed', (x) => x.status?.phase === 'Running' && x.status.containerStatuses?.[0]?.state?.running !== undefined);
    expect(ready(running)).toBe(false);
    const id = running.status?.containerStatuses?.[0]?.containerID?.replace('keelson://', '') ?? '';
    await kubelet.runtime().execSync(id, ['touch', '/tmp/ready']);
    await podWhere('probed', ready);
    await kubelet.runtime().execSync(id, ['touch', '/tmp/dead']);
    const restarted = await podWhere('probed', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const events = await until('the Unhealthy event', async () => {
      const list = await client.resource('v1', 'Event').namespace('default').list();
      const unhealthy = list.items.filter((e) => (e as { involvedObject?: { name?: string }; reason?: string }).involvedObject?.name === 'probed' && (e as { reason?: string }).reason === 'Unhealthy');
      return unhealthy.length > 0 ? unhealthy : undefined;
    });
    expect(events.map((e) => (e as { message?: string }).message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Liveness probe failed: /)]));
    expect(restarted.status?.containerStatuses?.[0]?.containerID).not.toBe(`keelson://${id}`);
  });

  it('reports OOMKilled for a container over its memory limit', async () => {
    await pods().create(pod('hog', [{ name: 'app', command: ['sh', '-c', 'head -c 300m /dev/zero | tail'], resources: { limits: { memory: '32Mi' } } }], { restartPolicy: 'Never' }));
    const p = await podWhere('hog', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(p.status?.qosClass).toBe('Burstable');
  });

  it('runs a Guaranteed pod with its CPU quota and memory limit in its cgroup', async () => {
    await pods().create(pod('guaranteed', [{ name: 'app', command: ['sleep', '1000'], resources: { limits: { cpu: '250m', memory: '48Mi' } } }]));
    const p = await podWhere('guaranteed', (x) => x.status?.phase === 'Running');
    expect(p.status?.qosClass).toBe('Guaranteed');
    const id = p.status?.containerStatuses?.[0]?.containerID?.replace('keelson://', '') ?? '';
    const { readFileSync } = await import('node:fs');
    const base = `/sys/fs/cgroup/%s/${shimOptions.cgroupRoot}/pod${p.metadata?.uid ?? ''}/${id}`;
    expect(readFileSync(`${base.replace('%s', 'memory')}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(48 * 1024 * 1024));
    expect(readFileSync(`${base.replace('%s', 'cpu')}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('25000');
    await pods().delete('guaranteed', { gracePeriodSeconds: 0 });
  });

  it('keeps running containers across a kubelet restart', async () => {
    const before = await podWhere('web', ready);
    const id = before.status?.containerStatuses?.[0]?.containerID;
    abort.abort();
    await kubelet.done;
    kubelet = startKubelet();
    await kubelet.ready;
    await new Promise((r) => setTimeout(r, 1500));
    const after = await podWhere('web', ready);
    expect(after.status?.containerStatuses?.[0]?.containerID).toBe(id);
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('stops a deleted pod within its grace period and confirms the deletion', async () => {
    const p = await podWhere('web', ready);
    const id = p.status?.containerStatuses?.[0]?.containerID?.replace('keelson://', '') ?? '';
    await pods().delete('web', { gracePeriodSeconds: 1 });
    await until('the pod to be gone', async () => {
      try {
        await pods().get('web');
        return undefined;
      } catch {
        return true;
      }
    });
    await expect(kubelet.runtime().containerStatus(id)).rejects.toMatchObject({ reason: 'NotFound' });
    expect((await kubelet.runtime().listPodSandbox()).filter((s) => s.metadata?.name === 'web')).toEqual([]);
  });
});
