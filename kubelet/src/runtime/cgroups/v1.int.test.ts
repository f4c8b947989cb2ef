// Integration test (root) of the cgroup v1 manager on this host's real v1 hierarchies with real processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createCgroupManager, detectCgroupMounts } from './index';
import type { CgroupManager } from './manager';
import { resourcesFromKubernetes } from './resources';

const root = `keelson-test-${randomBytes(4).toString('hex')}`;
const MiB = 1024 * 1024;

const children: ChildProcess[] = [];
/** Spawns a shell that blocks on stdin, so it can be put into a cgroup before it does its work. */
function gated(script: string): { child: ChildProcess; go: () => void; exited: Promise<NodeJS.Signals | number | null>; stderr: () => string } {
  const child = spawn('/bin/sh', ['-c', `read _go; ${script}`], { stdio: ['pipe', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, go: () => child.stdin?.end('\n'), exited, stderr: () => stderr };
}
const read = async (file: string) => (await fs.readFile(file, 'utf8')).trim();
const v1dir = (controller: string, p: string) => path.join('/sys/fs/cgroup', controller, p);

describe('CgroupV1Manager on real v1 hierarchies (root)', () => {
  let cg: CgroupManager;
  let pod: string;
  let ctr: string;

  beforeAll(async () => {
    cg = await createCgroupManager({ root });
    await cg.ensureRoot();
    pod = cg.podPath('u1', 'Burstable');
    ctr = cg.containerPath(pod, 'c1');
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cg.destroy(root);
  });

  it('detects the host as hybrid and uses the v1 driver with every controller it needs', async () => {
    const mounts = await detectCgroupMounts();
    expect(mounts.mode).toBe('hybrid');
    expect(cg.mode).toBe('v1');
    expect(await cg.missingControllers()).toEqual([]);
    expect(pod).toBe(`${root}/burstable/podu1`);
    const dirs = cg.paths(ctr);
    for (const c of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'systemd', 'unified']) {
      expect(dirs).toContain(v1dir(c, ctr));
    }
    expect(await read(v1dir('cpu', `${root}/besteffort`) + '/cpu.shares')).toBe('2');
  });

  it('creates pod and container cgroups with the Kubernetes limits written to the control files', async () => {
    await cg.create(pod);
    const res = resourcesFromKubernetes({ cpuRequestMilli: 250, cpuLimitMilli: 500, memoryLimitBytes: 64 * MiB, pidsLimit: 50 });
    await cg.create(ctr, res);
    expect(await read(v1dir('cpu', ctr) + '/cpu.shares')).toBe('256');
    expect(await read(v1dir('cpu', ctr) + '/cpu.cfs_period_us')).toBe('100000');
    expect(await read(v1dir('cpu', ctr) + '/cpu.cfs_quota_us')).toBe('50000');
    expect(await read(v1dir('memory', ctr) + '/memory.limit_in_bytes')).toBe(String(64 * MiB));
    expect(await read(v1dir('memory', ctr) + '/memory.memsw.limit_in_bytes')).toBe(String(64 * MiB));
    expect(await read(v1dir('pids', ctr) + '/pids.max')).toBe('50');
    expect(await read(v1dir('cpuset', ctr) + '/cpuset.cpus')).toBe(await read('/sys/fs/cgroup/cpuset/cpuset.cpus'));
    // Shrinking and growing both work (memory and memory+swap limits are written in the order the kernel accepts).
    await cg.update(ctr, { memoryLimitBytes: 32 * MiB });
    expect(await read(v1dir('memory', ctr) + '/memory.memsw.limit_in_bytes')).toBe(String(32 * MiB));
    await cg.update(ctr, { memoryLimitBytes: 128 * MiB, pidsLimit: -1, cpuQuotaUs: -1 });
    expect(await read(v1dir('memory', ctr) + '/memory.limit_in_bytes')).toBe(String(128 * MiB));
    expect(await read(v1dir('pids', ctr) + '/pids.max')).toBe('max');
    expect(await read(v1dir('cpu', ctr) + '/cpu.cfs_quota_us')).toBe('-1');
  });

  it('puts a process into every hierarchy, enforces the CPU quota and reports its CPU and memory', async () => {
    await cg.update(ctr, { cpuQuotaUs: 20000, cpuPeriodUs: 100000 });
    // ~4 MB of shell string allocated after joining (so charged here), then spin.
    const busy = gated(`x=$(head -c 4000000 /dev/zero | tr '\\000' a); while :; do :; done`);
    await cg.addProcess(ctr, busy.child.pid!);
    const procCgroup = await fs.readFile(`/proc/${busy.child.pid}/cgroup`, 'utf8');
    for (const c of ['memory', 'pids', 'cpu', 'freezer', 'name=systemd']) expect(procCgroup).toMatch(new RegExp(`:${c}:/${ctr}\\n`));
    expect(await cg.pids(pod)).toContain(busy.child.pid);
    const before = await cg.stats(ctr);
    busy.go();
    await new Promise((r) => setTimeout(r, 1000));
    const after = await cg.stats(ctr);
    const burned = after.cpuUsageNanos - before.cpuUsageNanos;
    expect(burned).toBeGreaterThan(50e6); // it ran...
    expect(burned).toBeLessThan(450e6); // ...but at most ~20% of one CPU over a second (plus scheduling slack)
    expect(after.pids).toBe(1);
    expect(after.memoryUsageBytes).toBeGreaterThan(4e6);
    expect(after.memoryRssBytes).toBeGreaterThan(4e6);
    expect(after.memoryWorkingSetBytes).toBeLessThanOrEqual(after.memoryUsageBytes);
    expect(after.oomKills).toBe(0);
    const podStats = await cg.stats(pod);
    expect(podStats.cpuUsageNanos).toBeGreaterThanOrEqual(after.cpuUsageNanos);
    busy.child.kill('SIGKILL');
    await busy.exited;
  });

  it('detects an OOM kill of a memory-hungry process in a 16M cgroup', async () => {
    const hungry = cg.containerPath(pod, 'hungry');
    await cg.create(hungry, { memoryLimitBytes: 16 * MiB });
    const hog = gated('exec dd if=/dev/zero of=/dev/null bs=64M count=1');
    await cg.addProcess(hungry, hog.child.pid!);
    expect(await cg.oomKilled(hungry)).toBe(false);
    hog.go();
    expect(await hog.exited).toBe('SIGKILL');
    expect(await cg.oomKilled(hungry)).toBe(true);
    expect((await cg.stats(hungry)).oomKills).toBeGreaterThanOrEqual(1);
    expect(await cg.oomKilled(ctr)).toBe(false);
    await cg.destroy(hungry);
  });

  it('makes fork fail beyond the pids limit', async () => {
    const limited = cg.containerPath(pod, 'forky');
    await cg.create(limited, { pidsLimit: 3 });
    const forky = gated('for i in 1 2 3 4 5 6; do sleep 30 & done; wait');
    await cg.addProcess(limited, forky.child.pid!);
    forky.go();
    await new Promise((r) => setTimeout(r, 300));
    expect(forky.stderr()).toMatch(/fork/i); // dash: "Cannot fork", and it gives up
    const n = (await cg.stats(limited)).pids;
    expect(n).toBeGreaterThanOrEqual(2); // the two sleeps that fit (and the shell, if still there)
    expect(n).toBeLessThanOrEqual(3);
    await cg.destroy(limited);
    await forky.exited;
  });

  it('destroys a pod with a live process inside, leaving nothing in any hierarchy', async () => {
    const sleeper = gated('exec sleep 300');
    await cg.addProcess(ctr, sleeper.child.pid!);
    await cg.destroy(pod);
    expect(await sleeper.exited).toBe('SIGKILL');
    for (const dir of [...cg.paths(pod), ...cg.paths(ctr)]) await expect(fs.access(dir)).rejects.toThrow(/ENOENT/);
    expect(await cg.exists(pod)).toBe(false);
    await cg.destroy(pod); // already gone: fine
    await expect(cg.stats(pod)).rejects.toThrow(/does not exist/);
  });
});
