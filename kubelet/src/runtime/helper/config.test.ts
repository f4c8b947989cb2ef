// Unit: the NUL-separated config encoding and the launch → key/value mapping the C helper parses.
import { decodeConfig, encodeConfig, execArgs, mountEntry, runEntries, sandboxEntries, type ContainerLaunch } from './config';
import { HelperConfigError } from './errors';

const launch: ContainerLaunch = {
  id: 'c1', stateDir: '/s', lower: ['/l2', '/l1'], upper: '/u', work: '/w', rootfs: '/r', readonlyRootfs: true,
  args: ['sh', '-c', 'echo a b'], env: ['A=1', 'B=x=y'], cwd: '', uid: 1000, gid: 100, groups: [5],
  nsNet: '/proc/9/ns/net', nsIpc: '/proc/9/ns/ipc', nsUts: '', cgroups: ['/sys/fs/cgroup/memory/p'],
  mounts: [{ source: '/h/hosts', target: '/etc/hosts', readonly: true }], capAdd: ['NET_ADMIN'], capDrop: ['ALL'],
  privileged: false, noNewPrivs: true, seccomp: 'default', logPath: '/log', tty: false, stdin: true, oomScoreAdj: -998,
};

test('encodes key\\0value\\0 pairs in order and decodes them back', () => {
  const buf = encodeConfig([['a', '1'], ['arg', 'x y\ttab\nnl'], ['arg', '']]);
  expect(buf.toString('latin1')).toBe('a\x001\x00arg\x00x y\ttab\nnl\x00arg\x00\x00');
  expect(decodeConfig(buf)).toEqual([['a', '1'], ['arg', 'x y\ttab\nnl'], ['arg', '']]);
});

test('refuses NUL bytes, which the format cannot carry', () => {
  expect(() => encodeConfig([['arg', 'a\0b']])).toThrow(HelperConfigError);
});

test('a container launch maps to the documented keys, repeated keys in order', () => {
  const e = runEntries(launch);
  const all = (k: string): string[] => e.filter(([key]) => key === k).map(([, v]) => v);
  expect(all('lower')).toEqual(['/l2', '/l1']);
  expect(all('arg')).toEqual(['sh', '-c', 'echo a b']);
  expect(all('env')).toEqual(['A=1', 'B=x=y']);
  expect(all('cwd')).toEqual(['/']);
  expect(all('readonly_rootfs')).toEqual(['1']);
  expect(all('ns_uts')).toEqual([]);
  expect(all('ns_pid')).toEqual([]);
  expect(all('ns_net')).toEqual(['/proc/9/ns/net']);
  expect(all('mount')).toEqual(['/h/hosts\t/etc/hosts\t\tbind,ro\t']);
  expect(all('oom_score_adj')).toEqual(['-998']);
  expect(all('stdin')).toEqual(['1']);
  expect(() => runEntries({ ...launch, uid: -1 })).toThrow(HelperConfigError);
  expect(() => runEntries({ ...launch, args: [] })).toThrow(HelperConfigError);
});

test('non-bind mounts carry type, flags and data', () => {
  expect(mountEntry({ source: 'tmpfs', target: '/run', readonly: false, type: 'tmpfs', flags: ['nosuid', 'nodev'], data: 'size=1m' })).toBe('tmpfs\t/run\ttmpfs\tnosuid,nodev\tsize=1m');
  expect(() => mountEntry({ source: 'a\tb', target: '/x', readonly: false })).toThrow(HelperConfigError);
});

test('a sandbox omits netns for the host network and lists cgroups', () => {
  expect(sandboxEntries({ id: 's', stateDir: '/s', hostname: 'h', netnsPath: '', sharePid: true, cgroups: ['/a', '/b'] })).toEqual([
    ['id', 's'], ['state_dir', '/s'], ['hostname', 'h'], ['share_pid', '1'], ['cgroup', '/a'], ['cgroup', '/b'],
  ]);
});

test('exec arguments end with -- and the command', () => {
  expect(execArgs({ targetPid: 42, cmd: ['ls', '-l'], tty: true, env: ['A=1'], cwd: '/tmp', uid: 1, gid: 2 })).toEqual([
    'exec', '--target', '42', '--tty', '--cwd', '/tmp', '--env', 'A=1', '--uid', '1', '--gid', '2', '--', 'ls', '-l',
  ]);
  expect(() => execArgs({ targetPid: 1, cmd: [], tty: false })).toThrow(HelperConfigError);
});
