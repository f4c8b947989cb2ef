// The benchmarks' throw-away node against the real shim and helper: a pod with its container runs, and destroy() leaves no bridge, cgroup, process or file behind.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { profileBatchedNetwork, profileSandbox } from './profile';
import { startBenchNode, type BenchNode } from './node';

const run = promisify(execFile);

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function linkExists(name: string): Promise<boolean> {
  return run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );
}

describe('bench node', () => {
  let node: BenchNode | undefined;

  afterEach(async () => {
    await node?.destroy();
  }, 60_000);

  it('runs a pod through the shim child and removes every trace of it', async () => {
    node = await startBenchNode({ mode: 'child', secondOctet: 249 });
    const uid = `int-${node.suffix}`;
    const sandbox = await node.client.runPodSandbox({
      metadata: { name: 'p', uid, namespace: 'bench', attempt: 0 },
      hostname: 'p',
      logDirectory: `${node.dir}/logs`,
      portMappings: [],
      labels: { 'io.kubernetes.pod.uid': uid },
      annotations: {},
      linux: { cgroupParent: `pod${uid}`, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    });
    const id = await node.client.createContainer(sandbox, { metadata: { name: 'c', attempt: 0 }, image: { image: node.image }, command: ['sleep', '3600'], logPath: 'c/0.log', labels: {}, annotations: {} });
    await node.client.startContainer(id);
    const st = await node.client.containerStatus(id);
    expect(st.state).toBe('CONTAINER_RUNNING');
    const sb = await node.client.podSandboxStatus(sandbox);
    expect(sb.network?.ip).toMatch(/^10\.249\./);
    const { shimPid, dir, shimOptions } = node;
    expect(await linkExists(shimOptions.bridge)).toBe(true);

    await node.destroy();
    expect(alive(shimPid)).toBe(false);
    expect(alive(Number(st.pid))).toBe(false);
    expect(await linkExists(shimOptions.bridge)).toBe(false);
    expect(await exists(`/sys/fs/cgroup/pids/${shimOptions.cgroupRoot}`)).toBe(false);
    expect(await exists(dir)).toBe(false);
  }, 120_000);

  it('profiles pod network setup command by command and removes its bridge', async () => {
    const before = (await run('ip', ['-o', 'link'])).stdout.match(/kbp[0-9a-f]{6}/g)?.length ?? 0;
    const p = await profileSandbox(2, '10.249.250.0/24');
    expect(p.setup.count).toBe(2);
    expect(p.holder.count).toBe(2);
    expect(p.commands.find((c) => c.phase === 'setup' && c.kind === 'ip -batch -')?.perOp).toBe(2);
    expect(p.commands.find((c) => c.phase === 'teardown' && c.kind === 'ip netns del')?.perOp).toBe(1);
    const after = (await run('ip', ['-o', 'link'])).stdout.match(/kbp[0-9a-f]{6}/g)?.length ?? 0;
    expect(after).toBe(before);
  }, 120_000);

  it('times the batched network alternative and leaves no bridge or netns of it', async () => {
    const p = await profileBatchedNetwork(2, '10.248.251.0/24');
    expect(p.setup.count).toBe(2);
    expect(p.teardown.count).toBe(2);
    expect((await run('ip', ['-o', 'link'])).stdout).not.toMatch(/kbq[0-9a-f]{6}/);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toMatch(/kbq-/);
  }, 60_000);
});
