// What the shim's Runtime needs from the node: the native helper, cgroups, pod networking and the image store, as small interfaces.
import type { ChildProcess } from 'node:child_process';

// The launch descriptions are the native helper's own (kubelet/native/README.md is their contract).
export type { SandboxLaunch, ContainerLaunch, ExecLaunch, MountSpec as BindMount, ExitInfo } from '../runtime/helper';
import type { SandboxLaunch, ContainerLaunch, ExecLaunch, ExitInfo } from '../runtime/helper';

export interface ContainerHelper {
  /** Starts a sandbox holder; resolves with its host pid once it is set up. */
  sandbox(launch: SandboxLaunch): Promise<number>;
  /** Starts a container under its own monitor; resolves with its host pid once it has exec'd. */
  run(launch: ContainerLaunch): Promise<number>;
  /** The exit record in `stateDir`, or undefined while it runs. */
  exit(stateDir: string): Promise<ExitInfo | undefined>;
  /** The monitor's pid (for SIGUSR1 log reopening), or undefined. */
  monitorPid(stateDir: string): Promise<number | undefined>;
  /** Spawns a command inside a running container: stdio pipes 0-2, and fd 3 for `COLS ROWS` resize lines when tty. */
  exec(launch: ExecLaunch): ChildProcess;
}

export interface CgroupResources {
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimit?: number;
  pidsLimit?: number;
}

export interface CgroupStats {
  cpuUsageNanos: number;
  memoryUsage: number;
  workingSet: number;
  rss: number;
  pids: number;
}

export interface Cgroups {
  /** Creates (or updates) the cgroup at `path` (relative to the shim's root) and returns the directories a process joins. */
  ensure(path: string, resources: CgroupResources): Promise<string[]>;
  destroy(path: string): Promise<void>;
  stats(path: string): Promise<CgroupStats>;
  oomKilled(path: string): Promise<boolean>;
}

export interface PortMapping {
  protocol: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostPort: number;
  hostIP: string;
}

export interface PodNetwork {
  /** Sets the node's pod CIDR (bridge address, IP range); pods cannot get a network before. */
  configure(podCIDR: string): Promise<void>;
  /** Undefined when configured and usable, else why not. */
  notReady(): string | undefined;
  /** Creates the sandbox's network namespace, interface, IP and port mappings. */
  setup(id: string, ports: PortMapping[]): Promise<{ netnsPath: string; ip: string }>;
  /** Routes the other nodes' pod CIDRs via their addresses, removing routes to nodes gone. */
  setRoutes(routes: { podCIDR: string; nodeIP: string }[]): Promise<void>;
  /** Undoes setup; safe when half done or already done. */
  teardown(id: string): Promise<void>;
}

export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

export interface ResolvedImage {
  id: string;
  /** The canonical reference it resolved through. */
  ref: string;
  config: ImageConfig;
  layerDirs: string[];
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid?: number;
  username: string;
}

export interface Images {
  resolve(ref: string): Promise<ResolvedImage>;
  list(): Promise<ImageInfo[]>;
  status(ref: string): Promise<ImageInfo | undefined>;
  pull(ref: string, auth?: { username?: string; password?: string; token?: string }): Promise<string>;
  remove(ref: string): Promise<void>;
  importArchive(file: string): Promise<ImageInfo[]>;
}
