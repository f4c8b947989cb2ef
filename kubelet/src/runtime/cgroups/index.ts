// Public surface of the cgroup module: mode detection, the CgroupManager interface and its v1/v2 implementations.
import { detectCgroupMounts } from './mountinfo';
import type { CgroupManager } from './manager';
import type { Delay } from './files';
import { CgroupV1Manager } from './v1';
import { CgroupV2Manager } from './v2';

export { CgroupControllerMissingError, CgroupError } from './errors';
export { containerCgroupPath, podCgroupPath } from './manager';
export type { CgroupManager, CgroupStats, QosClass } from './manager';
export { detectCgroupMounts, parseCgroupMounts } from './mountinfo';
export type { CgroupMode, CgroupMounts } from './mountinfo';
export {
  cpuSharesToWeight,
  milliCpuToQuota,
  milliCpuToShares,
  resourcesFromKubernetes,
} from './resources';
export type { CgroupResources, KubernetesResources } from './resources';
export { CgroupV1Manager, V1_CONTROLLERS } from './v1';
export type { CgroupV1Options } from './v1';
export { CgroupV2Manager } from './v2';
export type { CgroupV2Options } from './v2';
export type { Delay } from './files';

export interface CgroupManagerOptions {
  /** Parent cgroup of everything we create (default "keelson"). */
  root?: string;
  /** Force a driver instead of detecting the host's mode. */
  mode?: 'v1' | 'v2';
  mountinfoPath?: string;
  delay?: Delay;
}

/** Picks the v2 manager on unified hosts and the v1 manager on v1 and hybrid hosts (as runc's IsCgroup2UnifiedMode). */
export async function createCgroupManager(options: CgroupManagerOptions = {}): Promise<CgroupManager> {
  const mounts = await detectCgroupMounts(options.mountinfoPath);
  const mode = options.mode ?? (mounts.mode === 'unified' ? 'v2' : 'v1');
  if (mode === 'v2') {
    if (mounts.unified === undefined) throw new Error('cgroup v2 requested but no cgroup2 filesystem is mounted');
    return new CgroupV2Manager({ mount: mounts.unified, root: options.root, delay: options.delay });
  }
  return new CgroupV1Manager({
    mounts: mounts.v1,
    unifiedMount: mounts.mode === 'hybrid' ? mounts.unified : undefined,
    root: options.root,
    delay: options.delay,
  });
}
