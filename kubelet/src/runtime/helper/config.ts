// Launch descriptions of the native helper and their encoding as NUL-separated key/value config files.
import { HelperConfigError } from './errors';

/** A holder process: the pod's network, IPC and UTS (and optionally PID) namespaces. */
export interface SandboxLaunch {
  id: string;
  stateDir: string;
  hostname: string;
  /** The network namespace to join: a named netns, or the node's for host-network pods. */
  netnsPath: string;
  /** The holder also owns a PID namespace that every container joins (shareProcessNamespace). */
  sharePid: boolean;
  /** Cgroup directories to join (one per v1 hierarchy, or one v2 directory). */
  cgroups: string[];
}

/** A mount into the container; a bind mount unless `type` says otherwise. */
export interface MountSpec {
  source: string;
  /** Inside the container (relative to its root). */
  target: string;
  readonly: boolean;
  /** Filesystem type for non-bind mounts (`tmpfs`, …). */
  type?: string;
  /** Extra flags: `rbind`, `nosuid`, `nodev`, `noexec`, … (`bind` is implied when no type is given). */
  flags?: string[];
  /** Filesystem-specific data (`size=64m`). */
  data?: string;
}

export interface ContainerLaunch {
  id: string;
  stateDir: string;
  /** Overlay lower layers, top-most first. */
  lower: string[];
  upper: string;
  work: string;
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  /** /proc/<holder>/ns/{net,ipc,uts}. */
  nsNet: string;
  nsIpc: string;
  nsUts: string;
  /** /proc/<holder>/ns/pid with shareProcessNamespace; absent = a new PID namespace. */
  nsPid?: string;
  cgroups: string[];
  mounts: MountSpec[];
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  noNewPrivs: boolean;
  seccomp: 'default' | 'unconfined';
  logPath: string;
  tty: boolean;
  stdin: boolean;
  oomScoreAdj?: number;
}

export interface ExecLaunch {
  targetPid: number;
  cmd: string[];
  tty: boolean;
  env?: string[];
  cwd?: string;
  uid?: number;
  gid?: number;
}

export type ConfigEntry = readonly [key: string, value: string];

/** `key\0value\0key\0value\0…`: the format keelson-helper parses. */
export function encodeConfig(entries: readonly ConfigEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of entries) {
    if (key === '' || key.includes('\0')) throw new HelperConfigError(`config key ${JSON.stringify(key)} is empty or has a NUL byte`);
    if (value.includes('\0')) throw new HelperConfigError(`config value of ${key} has a NUL byte`);
    parts.push(Buffer.from(`${key}\0${value}\0`, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** The inverse of encodeConfig (for tests and debugging). */
export function decodeConfig(buf: Buffer): ConfigEntry[] {
  const fields = buf.toString('utf8').split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  if (fields.length % 2 !== 0) throw new HelperConfigError('config has an odd number of fields');
  const out: ConfigEntry[] = [];
  for (let i = 0; i < fields.length; i += 2) out.push([fields[i] ?? '', fields[i + 1] ?? '']);
  return out;
}

const flag = (b: boolean): string => (b ? '1' : '0');

function id(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new HelperConfigError(`${what} ${n} is not a valid id`);
  return String(n);
}

export function sandboxEntries(l: SandboxLaunch): ConfigEntry[] {
  const e: ConfigEntry[] = [
    ['id', l.id],
    ['state_dir', l.stateDir],
    ['hostname', l.hostname],
    ['share_pid', flag(l.sharePid)],
  ];
  if (l.netnsPath !== '') e.push(['netns', l.netnsPath]);
  for (const c of l.cgroups) e.push(['cgroup', c]);
  return e;
}

export function mountEntry(m: MountSpec): string {
  const fields = [m.source, m.target, m.type ?? '', [...(m.type === undefined || m.type === '' ? ['bind'] : []), ...(m.flags ?? []), ...(m.readonly ? ['ro'] : [])].join(','), m.data ?? ''];
  for (const f of fields) if (f.includes('\t')) throw new HelperConfigError(`mount field ${JSON.stringify(f)} has a tab`);
  return fields.join('\t');
}

export function runEntries(l: ContainerLaunch): ConfigEntry[] {
  if (l.args.length === 0) throw new HelperConfigError('a container needs at least one argument');
  if (l.lower.length === 0) throw new HelperConfigError('a container needs at least one lower layer');
  const e: ConfigEntry[] = [
    ['id', l.id],
    ['state_dir', l.stateDir],
    ...l.lower.map((d): ConfigEntry => ['lower', d]),
    ['upper', l.upper],
    ['work', l.work],
    ['rootfs', l.rootfs],
    ['readonly_rootfs', flag(l.readonlyRootfs)],
    ...l.args.map((a): ConfigEntry => ['arg', a]),
    ...l.env.map((v): ConfigEntry => ['env', v]),
    ['cwd', l.cwd === '' ? '/' : l.cwd],
    ['uid', id(l.uid, 'uid')],
    ['gid', id(l.gid, 'gid')],
    ...l.groups.map((g): ConfigEntry => ['group', id(g, 'group')]),
    ...l.cgroups.map((c): ConfigEntry => ['cgroup', c]),
    ...l.mounts.map((m): ConfigEntry => ['mount', mountEntry(m)]),
    ...l.capAdd.map((c): ConfigEntry => ['cap_add', c]),
    ...l.capDrop.map((c): ConfigEntry => ['cap_drop', c]),
    ['privileged', flag(l.privileged)],
    ['no_new_privs', flag(l.noNewPrivs)],
    ['seccomp', l.seccomp],
    ['stdin', flag(l.stdin)],
    ['tty', flag(l.tty)],
  ];
  if (l.nsNet !== '') e.push(['ns_net', l.nsNet]);
  if (l.nsIpc !== '') e.push(['ns_ipc', l.nsIpc]);
  if (l.nsUts !== '') e.push(['ns_uts', l.nsUts]);
  if (l.nsPid !== undefined && l.nsPid !== '') e.push(['ns_pid', l.nsPid]);
  if (l.logPath !== '') e.push(['log_path', l.logPath]);
  if (l.oomScoreAdj !== undefined) {
    if (!Number.isInteger(l.oomScoreAdj) || l.oomScoreAdj < -1000 || l.oomScoreAdj > 1000) throw new HelperConfigError(`oom_score_adj ${l.oomScoreAdj} is outside -1000..1000`);
    e.push(['oom_score_adj', String(l.oomScoreAdj)]);
  }
  return e;
}

/** argv of `keelson-helper exec` after the binary. */
export function execArgs(l: ExecLaunch): string[] {
  if (l.cmd.length === 0) throw new HelperConfigError('exec needs a command');
  const a = ['exec', '--target', String(l.targetPid)];
  if (l.tty) a.push('--tty');
  if (l.cwd !== undefined && l.cwd !== '') a.push('--cwd', l.cwd);
  for (const kv of l.env ?? []) {
    if (!kv.includes('=')) throw new HelperConfigError(`exec env ${JSON.stringify(kv)} is not K=V`);
    a.push('--env', kv);
  }
  if (l.uid !== undefined) a.push('--uid', id(l.uid, 'uid'));
  if (l.gid !== undefined) a.push('--gid', id(l.gid, 'gid'));
  a.push('--', ...l.cmd);
  return a;
}
