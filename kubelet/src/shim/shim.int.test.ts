// The runtime shim end to end over its gRPC socket: a real busybox image, real sandboxes and containers, restart and cleanup.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBusyboxImage } from '../images';
import { RuntimeClient } from './client';
import { startShim, type RunningShim } from './shim';
import type { ContainerConfigInput, PodSandboxConfigInput } from './types';

const suffix = randomBytes(3).toString('hex');
const dir = mkdtempSync(path.join(os.tmpdir(), 'keelson-shim-'));
const octet = 100 + (parseInt(suffix.slice(0, 2), 16) % 100);
const options = {
  root: path.join(dir, 'root'),
  socket: path.join(dir, 'shim.sock'),
  cgroupRoot: `keelson-shimtest-${suffix}`,
  chainPrefix: `KT${suffix.toUpperCase()}`,
  bridge: `ks${suffix}`,
  podCIDR: `10.254.${octet}.0/24`,
  clusterCIDR: `10.254.${octet}.0/24`,
};

let shim: RunningShim;
let client: RuntimeClient;

function sandboxConfig(name: string, extra: Partial<PodSandboxConfigInput> = {}): PodSandboxConfigInput {
  return {
    metadata: { name, uid: `uid-${name}-${suffix}`, namespace: 'default', attempt: 0 },
    hostname: name,
    logDirectory: path.join(dir, 'logs', name),
    labels: { 'io.kubernetes.pod.name': name },
    ...extra,
  };
}

function containerConfig(name: string, command: string[], extra: Partial<ContainerConfigInput> = {}): ContainerConfigInput {
  return { metadata: { name, attempt: 0 }, image: { image: 'busybox' }, command, logPath: `${name}/0.log`, ...extra };
}

async function waitState(id: string, state: string, ms = 10_000): Promise<Awaited<ReturnType<RuntimeClient['containerStatus']>>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await client.containerStatus(id);
    if (s.state === state) return s;
    if (Date.now() > deadline) throw new Error(`container ${id} is ${s.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const image = await buildBusyboxImage({ out: path.join(dir, 'busybox.tar') });
  shim = await startShim(options);
  client = new RuntimeClient(options.socket);
  await client.waitReady();
  const imported = await client.importImage(image.path);
  expect(imported.flatMap((i) => i.repoTags)).toContain('docker.io/library/busybox:latest');
}, 60_000);

afterAll(async () => {
  client?.close();
  await shim?.destroyNode().catch(() => undefined);
  await shim?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('runtime shim', () => {
  it('answers Version and reports a ready network once it has a pod CIDR', async () => {
    expect((await client.version()).runtimeName).toBe('keelson');
    const status = await client.status();
    expect(status?.conditions.map((c) => [c.type, c.status])).toEqual([
      ['RuntimeReady', true],
      ['NetworkReady', true],
    ]);
  });

  it('runs a container in a pod sandbox: hostname, pod IP, logs, exec, stop with the exit code', async () => {
    const sandboxId = await client.runPodSandbox(sandboxConfig('web'));
    const sandbox = await client.podSandboxStatus(sandboxId);
    expect(sandbox.state).toBe('SANDBOX_READY');
    expect(sandbox.network?.ip).toMatch(new RegExp(`^10\\.254\\.${octet}\\.\\d+$`));
    const id = await client.createContainer(sandboxId, containerConfig('app', ['sh', '-c', 'echo hello from $(hostname); ip=$(cat /etc/hosts | grep web); echo "$ip"; exec sleep 1000']));
    expect((await client.containerStatus(id)).state).toBe('CONTAINER_CREATED');
    await client.startContainer(id);
    const running = await waitState(id, 'CONTAINER_RUNNING');
    expect(Number(running.pid)).toBeGreaterThan(0);

    // The shell runs its echoes before it execs sleep: wait for pid 1 to become sleep.
    let exec = await client.execSync(id, ['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; id -u']);
    for (let i = 0; i < 100 && !exec.stdout.toString().includes('\nsleep 1000 \n'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      exec = await client.execSync(id, ['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; id -u']);
    }
    expect(exec.exitCode).toBe(0);
    expect(exec.stdout.toString()).toBe('web\nsleep 1000 \n0\n');
    expect((await client.execSync(id, ['sh', '-c', 'exit 7'])).exitCode).toBe(7);

    const log = readFileSync(running.logPath, 'utf8');
    expect(log).toMatch(/^\S+Z stdout F hello from web$/m);
    expect(log).toContain(`${sandbox.network?.ip ?? 'no ip'}\tweb`);

    // A streaming exec with stdin.
    const out: Buffer[] = [];
    const stream = client.exec({ containerId: id, cmd: ['sh', '-c', 'read line; echo "got $line"; exit 4'], onStdout: (b) => out.push(b), stdin: (async function* () { yield 'ping\n'; })() });
    expect(await stream.exitCode).toBe(4);
    expect(Buffer.concat(out).toString()).toBe('got ping\n');

    // sh as pid 1 ignores SIGTERM: the grace period ends with SIGKILL, exit 137.
    const t0 = Date.now();
    await client.stopContainer(id, 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const exited = await client.containerStatus(id);
    expect(exited).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137, signal: 9, reason: 'Error' });
    await client.removePodSandbox(sandboxId);
    await expect(client.containerStatus(id)).rejects.toMatchObject({ reason: 'NotFound' });
  });

  it('reports exit codes exactly and OOMKilled for a container over its memory limit', async () => {
    const sandboxId = await client.runPodSandbox(sandboxConfig('batch'));
    const three = await client.createContainer(sandboxId, containerConfig('three', ['sh', '-c', 'exit 3']));
    await client.startContainer(three);
    expect(await waitState(three, 'CONTAINER_EXITED')).toMatchObject({ exitCode: 3, reason: 'Error' });
    const ok = await client.createContainer(sandboxId, containerConfig('ok', ['true']));
    await client.startContainer(ok);
    expect(await waitState(ok, 'CONTAINER_EXITED')).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const hog = await client.createContainer(
      sandboxId,
      containerConfig('hog', ['sh', '-c', 'head -c 200m /dev/zero | tail'], { linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } } }),
    );
    await client.startContainer(hog);
    expect(await waitState(hog, 'CONTAINER_EXITED', 20_000)).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    const missing = await client.createContainer(sandboxId, containerConfig('missing', ['/no/such/binary']));
    await expect(client.startContainer(missing)).rejects.toThrow(/no\/such\/binary/);
    expect(await client.containerStatus(missing)).toMatchObject({ state: 'CONTAINER_EXITED', reason: 'StartError' });
    await client.removePodSandbox(sandboxId);
  });

  it('keeps containers running across a shim restart and finds them again', async () => {
    const sandboxId = await client.runPodSandbox(sandboxConfig('keep'));
    const id = await client.createContainer(sandboxId, containerConfig('sleeper', ['sleep', '1000']));
    await client.startContainer(id);
    const before = await waitState(id, 'CONTAINER_RUNNING');
    client.close();
    await shim.close();
    shim = await startShim(options);
    client = new RuntimeClient(options.socket);
    await client.waitReady();
    const after = await client.containerStatus(id);
    expect(after).toMatchObject({ state: 'CONTAINER_RUNNING', pid: before.pid });
    expect((await client.listContainers({ podSandboxId: sandboxId })).map((c) => c.id)).toEqual([id]);
    expect((await client.execSync(id, ['hostname'])).stdout.toString()).toBe('keep\n');
    await client.removePodSandbox(sandboxId);
  });

  it('leaves nothing of a removed pod: no netns, veth, cgroup, mount or process', async () => {
    const sandboxId = await client.runPodSandbox(sandboxConfig('gone'));
    const id = await client.createContainer(sandboxId, containerConfig('sleeper', ['sleep', '1000']));
    await client.startContainer(id);
    const { pid } = await waitState(id, 'CONTAINER_RUNNING');
    await client.removePodSandbox(sandboxId);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(sandboxId);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(id);
    expect(existsSync(`/sys/fs/cgroup/memory/${options.cgroupRoot}/pod${`uid-gone-${suffix}`}`)).toBe(false);
    expect((await client.listPodSandbox()).map((s) => s.id)).not.toContain(sandboxId);
  });
});
