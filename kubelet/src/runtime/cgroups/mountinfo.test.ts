// Unit tests for cgroup mode detection from mountinfo text (v1, hybrid, unified, co-mounted and escaped mount points).
import { parseCgroupMounts } from './mountinfo';

const hybrid = `
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
31 23 0:28 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate
33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd
34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/pids rw,nosuid shared:14 - cgroup cgroup rw,pids
`;

describe('parseCgroupMounts', () => {
  it('recognises a hybrid host with co-mounted controllers and the named systemd hierarchy', () => {
    const m = parseCgroupMounts(hybrid);
    expect(m.mode).toBe('hybrid');
    expect(m.unified).toBe('/sys/fs/cgroup/unified');
    expect(m.v1.get('cpu')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(m.v1.get('cpuacct')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(m.v1.get('name=systemd')).toBe('/sys/fs/cgroup/systemd');
    expect(m.v1.has('xattr')).toBe(false);
    expect(m.v1.has('rw')).toBe(false);
  });

  it('recognises pure v1 and pure unified hosts', () => {
    const v1 = parseCgroupMounts(hybrid.split('\n').filter((l) => !l.includes('cgroup2')).join('\n'));
    expect(v1.mode).toBe('v1');
    expect(v1.unified).toBeUndefined();
    const unified = parseCgroupMounts('29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n');
    expect(unified.mode).toBe('unified');
    expect(unified.unified).toBe('/sys/fs/cgroup');
    expect(unified.v1.size).toBe(0);
  });

  it('treats a v1 host with only the systemd name hierarchy plus cgroup2 as unified for controllers', () => {
    const m = parseCgroupMounts(
      '1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n2 0 0:2 / /run/sd rw - cgroup cgroup rw,name=systemd\n',
    );
    expect(m.mode).toBe('unified');
  });

  it('skips bind mounts of sub-cgroups and decodes escaped mount points', () => {
    const m = parseCgroupMounts(
      '40 31 0:35 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n41 31 0:35 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n',
    );
    expect(m.v1.get('memory')).toBe('/mnt/my cgroups');
  });
});
