// Unit tests of the cgroup v2 manager over a temp directory laid out like cgroupfs: this host's cgroup2 has no
// cpu/memory/pids controllers, so limit writes, stats parsing and OOM detection can only be checked this way here.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CgroupControllerMissingError } from './errors';
import { CgroupV2Manager } from './v2';

/** Lays out a fake cgroup dir with the interface files the kernel would create. */
async function fakeCgroup(dir: string, controllers: string, extra: Record<string, string> = {}): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const files: Record<string, string> = { 'cgroup.controllers': controllers, 'cgroup.subtree_control': '', 'cgroup.procs': '', ...extra };
  for (const [f, v] of Object.entries(files)) await fs.writeFile(path.join(dir, f), v);
}

describe('CgroupV2Manager (fake cgroupfs)', () => {
  let mount: string;
  let cg: CgroupV2Manager;
  const all = 'cpuset cpu io memory pids';
  const read = (p: string, f: string) => fs.readFile(path.join(mount, p, f), 'utf8');

  beforeEach(async () => {
    mount = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-cg2-'));
    cg = new CgroupV2Manager({ mount, root: 'keelson', delay: async () => undefined });
    await fakeCgroup(mount, all);
    for (const p of ['keelson', 'keelson/burstable', 'keelson/burstable/podu1']) await fakeCgroup(path.join(mount, p), all);
    await fakeCgroup(path.join(mount, 'keelson/burstable/podu1/c1'), all, { 'memory.swap.max': 'max' });
  });
  afterEach(async () => {
    await fs.rm(mount, { recursive: true, force: true });
  });

  it('enables the offered controllers in every ancestor and writes v2 limits converted from v1 units', async () => {
    await cg.create('keelson/burstable/podu1/c1', { cpuShares: 256, cpuQuotaUs: 50000, cpuPeriodUs: 100000, memoryLimitBytes: 64 << 20, pidsLimit: 50 });
    for (const p of ['', 'keelson', 'keelson/burstable', 'keelson/burstable/podu1']) {
      expect(await read(p, 'cgroup.subtree_control')).toBe('+cpuset +cpu +io +memory +pids');
    }
    expect(await read('keelson/burstable/podu1/c1', 'cgroup.subtree_control')).toBe(''); // the leaf holds processes
    const c1 = 'keelson/burstable/podu1/c1';
    expect(await read(c1, 'cpu.weight')).toBe('10');
    expect(await read(c1, 'cpu.max')).toBe('50000 100000');
    expect(await read(c1, 'memory.max')).toBe(String(64 << 20));
    expect(await read(c1, 'memory.swap.max')).toBe('0');
    expect(await read(c1, 'pids.max')).toBe('50');
  });

  it('writes "max" for removed limits', async () => {
    await cg.update('keelson/burstable/podu1/c1', { cpuQuotaUs: -1, memoryLimitBytes: -1, pidsLimit: -1 });
    expect(await read('keelson/burstable/podu1/c1', 'cpu.max')).toBe('max 100000');
    expect(await read('keelson/burstable/podu1/c1', 'memory.max')).toBe('max');
    expect(await read('keelson/burstable/podu1/c1', 'pids.max')).toBe('max');
  });

  it('refuses limits whose controller is not offered, naming the controllers', async () => {
    await fakeCgroup(path.join(mount, 'keelson/burstable/podu1/c2'), 'cpu');
    const err: unknown = await cg.update('keelson/burstable/podu1/c2', { cpuShares: 2, memoryLimitBytes: 1 << 20, pidsLimit: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CgroupControllerMissingError);
    expect((err as CgroupControllerMissingError).controllers).toEqual(['memory', 'pids']);
    await expect(fs.access(path.join(mount, 'keelson/burstable/podu1/c2/cpu.weight'))).rejects.toThrow(); // nothing half-applied
  });

  it('parses cpu.stat, memory.current/stat, pids.current and memory.events into stats', async () => {
    const c1 = path.join(mount, 'keelson/burstable/podu1/c1');
    await fs.writeFile(path.join(c1, 'cpu.stat'), 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n');
    await fs.writeFile(path.join(c1, 'memory.current'), '10485760\n');
    await fs.writeFile(path.join(c1, 'memory.stat'), 'anon 4194304\nfile 6291456\nactive_file 2097152\ninactive_file 4194304\n');
    await fs.writeFile(path.join(c1, 'pids.current'), '3\n');
    await fs.writeFile(path.join(c1, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n');
    expect(await cg.stats('keelson/burstable/podu1/c1')).toEqual({
      cpuUsageNanos: 1234567000,
      memoryUsageBytes: 10485760,
      memoryWorkingSetBytes: 6291456,
      memoryRssBytes: 4194304,
      pids: 3,
      oomKills: 0,
    });
    expect(await cg.oomKilled('keelson/burstable/podu1/c1')).toBe(false);
    await fs.writeFile(path.join(c1, 'memory.events'), 'low 0\nhigh 0\nmax 40\noom 2\noom_kill 1\n');
    expect(await cg.oomKilled('keelson/burstable/podu1/c1')).toBe(true);
  });

  it('counts pids from cgroup.procs (with descendants) when the pids controller is absent, and floors the working set', async () => {
    const pod = path.join(mount, 'keelson/burstable/podu1');
    await fs.writeFile(path.join(pod, 'c1', 'cgroup.procs'), '101\n102\n');
    await fakeCgroup(path.join(pod, 'c3'), '', { 'cgroup.procs': '103\n' });
    await fs.writeFile(path.join(pod, 'memory.current'), '100');
    await fs.writeFile(path.join(pod, 'memory.stat'), 'inactive_file 4096\n');
    const s = await cg.stats('keelson/burstable/podu1');
    expect(s.pids).toBe(3);
    expect(s.memoryWorkingSetBytes).toBe(0);
    expect(await cg.pids('keelson/burstable/podu1')).toEqual([101, 102, 103]);
  });
});
