// cgroup v1 (and hybrid) manager: one directory per controller hierarchy, limits via cpu/memory/pids, freezer-based destroy.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CgroupControllerMissingError, CgroupError } from './errors';
import {
  type Delay,
  exists,
  isErrno,
  killPids,
  parseKeyValues,
  readNumber,
  readOptional,
  readProcs,
  realDelay,
  rmdirRetry,
  walkPostOrder,
  writeControl,
} from './files';
import { type CgroupManager, type CgroupStats, type QosClass, cleanCgroupPath, containerCgroupPath, hasLimits, podCgroupPath } from './manager';
import { MIN_SHARES, QUOTA_PERIOD_US, type CgroupResources } from './resources';

/** Hierarchies a container joins, as runc does (blkio/hugetlb/net_cls etc. are left to the parent's defaults). */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'name=systemd'] as const;
/** The controllers limits and stats need; the others are joined when mounted. */
const REQUIRED = ['cpu', 'cpuacct', 'memory', 'pids'];

export interface CgroupV1Options {
  /** Controller → mount point (from parseCgroupMounts). */
  mounts: ReadonlyMap<string, string>;
  /** On hybrid hosts, the controller-less cgroup2 mount: joined too (as runc does) so systemd-style tracking works. */
  unifiedMount?: string;
  /** Parent cgroup of everything we create (default "keelson"). */
  root?: string;
  delay?: Delay;
}

export class CgroupV1Manager implements CgroupManager {
  readonly mode = 'v1' as const;
  readonly root: string;
  private readonly delay: Delay;
  /** controller → mount point, only for the controllers we use and that are mounted. */
  private readonly hierarchies = new Map<string, string>();

  constructor(private readonly options: CgroupV1Options) {
    this.root = cleanCgroupPath(options.root ?? 'keelson');
    this.delay = options.delay ?? realDelay;
    for (const c of V1_CONTROLLERS) {
      const m = options.mounts.get(c);
      if (m !== undefined) this.hierarchies.set(c, m);
    }
  }

  async missingControllers(): Promise<string[]> {
    return REQUIRED.filter((c) => !this.hierarchies.has(c));
  }

  podPath(podUid: string, qos: QosClass): string {
    return podCgroupPath(this.root, podUid, qos);
  }

  containerPath(podPath: string, containerId: string): string {
    return containerCgroupPath(podPath, containerId);
  }

  async ensureRoot(): Promise<void> {
    await this.create(this.root);
    await this.create(`${this.root}/burstable`);
    // Like the kubelet's QoS container manager: best-effort pods share the minimum CPU weight.
    await this.create(`${this.root}/besteffort`, { cpuShares: MIN_SHARES });
  }

  paths(p: string): string[] {
    const rel = cleanCgroupPath(p);
    const dirs = new Set<string>();
    for (const mount of this.hierarchies.values()) dirs.add(path.join(mount, rel));
    if (this.options.unifiedMount !== undefined) dirs.add(path.join(this.options.unifiedMount, rel));
    return [...dirs];
  }

  async exists(p: string): Promise<boolean> {
    const dir = this.dir('memory', p) ?? this.paths(p)[0];
    return dir !== undefined && exists(dir);
  }

  async create(p: string, resources?: CgroupResources): Promise<void> {
    const rel = cleanCgroupPath(p);
    if (hasLimits(resources)) this.requireFor(rel, resources);
    try {
      await Promise.all(this.paths(rel).map((dir) => fs.mkdir(dir, { recursive: true })));
      const cpuset = this.hierarchies.get('cpuset');
      if (cpuset !== undefined) await this.initCpuset(cpuset, rel);
    } catch (err: unknown) {
      throw new CgroupError(rel, `create: ${errorText(err)}`, { cause: err });
    }
    if (hasLimits(resources)) await this.update(rel, resources);
  }

  async update(p: string, r: CgroupResources): Promise<void> {
    const rel = cleanCgroupPath(p);
    this.requireFor(rel, r);
    try {
      const cpu = this.dir('cpu', rel);
      if (cpu !== undefined) {
        if (r.cpuShares !== undefined) await writeControl(cpu, 'cpu.shares', String(r.cpuShares));
        if (r.cpuQuotaUs !== undefined || r.cpuPeriodUs !== undefined) {
          const quota = r.cpuQuotaUs !== undefined && r.cpuQuotaUs > 0 ? r.cpuQuotaUs : -1;
          await writeControl(cpu, 'cpu.cfs_period_us', String(r.cpuPeriodUs ?? QUOTA_PERIOD_US));
          await writeControl(cpu, 'cpu.cfs_quota_us', String(quota));
        }
      }
      const memory = this.dir('memory', rel);
      if (memory !== undefined && r.memoryLimitBytes !== undefined) await this.setMemory(memory, r.memoryLimitBytes);
      const pids = this.dir('pids', rel);
      if (pids !== undefined && r.pidsLimit !== undefined) {
        await writeControl(pids, 'pids.max', r.pidsLimit > 0 ? String(r.pidsLimit) : 'max');
      }
    } catch (err: unknown) {
      throw new CgroupError(rel, `update: ${errorText(err)}`, { cause: err });
    }
  }

  async addProcess(p: string, pid: number): Promise<void> {
    const rel = cleanCgroupPath(p);
    for (const dir of this.paths(rel)) {
      try {
        await writeControl(dir, 'cgroup.procs', String(pid));
      } catch (err: unknown) {
        throw new CgroupError(rel, `add pid ${pid} to ${dir}: ${errorText(err)}`, { cause: err });
      }
    }
  }

  async pids(p: string): Promise<number[]> {
    const dir = this.dir('pids', p) ?? this.dir('memory', p) ?? this.paths(p)[0];
    if (dir === undefined) return [];
    const all = new Set<number>();
    for (const d of await walkPostOrder(dir)) for (const pid of await readProcs(d)) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  async stats(p: string): Promise<CgroupStats> {
    const rel = cleanCgroupPath(p);
    const cpuacct = this.dir('cpuacct', rel);
    const memory = this.dir('memory', rel);
    const pidsDir = this.dir('pids', rel);
    if (memory !== undefined && !(await exists(memory))) throw new CgroupError(rel, 'stats: cgroup does not exist');
    const usage = memory !== undefined ? ((await readNumber(path.join(memory, 'memory.usage_in_bytes'))) ?? 0) : 0;
    const stat = parseKeyValues(memory !== undefined ? await readOptional(path.join(memory, 'memory.stat')) : undefined);
    const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
    const pidsCurrent = pidsDir !== undefined ? await readNumber(path.join(pidsDir, 'pids.current')) : undefined;
    return {
      cpuUsageNanos: cpuacct !== undefined ? ((await readNumber(path.join(cpuacct, 'cpuacct.usage'))) ?? 0) : 0,
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: Math.max(0, usage - inactiveFile),
      memoryRssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
      pids: pidsCurrent ?? (await this.pids(rel)).length,
      oomKills: await this.oomKills(rel),
    };
  }

  async oomKilled(p: string): Promise<boolean> {
    return (await this.oomKills(cleanCgroupPath(p))) > 0;
  }

  /**
   * Freezes the cgroup (so nothing forks while we kill), SIGKILLs every process in every hierarchy, thaws so the
   * signals are delivered, waits for the cgroups to empty and removes them deepest first.
   */
  async destroy(p: string): Promise<void> {
    const rel = cleanCgroupPath(p);
    const freezer = this.dir('freezer', rel);
    try {
      const frozen = freezer !== undefined && (await exists(freezer)) && (await this.freeze(freezer, 'FROZEN'));
      for (let round = 0; round < 50; round++) {
        let alive = 0;
        for (const dir of this.paths(rel)) {
          for (const d of await walkPostOrder(dir)) {
            const pids = await readProcs(d);
            alive += pids.length;
            killPids(pids);
          }
        }
        if (round === 0 && frozen && freezer !== undefined) await this.freeze(freezer, 'THAWED');
        if (alive === 0) break;
        await this.delay(Math.min(5 * 2 ** round, 100));
      }
      for (const dir of this.paths(rel)) for (const d of await walkPostOrder(dir)) await rmdirRetry(d, this.delay);
    } catch (err: unknown) {
      throw new CgroupError(rel, `destroy: ${errorText(err)}`, { cause: err });
    }
  }

  private async oomKills(rel: string): Promise<number> {
    const memory = this.dir('memory', rel);
    if (memory === undefined) return 0;
    // oom_kill (kernel ≥ 4.13) counts kills in this cgroup and below; older kernels only expose under_oom.
    const ctl = parseKeyValues(await readOptional(path.join(memory, 'memory.oom_control')));
    return ctl.get('oom_kill') ?? ctl.get('under_oom') ?? 0;
  }

  /** Writes freezer.state and waits for it to settle; false when the freezer cannot be used. */
  private async freeze(dir: string, state: 'FROZEN' | 'THAWED'): Promise<boolean> {
    try {
      await writeControl(dir, 'freezer.state', state);
    } catch (err: unknown) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
    for (let i = 0; i < 100; i++) {
      const now = (await readOptional(path.join(dir, 'freezer.state')))?.trim();
      if (now === undefined || now === state) return true;
      // FREEZING can stick when a task is in an uninterruptible sleep; re-writing the state retries.
      if (state === 'FROZEN' && i % 10 === 9) await writeControl(dir, 'freezer.state', state);
      await this.delay(Math.min(1 + i, 20));
    }
    return true; // a freezer stuck in FREEZING still lets the kill loop below make progress
  }

  /**
   * Limits memory and swap together (kubelet with swap off: memory+swap = memory). The kernel requires
   * limit ≤ memsw limit at every step, so raise memsw first when growing and lower limit first when shrinking.
   */
  private async setMemory(dir: string, bytes: number): Promise<void> {
    const value = bytes > 0 ? bytes : -1;
    const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
    const hasSwapAccounting = await exists(memsw);
    if (!hasSwapAccounting) {
      await writeControl(dir, 'memory.limit_in_bytes', String(value));
      return;
    }
    const currentMemsw = (await readNumber(memsw)) ?? Infinity;
    if (value === -1 || value > currentMemsw) {
      await writeControl(dir, 'memory.memsw.limit_in_bytes', String(value));
      await writeControl(dir, 'memory.limit_in_bytes', String(value));
    } else {
      await writeControl(dir, 'memory.limit_in_bytes', String(value));
      await writeControl(dir, 'memory.memsw.limit_in_bytes', String(value));
    }
  }

  /** A new cpuset cgroup starts with empty cpus/mems and refuses tasks: copy them down from the parent, top first. */
  private async initCpuset(mount: string, rel: string): Promise<void> {
    let dir = mount;
    for (const part of rel.split('/')) {
      const parent = dir;
      dir = path.join(dir, part);
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const own = (await readOptional(path.join(dir, f)))?.trim();
        if (own === '') {
          const inherited = (await readOptional(path.join(parent, f)))?.trim();
          if (inherited) await writeControl(dir, f, inherited);
        }
      }
    }
  }

  private requireFor(rel: string, r: CgroupResources): void {
    const need: string[] = [];
    if (r.cpuShares !== undefined || r.cpuQuotaUs !== undefined || r.cpuPeriodUs !== undefined) need.push('cpu');
    if (r.memoryLimitBytes !== undefined) need.push('memory');
    if (r.pidsLimit !== undefined) need.push('pids');
    const missing = need.filter((c) => !this.hierarchies.has(c));
    if (missing.length > 0) throw new CgroupControllerMissingError(rel, missing, 'v1');
  }

  private dir(controller: string, p: string): string | undefined {
    const mount = this.hierarchies.get(controller);
    return mount === undefined ? undefined : path.join(mount, cleanCgroupPath(p));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
