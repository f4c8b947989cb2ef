// cgroup v2 (unified) manager: one directory per cgroup, controllers enabled down the tree, cgroup.kill-based destroy.
//
// Test coverage note: on the development/CI hosts the cpu, memory and pids controllers are bound to v1 hierarchies, so
// the cgroup2 hierarchy there offers none of them. Creation, subtree_control delegation (of whatever the host offers),
// membership, pid listing, missing-controller errors and destroy (cgroup.kill, freeze) are tested on that real
// hierarchy (v2.int.test.ts); limit writes (cpu.weight, cpu.max, memory.max, memory.swap.max, pids.max), stats
// parsing and OOM detection are only unit-tested over a temp directory laid out like cgroupfs (v2.test.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CgroupControllerMissingError, CgroupError } from './errors';
import { type Delay, exists, isErrno, killPids, parseKeyValues, readNumber, readOptional, readProcs, realDelay, rmdirRetry, walkPostOrder, writeControl } from './files';
import { type CgroupManager, type CgroupStats, type QosClass, cleanCgroupPath, containerCgroupPath, hasLimits, podCgroupPath } from './manager';
import { MIN_SHARES, QUOTA_PERIOD_US, cpuSharesToWeight, type CgroupResources } from './resources';

/** Controllers our limits and stats use. */
const REQUIRED = ['cpu', 'memory', 'pids'];

export interface CgroupV2Options {
  /** Mount point of the cgroup2 hierarchy (/sys/fs/cgroup on unified hosts). */
  mount: string;
  /** Parent cgroup of everything we create (default "keelson"). */
  root?: string;
  delay?: Delay;
}

export class CgroupV2Manager implements CgroupManager {
  readonly mode = 'v2' as const;
  readonly root: string;
  private readonly delay: Delay;

  constructor(private readonly options: CgroupV2Options) {
    this.root = cleanCgroupPath(options.root ?? 'keelson');
    this.delay = options.delay ?? realDelay;
  }

  /** Required controllers the hierarchy does not offer at the root of our subtree. */
  async missingControllers(): Promise<string[]> {
    const available = await this.controllersAt(this.options.mount);
    return REQUIRED.filter((c) => !available.has(c));
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
    const be = `${this.root}/besteffort`;
    await this.create(be);
    // Minimum weight for best-effort pods, when the cpu controller is delegated at all.
    if ((await this.controllersAt(this.dir(be))).has('cpu')) await this.update(be, { cpuShares: MIN_SHARES });
  }

  paths(p: string): string[] {
    return [this.dir(p)];
  }

  async exists(p: string): Promise<boolean> {
    return exists(this.dir(p));
  }

  /**
   * Creates each missing level, first enabling in every ancestor's cgroup.subtree_control all the controllers its
   * cgroup.controllers offers (as runc and the kubelet do), so the new cgroup gets the cpu/memory/pids interface files.
   * The leaf's own subtree_control is left empty: a v2 cgroup with processes cannot delegate ("no internal processes").
   */
  async create(p: string, resources?: CgroupResources): Promise<void> {
    const rel = cleanCgroupPath(p);
    try {
      let dir = this.options.mount;
      for (const part of rel.split('/')) {
        await this.enableSubtreeControllers(dir);
        dir = path.join(dir, part);
        try {
          await fs.mkdir(dir);
        } catch (err: unknown) {
          if (!isErrno(err, 'EEXIST')) throw err;
        }
      }
    } catch (err: unknown) {
      throw new CgroupError(rel, `create: ${errorText(err)}`, { cause: err });
    }
    if (hasLimits(resources)) await this.update(rel, resources);
  }

  async update(p: string, r: CgroupResources): Promise<void> {
    const rel = cleanCgroupPath(p);
    const dir = this.dir(rel);
    const available = await this.controllersAt(dir);
    const need: string[] = [];
    if (r.cpuShares !== undefined || r.cpuQuotaUs !== undefined || r.cpuPeriodUs !== undefined) need.push('cpu');
    if (r.memoryLimitBytes !== undefined) need.push('memory');
    if (r.pidsLimit !== undefined) need.push('pids');
    const missing = need.filter((c) => !available.has(c));
    if (missing.length > 0) throw new CgroupControllerMissingError(rel, missing, 'v2');
    try {
      if (r.cpuShares !== undefined) await writeControl(dir, 'cpu.weight', String(cpuSharesToWeight(r.cpuShares)));
      if (r.cpuQuotaUs !== undefined || r.cpuPeriodUs !== undefined) {
        const quota = r.cpuQuotaUs !== undefined && r.cpuQuotaUs > 0 ? String(r.cpuQuotaUs) : 'max';
        await writeControl(dir, 'cpu.max', `${quota} ${r.cpuPeriodUs ?? QUOTA_PERIOD_US}`);
      }
      if (r.memoryLimitBytes !== undefined) {
        await writeControl(dir, 'memory.max', r.memoryLimitBytes > 0 ? String(r.memoryLimitBytes) : 'max');
        // The kubelet's NoSwap behaviour: containers never swap (the file exists only with swap accounting).
        if (await exists(path.join(dir, 'memory.swap.max'))) await writeControl(dir, 'memory.swap.max', '0');
      }
      if (r.pidsLimit !== undefined) await writeControl(dir, 'pids.max', r.pidsLimit > 0 ? String(r.pidsLimit) : 'max');
    } catch (err: unknown) {
      throw new CgroupError(rel, `update: ${errorText(err)}`, { cause: err });
    }
  }

  async addProcess(p: string, pid: number): Promise<void> {
    const rel = cleanCgroupPath(p);
    try {
      await writeControl(this.dir(rel), 'cgroup.procs', String(pid));
    } catch (err: unknown) {
      throw new CgroupError(rel, `add pid ${pid}: ${errorText(err)}`, { cause: err });
    }
  }

  async pids(p: string): Promise<number[]> {
    const all = new Set<number>();
    for (const d of await walkPostOrder(this.dir(p))) for (const pid of await readProcs(d)) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  async stats(p: string): Promise<CgroupStats> {
    const rel = cleanCgroupPath(p);
    const dir = this.dir(rel);
    if (!(await exists(dir))) throw new CgroupError(rel, 'stats: cgroup does not exist');
    const cpu = parseKeyValues(await readOptional(path.join(dir, 'cpu.stat')));
    const usage = (await readNumber(path.join(dir, 'memory.current'))) ?? 0;
    const mem = parseKeyValues(await readOptional(path.join(dir, 'memory.stat')));
    const pidsCurrent = await readNumber(path.join(dir, 'pids.current'));
    return {
      // cpu.stat's usage_usec is there even without the cpu controller (core accounting).
      cpuUsageNanos: (cpu.get('usage_usec') ?? 0) * 1000,
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: Math.max(0, usage - (mem.get('inactive_file') ?? 0)),
      memoryRssBytes: mem.get('anon') ?? 0,
      pids: pidsCurrent ?? (await this.pids(rel)).length,
      oomKills: await this.oomKills(dir),
    };
  }

  async oomKilled(p: string): Promise<boolean> {
    return (await this.oomKills(this.dir(p))) > 0;
  }

  /**
   * cgroup.kill (Linux ≥ 5.14) SIGKILLs the whole subtree atomically; older kernels: freeze, kill every pid, thaw.
   * Then waits for the subtree to empty and removes it deepest first.
   */
  async destroy(p: string): Promise<void> {
    const rel = cleanCgroupPath(p);
    const dir = this.dir(rel);
    try {
      if (!(await exists(dir))) return;
      const viaKillFile = await this.tryWrite(dir, 'cgroup.kill', '1');
      const frozen = !viaKillFile && (await this.tryWrite(dir, 'cgroup.freeze', '1'));
      for (let round = 0; round < 50; round++) {
        let alive = 0;
        for (const d of await walkPostOrder(dir)) {
          const pids = await readProcs(d);
          alive += pids.length;
          killPids(pids);
        }
        if (round === 0 && frozen) await this.tryWrite(dir, 'cgroup.freeze', '0');
        if (alive === 0) break;
        await this.delay(Math.min(5 * 2 ** round, 100));
      }
      for (const d of await walkPostOrder(dir)) await rmdirRetry(d, this.delay);
    } catch (err: unknown) {
      throw new CgroupError(rel, `destroy: ${errorText(err)}`, { cause: err });
    }
  }

  private async oomKills(dir: string): Promise<number> {
    // memory.events is hierarchical (unless mounted with memory_localevents): kills in descendants count too.
    return parseKeyValues(await readOptional(path.join(dir, 'memory.events'))).get('oom_kill') ?? 0;
  }

  private async controllersAt(dir: string): Promise<Set<string>> {
    const text = await readOptional(path.join(dir, 'cgroup.controllers'));
    return new Set((text ?? '').split(/\s+/).filter((s) => s !== ''));
  }

  private async enableSubtreeControllers(dir: string): Promise<void> {
    const available = await this.controllersAt(dir);
    const enabled = new Set(((await readOptional(path.join(dir, 'cgroup.subtree_control'))) ?? '').split(/\s+/).filter((s) => s !== ''));
    const toEnable = [...available].filter((c) => !enabled.has(c));
    if (toEnable.length === 0) return;
    await writeControl(dir, 'cgroup.subtree_control', toEnable.map((c) => `+${c}`).join(' '));
  }

  /** Writes an interface file only if the kernel offers it (writeFile would otherwise try to create it). */
  private async tryWrite(dir: string, file: string, value: string): Promise<boolean> {
    if (!(await exists(path.join(dir, file)))) return false;
    try {
      await writeControl(dir, file, value);
      return true;
    } catch (err: unknown) {
      if (isErrno(err, 'ENOENT', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP')) return false;
      throw err;
    }
  }

  private dir(p: string): string {
    return path.join(this.options.mount, cleanCgroupPath(p));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
