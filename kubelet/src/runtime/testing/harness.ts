// Integration-test harness for the native helper: launches sandboxes/containers with defaults and tears everything down.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { detectCgroupMounts } from '../cgroups/mountinfo';
import { NativeHelper, parseCriLog, type NativeHelperOptions, type ContainerLaunch, type CriLogLine, type ExitInfo } from '../helper';
import { makeContainerDirs, sharedBusyboxLayer, type ContainerDirs } from './rootfs';

const run = promisify(execFile);

export const randomSuffix = (): string => randomBytes(4).toString('hex');

export interface StartedContainer {
  pid: number;
  dirs: ContainerDirs;
  launch: ContainerLaunch;
}

export interface StartedSandbox {
  pid: number;
  stateDir: string;
  hostname: string;
  netns: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signalQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Tracks what a test file creates so afterEach/afterAll can remove it even when a test failed. */
export class HelperHarness {
  readonly helper: NativeHelper;
  private readonly pids: number[] = [];
  private readonly dirs: string[] = [];
  private readonly cgroups: string[] = [];
  private readonly netns: string[] = [];

  constructor(options: NativeHelperOptions = {}) {
    this.helper = new NativeHelper(options);
  }

  /** A container launch over the shared busybox layer, in fresh directories. */
  async launch(over: Partial<ContainerLaunch> = {}): Promise<{ launch: ContainerLaunch; dirs: ContainerDirs }> {
    const lower = await sharedBusyboxLayer();
    const dirs = await makeContainerDirs();
    this.dirs.push(dirs.base);
    const launch: ContainerLaunch = {
      id: `t-${randomSuffix()}`,
      stateDir: dirs.state,
      lower: [lower],
      upper: dirs.upper,
      work: dirs.work,
      rootfs: dirs.rootfs,
      readonlyRootfs: false,
      args: ['true'],
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      uid: 0,
      gid: 0,
      groups: [],
      nsNet: '',
      nsIpc: '',
      nsUts: '',
      cgroups: [],
      mounts: [],
      capAdd: [],
      capDrop: [],
      privileged: false,
      noNewPrivs: true,
      seccomp: 'default',
      logPath: dirs.log,
      tty: false,
      stdin: false,
      ...over,
    };
    return { launch, dirs };
  }

  async start(over: Partial<ContainerLaunch> = {}): Promise<StartedContainer> {
    const { launch, dirs } = await this.launch(over);
    const pid = await this.helper.run(launch);
    this.pids.push(pid);
    return { pid, dirs, launch };
  }

  /** Runs a container to its end; returns its exit record and log. */
  async runToExit(over: Partial<ContainerLaunch> = {}, timeoutMs = 20000): Promise<{ exit: ExitInfo; log: CriLogLine[]; c: StartedContainer }> {
    const c = await this.start(over);
    const exit = await this.helper.waitExit(c.dirs.state, timeoutMs);
    return { exit, log: await this.log(c), c };
  }

  async log(c: StartedContainer): Promise<CriLogLine[]> {
    return parseCriLog(await readFile(c.dirs.log, 'utf8').catch(() => ''));
  }

  /** stdout lines of a finished container. */
  static out(log: CriLogLine[], stream: 'stdout' | 'stderr' = 'stdout'): string[] {
    return log.filter((l) => l.stream === stream).map((l) => l.content);
  }

  /** A named network namespace (ip netns add), deleted at cleanup. */
  async makeNetns(): Promise<string> {
    const name = `keelson-test-${randomSuffix()}`;
    await run('ip', ['netns', 'add', name]);
    this.netns.push(name);
    return `/run/netns/${name}`;
  }

  async sandbox(opts: { sharePid?: boolean; cgroups?: string[] } = {}): Promise<StartedSandbox> {
    const netns = await this.makeNetns();
    const dirs = await makeContainerDirs('keelson-sb-');
    this.dirs.push(dirs.base);
    const hostname = `pod-${randomSuffix()}`;
    const pid = await this.helper.sandbox({ id: `sb-${randomSuffix()}`, stateDir: dirs.state, hostname, netnsPath: netns, sharePid: opts.sharePid ?? false, cgroups: opts.cgroups ?? [] });
    this.pids.push(pid);
    return { pid, stateDir: dirs.state, hostname, netns };
  }

  /** The ns keys of a container joining a sandbox. */
  static joining(sb: StartedSandbox, sharePid = false): Partial<ContainerLaunch> {
    return {
      nsNet: `/proc/${sb.pid}/ns/net`,
      nsIpc: `/proc/${sb.pid}/ns/ipc`,
      nsUts: `/proc/${sb.pid}/ns/uts`,
      ...(sharePid ? { nsPid: `/proc/${sb.pid}/ns/pid` } : {}),
    };
  }

  /** A v1 cgroup directory under the given controller, removed at cleanup. */
  async makeCgroupV1(controller: string, files: Record<string, string> = {}): Promise<string> {
    const dir = `/sys/fs/cgroup/${controller}/keelson-test-${randomSuffix()}`;
    await mkdir(dir);
    this.cgroups.push(dir);
    for (const [f, v] of Object.entries(files)) await writeFile(path.join(dir, f), v);
    return dir;
  }

  /** A fresh cgroup in the host's cgroup2 hierarchy (its own on unified hosts, the controller-less one on hybrid). */
  async makeCgroupV2(): Promise<string> {
    const { unified } = await detectCgroupMounts();
    if (unified === undefined) throw new Error('no cgroup2 hierarchy is mounted on this host');
    const dir = path.join(unified, `keelson-test-${randomSuffix()}`);
    await mkdir(dir);
    this.cgroups.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const pid of this.pids.splice(0)) signalQuietly(pid, 'SIGKILL');
    // Give monitors a moment to record the exits and the kernel to empty the cgroups.
    for (const dir of this.cgroups.splice(0)) {
      for (let i = 0; ; i++) {
        try {
          await rmdir(dir);
          break;
        } catch (e: unknown) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          if (i >= 50) throw e;
          await sleep(50);
        }
      }
    }
    for (const name of this.netns.splice(0)) await run('ip', ['netns', 'del', name]);
    await sleep(50);
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true });
  }
}

/** True when `needle` is mentioned in this process's mountinfo. */
export async function hostMountsMention(needle: string): Promise<boolean> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).includes(needle);
}
