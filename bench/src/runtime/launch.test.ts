// Unit tests for reading the helper's run config back into a launch (the bare-helper row of bench:runtime).
import { decodeRunConfig, LaunchDecodeError } from './launch';

const config = (pairs: [string, string][]): Buffer => Buffer.from(pairs.map(([k, v]) => `${k}\0${v}\0`).join(''), 'utf8');

const base: [string, string][] = [
  ['id', 'abc'],
  ['state_dir', '/s'],
  ['lower', '/layers/top'],
  ['lower', '/layers/base'],
  ['upper', '/u'],
  ['work', '/w'],
  ['rootfs', '/r'],
  ['readonly_rootfs', '0'],
  ['arg', 'sleep'],
  ['arg', '3600'],
  ['env', 'PATH=/bin'],
  ['env', 'A=b=c'],
  ['cwd', '/'],
  ['uid', '0'],
  ['gid', '0'],
  ['cgroup', '/sys/fs/cgroup/cpu/k/podu/abc'],
  ['mount', '/pod/hosts\t/etc/hosts\t\tbind\t'],
  ['mount', '/vol\t/data\t\tbind,nosuid,ro\t'],
  ['mount', 'tmpfs\t/scratch\ttmpfs\tnodev\tsize=64m'],
  ['privileged', '0'],
  ['no_new_privs', '1'],
  ['seccomp', 'default'],
  ['stdin', '0'],
  ['tty', '0'],
  ['ns_net', '/proc/9/ns/net'],
  ['ns_ipc', '/proc/9/ns/ipc'],
  ['ns_uts', '/proc/9/ns/uts'],
  ['log_path', '/logs/c/0.log'],
  ['oom_score_adj', '1000'],
];

describe('decodeRunConfig', () => {
  it('reads repeated keys as ordered lists and scalars as the launch fields', () => {
    const l = decodeRunConfig(config(base));
    expect(l).toMatchObject({
      id: 'abc',
      lower: ['/layers/top', '/layers/base'],
      args: ['sleep', '3600'],
      env: ['PATH=/bin', 'A=b=c'],
      readonlyRootfs: false,
      noNewPrivs: true,
      seccomp: 'default',
      nsNet: '/proc/9/ns/net',
      logPath: '/logs/c/0.log',
      oomScoreAdj: 1000,
      cgroups: ['/sys/fs/cgroup/cpu/k/podu/abc'],
    });
    expect(l.nsPid).toBeUndefined();
  });

  it('turns mount lines back into bind, read-only and typed mounts', () => {
    expect(decodeRunConfig(config(base)).mounts).toEqual([
      { source: '/pod/hosts', target: '/etc/hosts', readonly: false },
      { source: '/vol', target: '/data', readonly: true, flags: ['nosuid'] },
      { source: 'tmpfs', target: '/scratch', readonly: false, type: 'tmpfs', flags: ['nodev'], data: 'size=64m' },
    ]);
  });

  it('rejects a truncated file and a missing key', () => {
    expect(() => decodeRunConfig(Buffer.from('id\0abc\0state_dir\0', 'utf8'))).toThrow(LaunchDecodeError);
    expect(() => decodeRunConfig(config(base.filter(([k]) => k !== 'rootfs')))).toThrow(/no rootfs/);
    expect(() => decodeRunConfig(config(base.map(([k, v]): [string, string] => [k, k === 'seccomp' ? 'strict' : v])))).toThrow(/seccomp/);
  });
});
