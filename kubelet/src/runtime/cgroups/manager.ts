// The CgroupManager interface shared by the v1 and v2 implementations, cgroup naming (parent/QoS/pod/container) and stats.
import type { CgroupResources } from './resources';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Usage of a cgroup (including its descendants), in the units the kubelet's summary API reports. */
export interface CgroupStats {
  /** Cumulative CPU time in nanoseconds (v1 cpuacct.usage; v2 cpu.stat usage_usec × 1000). */
  cpuUsageNanos: number;
  /** Memory charged to the cgroup, page cache included (v1 memory.usage_in_bytes; v2 memory.current). */
  memoryUsageBytes: number;
  /** usage − inactive file pages, floored at 0: what the kubelet compares with limits for eviction. */
  memoryWorkingSetBytes: number;
  /** Anonymous memory (v1 total_rss; v2 anon). */
  memoryRssBytes: number;
  /** Number of processes (pids.current, or counted from cgroup.procs when the pids controller is not available). */
  pids: number;
  /** OOM kills inside the cgroup (v1 memory.oom_control oom_kill; v2 memory.events oom_kill). */
  oomKills: number;
}

/**
 * Creates, configures, measures and removes cgroups. Paths are relative to the hierarchy root, e.g.
 * "keelson/burstable/pod<uid>/<containerId>"; see podPath/containerPath.
 */
export interface CgroupManager {
  readonly mode: 'v1' | 'v2';
  /** The parent of all our cgroups (like the kubelet's "kubepods"). */
  readonly root: string;
  /** Controllers we would use but cannot (not mounted / not delegated); resources needing them are refused. */
  missingControllers(): Promise<string[]>;
  /** Creates the parent and its QoS subtrees (besteffort with minimum CPU weight, burstable). Idempotent. */
  ensureRoot(): Promise<void>;
  podPath(podUid: string, qos: QosClass): string;
  containerPath(podPath: string, containerId: string): string;
  /** Creates the cgroup (and missing ancestors) and applies resources. Idempotent. */
  create(path: string, resources?: CgroupResources): Promise<void>;
  /** Applies resources to an existing cgroup. */
  update(path: string, resources: CgroupResources): Promise<void>;
  /** Absolute directories a process must join (write its pid to cgroup.procs): v1 one per hierarchy, v2 one. */
  paths(path: string): string[];
  exists(path: string): Promise<boolean>;
  /** Moves a process into the cgroup (every hierarchy on v1). */
  addProcess(path: string, pid: number): Promise<void>;
  /** Pids directly in the cgroup and its descendants. */
  pids(path: string): Promise<number[]>;
  stats(path: string): Promise<CgroupStats>;
  /** True when the kernel OOM killer has killed a process in the cgroup. */
  oomKilled(path: string): Promise<boolean>;
  /** Kills every process left, then removes the cgroup and its descendants. Succeeds when already gone. */
  destroy(path: string): Promise<void>;
}

/** The kubelet's layout: Guaranteed pods directly under the parent, the others under burstable/ or besteffort/. */
export function podCgroupPath(root: string, podUid: string, qos: QosClass): string {
  if (!/^[A-Za-z0-9_-]+$/.test(podUid)) throw new RangeError(`invalid pod uid "${podUid}"`);
  const name = `pod${podUid}`;
  return qos === 'Guaranteed' ? `${root}/${name}` : `${root}/${qos.toLowerCase()}/${name}`;
}

export function containerCgroupPath(podPath: string, containerId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(containerId) || containerId.startsWith('.')) throw new RangeError(`invalid container id "${containerId}"`);
  return `${podPath}/${containerId}`;
}

/** Rejects absolute paths and "..": every cgroup we touch lives below the hierarchy root. */
export function cleanCgroupPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.some((s) => s === '..')) throw new RangeError(`invalid cgroup path "${p}"`);
  return parts.join('/');
}

export function hasLimits(r: CgroupResources | undefined): r is CgroupResources {
  return r !== undefined && Object.values(r).some((v) => v !== undefined);
}
