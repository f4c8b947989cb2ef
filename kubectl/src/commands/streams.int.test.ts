// keelctl logs/exec/attach/port-forward/top end to end: a real API server proxying to a real kubelet, shim and busybox containers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Container, Pod } from '@keelson/api';
import { rawRequest, startTestServer, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { buildBusyboxImage, run as runKubelet, startShim, type RunningKubelet, type RunningShim } from '@keelson/kubelet';
import WebSocket from 'ws';
import { keelctl, writeKubeconfig } from '../testing';
import { startKeelctl } from '../ops/testing';

const suffix = randomBytes(3).toString('hex');
const dir = mkdtempSync(path.join(os.tmpdir(), 'keelctl-streams-'));
const octet = 100 + (parseInt(suffix.slice(0, 2), 16) % 100);
const nodeName = `ks-${suffix}`;
const shimOptions = {
  root: path.join(dir, 'shim'),
  socket: path.join(dir, 'shim', 'shim.sock'),
  cgroupRoot: `keelson-ks-${suffix}`,
  chainPrefix: `KT${suffix.toUpperCase()}`,
  bridge: `ks${suffix}`,
  clusterCIDR: `10.252.${octet}.0/24`,
};

let api: TestServer;
let client: RestClient;
let shim: RunningShim;
let kubelet: RunningKubelet;
let kubeconfig: { path: string; cleanup: () => void };
const abort = new AbortController();

const pods = () => client.resource('v1', 'Pod').namespace('default');
const run = (args: string[], stdin = '', input?: () => NodeJS.ReadableStream) => keelctl(kubeconfig.path, args, stdin, input !== undefined ? { input } : {});

function pod(name: string, containers: Container[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { nodeName, terminationGracePeriodSeconds: 1, containers: containers.map((c) => ({ image: 'busybox', imagePullPolicy: 'IfNotPresent', ...c })), ...extra },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
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

const podWhere = (name: string, ok: (p: Pod) => boolean): Promise<Pod> => {
  let last: Pod | undefined;
  return until(`pod ${name}`, async () => {
    last = (await pods().get(name));
    return ok(last) ? last : undefined;
  }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; last status: ${JSON.stringify(last?.status)}`);
  });
};
const running = (p: Pod): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running !== undefined);

beforeAll(async () => {
  const image = await buildBusyboxImage({ out: path.join(dir, 'busybox.tar') });
  shim = await startShim(shimOptions);
  await shim.runtime.importImage(image.path);
  api = await startTestServer(`sqlite://${path.join(dir, 'state.db')}`);
  client = new RestClient({ config: { server: api.url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
  kubeconfig = writeKubeconfig(api.url);
  kubelet = runKubelet(
    { client, nodeName, rootDir: path.join(dir, 'kubelet'), runtimeEndpoint: shimOptions.socket, podCIDR: `10.252.${octet}.0/24`, nodeIP: '127.0.0.1', port: 0, relistMs: 200, backoffBaseMs: 300, maxBackoffMs: 1000, logLevel: 'error' },
    abort.signal,
  );
  await kubelet.ready;
  await pods().create(pod('web', [{ name: 'app', command: ['sh', '-c', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; exec sleep 1000'] }]));
  await pods().create(pod('pair', [{ name: 'app', command: ['sleep', '1000'] }, { name: 'side', command: ['sleep', '1000'] }]));
  await podWhere('web', running);
  await podWhere('pair', running);
}, 90_000);

afterAll(async () => {
  abort.abort();
  await kubelet?.done.catch(() => undefined);
  await shim?.destroyNode().catch(() => undefined);
  await shim?.close();
  client?.close();
  await api?.stop();
  kubeconfig?.cleanup();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('logs', () => {
  it('prints the log without CRI prefixes, the last lines with --tail, and RFC3339Nano times with --timestamps', async () => {
    const all = await until('all three lines', async () => {
      const r = await run(['logs', 'web']);
      return r.out.split('\n').length >= 4 ? r : undefined;
    });
    expect(all).toEqual({ code: 0, out: 'one\ntwo\nthree\n', err: '' });
    expect((await run(['logs', 'web', '--tail', '1'])).out).toBe('three\n');
    const stamped = (await run(['logs', 'pod/web', '--timestamps', '--tail=2'])).out.split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z two$/);
    expect(stamped[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z three$/);
    expect((await run(['logs', 'web', '--limit-bytes', '6'])).out).toBe('one\ntw');
    expect((await run(['logs', 'deploy/nope'])).err).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
  });

  it('follows a log until the container exits, including lines written later', async () => {
    await pods().create(pod('follow', [{ name: 'app', command: ['sh', '-c', 'echo start; while [ ! -f /tmp/stop ]; do sleep 0.1; done; echo later; echo bye'] }], { restartPolicy: 'Never' }));
    await podWhere('follow', running);
    const f = startKeelctl(kubeconfig.path, ['logs', '-f', 'follow']);
    await f.until('start\n');
    expect(f.out()).toBe('start\n');
    expect((await run(['exec', 'follow', '--', 'touch', '/tmp/stop'])).code).toBe(0);
    expect(await f.done).toEqual({ code: 0, out: 'start\nlater\nbye\n', err: '' });
  });

  it("shows the previous run's log with --previous after a restart", async () => {
    await pods().create(
      pod('restarts', [{ name: 'app', command: ['sh', '-c', 'n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /d/n; echo run $n; [ $n -ge 2 ] && exec sleep 1000; exit 1'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }], {
        volumes: [{ name: 'd', emptyDir: {} }],
      }),
    );
    await podWhere('restarts', (p) => running(p) && p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0].lastState?.terminated !== undefined);
    expect(await until('the current run', async () => ((await run(['logs', 'restarts'])).out === 'run 2\n' ? true : undefined))).toBe(true);
    expect(await run(['logs', 'restarts', '--previous'])).toEqual({ code: 0, out: 'run 1\n', err: '' });
    expect(await run(['logs', 'web', '-p'])).toEqual({ code: 1, out: '', err: 'Error from server (BadRequest): previous terminated container "app" in pod "web" not found\n' });
  });

  it('answers as Kubernetes does when there is no log to give', async () => {
    const ns = '/api/v1/namespaces/default/pods';
    const ghost = await rawRequest(api.url, 'GET', `${ns}/ghost/log`);
    expect(ghost.status).toBe(404);
    const pair = await rawRequest(api.url, 'GET', `${ns}/pair/log`);
    expect([pair.status, (pair.json() as { message: string }).message]).toEqual([400, 'a container name must be specified for pod pair, choose one of: [app side]']);
    const bad = await rawRequest(api.url, 'GET', `${ns}/pair/log?container=nope`);
    expect([bad.status, (bad.json() as { message: string }).message]).toEqual([400, 'container nope is not valid for pod pair']);
    expect((await rawRequest(api.url, 'GET', `${ns}/pair/log?container=side`)).status).toBe(200);
    // A container still waiting (behind an init container that never ends) has no log yet.
    await pods().create(pod('waits', [{ name: 'app', command: ['true'] }], { initContainers: [{ name: 'init', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '1000'] }] }));
    await podWhere('waits', (p) => p.status?.initContainerStatuses?.[0]?.state?.running !== undefined);
    const waiting = await run(['logs', 'waits', '-c', 'app']);
    expect(waiting.code).toBe(1);
    expect(waiting.err).toMatch(/^Error from server \(BadRequest\): container "app" in pod "waits" is waiting to start: \w+\n$/);
    // An unscheduled pod has an empty log (upstream returns no location), and cannot exec.
    await pods().create({ ...pod('lonely', [{ name: 'app', command: ['true'] }]), spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    expect(await run(['logs', 'lonely'])).toEqual({ code: 0, out: '', err: '' });
    expect(await run(['exec', 'lonely', '--', 'true'])).toEqual({ code: 1, out: '', err: 'Error from server (BadRequest): pod lonely does not have a host assigned\n' });
  });
});

describe('exec and attach', () => {
  it('runs a command with stdout, stderr and its exit code', async () => {
    expect(await run(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ code: 3, out: 'out\n', err: 'err\ncommand terminated with exit code 3\n' });
    expect(await run(['exec', 'pair', '-c', 'side', '--', 'hostname'])).toEqual({ code: 0, out: 'pair\n', err: '' });
    expect(await run(['exec', 'web', '--', 'no-such-binary'])).toMatchObject({ code: 127 });
  });

  it('passes stdin and closes it at its end (v5)', async () => {
    expect(await run(['exec', '-i', 'web', '--', 'sh', '-c', 'read x; echo "got $x"; cat'], 'hello\nrest\n')).toEqual({ code: 0, out: 'got hello\nrest\n', err: '' });
  });

  it('runs a command on a terminal with -t when stdin is a TTY', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const r = await run(['exec', '-it', 'web', '--', 'sh', '-c', 'sleep 0.3; tty; stty size; echo "$TERM"'], '', () => input);
    expect(r.code).toBe(0);
    const rows = process.stdout.rows ?? 24;
    const cols = process.stdout.columns ?? 80;
    expect(r.out.split('\r\n')).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), `${rows} ${cols}`, 'xterm', '']);
    input.end();
  });

  it('refuses a WebSocket for a container the pod does not have, with the Status', async () => {
    const url = `${api.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/exec?container=nope&command=true&stdout=true`;
    const ws = new WebSocket(url, ['v5.channel.k8s.io']);
    ws.on('error', () => undefined);
    const status = await new Promise<{ code: number; body: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
    });
    ws.terminate();
    expect(status.code).toBe(400);
    expect(JSON.parse(status.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'container nope is not valid for pod web' });
  });

  it("attaches to a container's output and stdin until it exits", async () => {
    await pods().create(pod('talker', [{ name: 'app', stdin: true, command: ['sh', '-c', 'while read line; do echo "echo:$line"; done; echo closed'] }], { restartPolicy: 'Never' }));
    await podWhere('talker', running);
    const input = new PassThrough();
    const attached = run(['attach', '-i', 'talker'], '', () => input);
    await new Promise((r) => setTimeout(r, 500));
    input.write('hi\n');
    await new Promise((r) => setTimeout(r, 500));
    input.end();
    expect(await attached).toEqual({ code: 0, out: 'echo:hi\nclosed\n', err: '' });
  });
});

describe('port-forward', () => {
  it('forwards a local port to a busybox httpd in the pod', async () => {
    await pods().create(pod('www', [{ name: 'app', command: ['sh', '-c', 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www'] }]));
    await podWhere('www', running);
    const pf = startKeelctl(kubeconfig.path, ['port-forward', 'www', ':8080', '--address', '127.0.0.1']);
    try {
      await pf.until(' -> 8080\n');
      const port = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(pf.out())?.[1]);
      const body = await until('the page', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/index.html`);
        return res.ok ? res.text() : undefined;
      }).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\nkeelctl stderr: ${pf.err().slice(0, 2000)}`);
      });
      expect(body).toBe('hello-from-pod\n');
      expect(pf.out()).toContain(`Handling connection for ${port}\n`);
    } finally {
      process.emit('SIGINT');
      await pf.done;
    }
  });
});

describe('stats and top', () => {
  it('serves the Summary API through nodes/{name}/proxy with non-zero usage', async () => {
    await pods().create(pod('busy', [{ name: 'app', command: ['sh', '-c', 'while true; do :; done'], resources: { requests: { cpu: '50m' }, limits: { cpu: '100m' } } }]));
    await podWhere('busy', running);
    const res = await rawRequest(api.url, 'GET', `/api/v1/nodes/${nodeName}/proxy/stats/summary`);
    expect(res.status).toBe(200);
    const s = res.json() as { node: { nodeName: string; cpu: { usageNanoCores: number }; memory: { workingSetBytes: number } }; pods: { podRef: { name: string }; cpu: { usageNanoCores: number; usageCoreNanoSeconds: number }; memory: { workingSetBytes: number }; containers: { name: string }[] }[] };
    expect(s.node.nodeName).toBe(nodeName);
    expect(s.node.cpu.usageNanoCores).toBeGreaterThan(0);
    expect(s.node.memory.workingSetBytes).toBeGreaterThan(0);
    const busy = s.pods.find((p) => p.podRef.name === 'busy');
    expect(busy?.containers.map((c) => c.name)).toEqual(['app']);
    // 100m of cpu: between a few millicores and a little over the limit.
    expect(busy?.cpu.usageNanoCores).toBeGreaterThan(5e6);
    expect(busy?.cpu.usageNanoCores).toBeLessThan(3e8);
    expect(busy?.cpu.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(busy?.memory.workingSetBytes).toBeGreaterThan(0);
  });

  it('prints top nodes and top pods', async () => {
    const nodes = await run(['top', 'nodes']);
    expect(nodes).toMatchObject({ code: 0, err: '' });
    const [header, row] = nodes.out.split('\n');
    expect(header).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*$/);
    expect(row).toMatch(new RegExp(`^${nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%$`));
    const top = await run(['top', 'pods']);
    expect(top.code).toBe(0);
    expect(top.out.split('\n')[0]).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)$/);
    expect(top.out).toMatch(/\nbusy\s+\d+m\s+\d+Mi\n/);
    const containers = await run(['top', 'pods', 'pair', '--containers']);
    expect(containers.out).toMatch(/^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\npair\s+app\s+\d+m\s+\d+Mi\npair\s+side\s+\d+m\s+\d+Mi\n$/);
  });
});
