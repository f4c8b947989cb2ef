// Reads the `keelson-helper run` config the shim wrote for a container back into a launch, so the bare helper can start exactly the same container spec.
import type { NativeHelper } from '@keelson/kubelet';

/** The launch description NativeHelper.run takes (the type is not on @keelson/kubelet's surface). */
export type ContainerLaunch = Parameters<NativeHelper['run']>[0];
type MountSpec = ContainerLaunch['mounts'][number];

/** A config file that is not the helper's `key\0value\0…` run format. */
export class LaunchDecodeError extends Error {}

function mount(entry: string): MountSpec {
  const [source = '', target = '', type = '', flagText = '', data = ''] = entry.split('\t');
  const flags = flagText.split(',').filter((f) => f !== '');
  const rest = flags.filter((f) => f !== 'ro' && !(type === '' && f === 'bind'));
  return {
    source,
    target,
    readonly: flags.includes('ro'),
    ...(type !== '' ? { type } : {}),
    ...(rest.length > 0 ? { flags: rest } : {}),
    ...(data !== '' ? { data } : {}),
  };
}

/** The inverse of the helper wrapper's runEntries: `key\0value\0` pairs, repeated keys as lists. */
export function decodeRunConfig(buf: Buffer): ContainerLaunch {
  const fields = buf.toString('utf8').split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  if (fields.length % 2 !== 0) throw new LaunchDecodeError('config has an odd number of fields');
  const one = new Map<string, string>();
  const many = new Map<string, string[]>();
  for (let i = 0; i < fields.length; i += 2) {
    const k = fields[i] ?? '';
    const v = fields[i + 1] ?? '';
    one.set(k, v);
    many.set(k, [...(many.get(k) ?? []), v]);
  }
  const str = (k: string): string => {
    const v = one.get(k);
    if (v === undefined) throw new LaunchDecodeError(`config has no ${k}`);
    return v;
  };
  const list = (k: string): string[] => many.get(k) ?? [];
  const oom = one.get('oom_score_adj');
  const nsPid = one.get('ns_pid');
  const seccomp = str('seccomp');
  if (seccomp !== 'default' && seccomp !== 'unconfined') throw new LaunchDecodeError(`unknown seccomp mode ${seccomp}`);
  return {
    id: str('id'),
    stateDir: str('state_dir'),
    lower: list('lower'),
    upper: str('upper'),
    work: str('work'),
    rootfs: str('rootfs'),
    readonlyRootfs: str('readonly_rootfs') === '1',
    args: list('arg'),
    env: list('env'),
    cwd: str('cwd'),
    uid: Number(str('uid')),
    gid: Number(str('gid')),
    groups: list('group').map(Number),
    nsNet: one.get('ns_net') ?? '',
    nsIpc: one.get('ns_ipc') ?? '',
    nsUts: one.get('ns_uts') ?? '',
    ...(nsPid !== undefined ? { nsPid } : {}),
    cgroups: list('cgroup'),
    mounts: list('mount').map(mount),
    capAdd: list('cap_add'),
    capDrop: list('cap_drop'),
    privileged: str('privileged') === '1',
    noNewPrivs: str('no_new_privs') === '1',
    seccomp,
    logPath: one.get('log_path') ?? '',
    tty: str('tty') === '1',
    stdin: str('stdin') === '1',
    ...(oom !== undefined ? { oomScoreAdj: Number(oom) } : {}),
  };
}
