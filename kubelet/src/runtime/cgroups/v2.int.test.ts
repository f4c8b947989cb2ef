// Integration test (root) of the cgroup v2 manager on a real cgroup2 hierarchy (a fresh mount of this host's cgroup2).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CgroupControllerMissingError } from './errors';
import { CgroupV2Manager } from './v2';

const root = `keelson-test-${randomBytes(4).toString('hex')}`;

describe('CgroupV2Manager on a real cgroup2 hierarchy (root)', () => {
  let mount: string;
  let cg: CgroupV2Manager;
  let offered: string[];
  let rootSubtreeBefore: string[];
  const children: ChildProcess[] = [];
  const words = async (file: string) => (await fs.readFile(file, 'utf8')).split(/\s+/).filter((s) => s !== '');

  beforeAll(async () => {
    mount = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-cgroup2-'));
    execFileSync('mount', ['-t', 'cgroup2', 'none', mount]);
    cg = new CgroupV2Manager({ mount, root });
    offered = await words(path.join(mount, 'cgroup.controllers'));
    rootSubtreeBefore = await words(path.join(mount, 'cgroup.subtree_control'));
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    try {
      await cg.destroy(root);
      // Put the hierarchy root's delegation back the way we found it.
      const added = (await words(path.join(mount, 'cgroup.subtree_control'))).filter((c) => !rootSubtreeBefore.includes(c));
      if (added.length > 0) await fs.writeFile(path.join(mount, 'cgroup.subtree_control'), added.map((c) => `-${c}`).join(' '));
    } finally {
      execFileSync('umount', [mount]);
      await fs.rmdir(mount);
    }
  });

  it('reports exactly the required controllers the hierarchy does not offer', async () => {
    expect(await cg.missingControllers()).toEqual(['cpu', 'memory', 'pids'].filter((c) => !offered.includes(c)));
  });

  it('creates the QoS tree and pod/container cgroups, delegating every offered controller down to the pod', async () => {
    await cg.ensureRoot();
    const pod = cg.podPath('u1', 'BestEffort');
    await cg.create(cg.containerPath(pod, 'c1'));
    for (const p of [root, `${root}/besteffort`, pod]) {
      expect(await fs.stat(path.join(mount, p)).then((s) => s.isDirectory())).toBe(true);
      expect((await words(path.join(mount, p, 'cgroup.subtree_control'))).sort()).toEqual([...offered].sort());
    }
    expect(await words(path.join(mount, pod, 'c1', 'cgroup.subtree_control'))).toEqual([]);
    expect(cg.paths(`${pod}/c1`)).toEqual([path.join(mount, pod, 'c1')]);
  });

  it('refuses limits for controllers the hierarchy does not offer, or applies them when it does', async () => {
    const c1 = `${cg.podPath('u1', 'BestEffort')}/c1`;
    if (offered.includes('memory')) {
      await cg.update(c1, { memoryLimitBytes: 32 << 20 });
      expect((await fs.readFile(path.join(mount, c1, 'memory.max'), 'utf8')).trim()).toBe(String(32 << 20));
    } else {
      await expect(cg.update(c1, { memoryLimitBytes: 32 << 20 })).rejects.toBeInstanceOf(CgroupControllerMissingError);
      await expect(cg.create(`${cg.podPath('u1', 'BestEffort')}/c2`, { memoryLimitBytes: 1 << 20 })).rejects.toThrow(/memory.*not available/);
    }
  });

  it('moves a process in, lists it, counts its CPU and pids, and destroy kills it and removes the tree', async () => {
    const pod = cg.podPath('u1', 'BestEffort');
    const c1 = `${pod}/c1`;
    const child = spawn('/bin/sh', ['-c', 'read _go; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 300'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    await cg.addProcess(c1, child.pid!);
    expect(await fs.readFile(`/proc/${child.pid}/cgroup`, 'utf8')).toContain(`0::/${c1}\n`);
    expect(await cg.pids(pod)).toEqual([child.pid]);
    child.stdin.end('\n');
    // Wait until the busy loop is over (the shell execs sleep), then cpu.stat has counted it.
    for (let i = 0; i < 100 && !(await fs.readFile(`/proc/${child.pid}/comm`, 'utf8')).startsWith('sleep'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = await cg.stats(pod);
    expect(s.pids).toBe(1);
    expect(s.cpuUsageNanos).toBeGreaterThan(10e6);
    await cg.destroy(pod);
    expect(await exited).toBe('SIGKILL');
    expect(await cg.exists(pod)).toBe(false);
    expect(await cg.exists(`${root}/besteffort`)).toBe(true);
    await cg.destroy(pod); // already gone
  });
});
