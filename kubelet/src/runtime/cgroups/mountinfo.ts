// Detects the cgroup mode (v1, hybrid, unified v2) and the cgroup mount points from /proc/self/mountinfo.
import { promises as fs } from 'node:fs';

export type CgroupMode = 'v1' | 'hybrid' | 'unified';

export interface CgroupMounts {
  /** v1: only v1 hierarchies; hybrid: v1 controllers plus a controller-less cgroup2 (systemd's layout); unified: only v2. */
  mode: CgroupMode;
  /** v1 controller (or "name=systemd") → mount point of its hierarchy. Co-mounted controllers share a mount point. */
  v1: Map<string, string>;
  /** Mount point of the cgroup2 hierarchy, if mounted. */
  unified: string | undefined;
}

/** Decodes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Parses mountinfo text. Line format (proc(5)): id parent major:minor root mountpoint options [optional...] - fstype
 * source superoptions. For cgroup v1 the super options name the controllers (e.g. "rw,cpu,cpuacct").
 * Only mounts of a hierarchy's root ("/") count, so bind mounts of sub-cgroups (as inside containers) are skipped,
 * and the first mount of each controller wins.
 */
export function parseCgroupMounts(mountinfo: string): CgroupMounts {
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const root = left[3];
    const mountPoint = left[4];
    const fstype = right[0];
    if (root !== '/' || mountPoint === undefined) continue;
    if (fstype === 'cgroup2') {
      unified ??= unescape(mountPoint);
    } else if (fstype === 'cgroup') {
      for (const opt of (right[2] ?? '').split(',')) {
        if (opt === 'rw' || opt === 'ro' || opt === '' || opt.startsWith('release_agent=') || opt === 'xattr' || opt === 'clone_children' || opt === 'noprefix' || opt === 'cpuset_v2_mode' || opt === 'nsdelegate') continue;
        if (!v1.has(opt)) v1.set(opt, unescape(mountPoint));
      }
    }
  }
  const hasV1Controllers = [...v1.keys()].some((k) => !k.startsWith('name='));
  const mode: CgroupMode = hasV1Controllers ? (unified !== undefined ? 'hybrid' : 'v1') : 'unified';
  return { mode, v1, unified };
}

/** Reads and parses /proc/self/mountinfo. */
export async function detectCgroupMounts(mountinfoPath = '/proc/self/mountinfo'): Promise<CgroupMounts> {
  return parseCgroupMounts(await fs.readFile(mountinfoPath, 'utf8'));
}
