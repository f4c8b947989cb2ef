// The shim's behaviour behind the gRPC API: sandboxes and containers over the native helper, cgroups, networking and images.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { RuntimeError, invalid, notFound, precondition } from './errors';
import { hostnameFile, hostsFile, resolvConf } from './podfiles';
import type { CgroupResources, Cgroups, ContainerLaunch, ContainerHelper, ExitInfo, ImageInfo, Images, PodNetwork, PortMapping } from './ports';
import type { ExecSession, RuntimeBackend, RuntimeCondition } from './server';
import { StateStore, newId, type ContainerRecord, type SandboxRecord } from './store';
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatus,
  ExecStart,
  ExecSyncResponse,
  Image,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxState,
  PodSandboxStatus,
  VersionResponse,
} from './types';
import { resolveUser } from './user';

export const runtimeName = 'keelson';
export const runtimeVersion = '0.1.0';

export interface RuntimeOptions {
  /** The shim's state: records, per-sandbox and per-container directories. */
  root: string;
  helper: ContainerHelper;
  cgroups: Cgroups;
  network: PodNetwork;
  images: Images;
  /** Wall clock in nanoseconds since the epoch (injected for tests). */
  nowNanos?: () => bigint;
  /** How long StopContainer waits for the monitor's exit record after SIGKILL. */
  killWaitMs?: number;
  /** How often stop polls for the exit record. */
  pollMs?: number;
}

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function nowNanosDefault(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function toNanos(rfc3339: string): string {
  if (rfc3339 === '') return '0';
  const m = /^(.*T\d\d:\d\d:\d\d)(\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339);
  if (m === null) return String(BigInt(Date.parse(rfc3339) || 0) * 1_000_000n);
  const seconds = BigInt(Math.floor(Date.parse(`${m[1] ?? ''}${m[4] ?? 'Z'}`) / 1000));
  const fraction = BigInt((m[3] ?? '').padEnd(9, '0').slice(0, 9) || '0');
  return String(seconds * 1_000_000_000n + fraction);
}

/** Whether `pid` runs: a zombie (exited, not yet reaped by its parent or init) counts as gone. */
function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name, which may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function matchesLabels(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  if (selector === undefined) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function protocolOf(p: string | number): PortMapping['protocol'] {
  return p === 'UDP' || p === 1 ? 'udp' : p === 'SCTP' || p === 2 ? 'sctp' : 'tcp';
}

const num = (s: string | undefined): number => (s === undefined || s === '' ? 0 : Number(s));

/** Like Promise.all, but waits for every promise to settle before rejecting (so a rollback never races a step). */
async function allSettledOrThrow<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The backend of the gRPC API. Everything it knows is in its StateStore on disk, so a restarted shim carries on. */
export class Runtime implements RuntimeBackend {
  private readonly store: StateStore;
  private readonly nowNanos: () => bigint;
  private readonly killWaitMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: RuntimeOptions) {
    this.store = new StateStore(path.join(options.root, 'state'));
    this.nowNanos = options.nowNanos ?? nowNanosDefault;
    this.killWaitMs = options.killWaitMs ?? 10_000;
    this.pollMs = options.pollMs ?? 20;
  }

  /** Reads the records of a previous run: running containers are found again (their monitors kept them alive). */
  async start(): Promise<void> {
    await this.store.load();
  }

  /** Whether an unpacked image layer is used by any container (the image store keeps it through GC). */
  layerInUse(dir: string): boolean {
    for (const c of this.store.containers.values()) if (c.layers.includes(dir)) return true;
    return false;
  }

  version(): VersionResponse {
    return { version: '0.1.0', runtimeName, runtimeVersion, runtimeApiVersion: 'v1' };
  }

  async updateRuntimeConfig(podCIDR: string, routes?: { podCIDR: string; nodeIP: string }[]): Promise<void> {
    if (podCIDR !== '') await this.options.network.configure(podCIDR);
    if (routes !== undefined) await this.options.network.setRoutes(routes);
  }

  async status(): Promise<RuntimeCondition[]> {
    const network = this.options.network.notReady();
    return [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: network === undefined, reason: network === undefined ? '' : 'NetworkPluginNotReady', message: network ?? '' },
    ];
  }

  // ---------------------------------------------------------------- sandboxes

  private sandbox(id: string): SandboxRecord {
    const s = this.store.resolve(this.store.sandboxes, id);
    if (s === undefined) throw notFound('pod sandbox', id);
    return s;
  }

  private sandboxState(s: SandboxRecord): PodSandboxState {
    return !s.stopped && alive(s.holderPid) ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const meta = config.metadata;
    if (meta === null || meta.name === '' || meta.uid === '') throw invalid('config.metadata.name and uid are required');
    const id = newId();
    const dir = path.join(this.options.root, 'sandboxes', id);
    const namespaces = config.linux?.securityContext?.namespaceOptions;
    const hostNetwork = namespaces?.network === 'NODE';
    const cgroup = config.linux?.cgroupParent || `pod${meta.uid}`;
    let networkUp = false;
    let cgroupMade = false;
    try {
      await mkdir(path.join(dir, 'holder'), { recursive: true });
      // Cgroups and network are independent of each other: made side by side (both settle before any rollback).
      const [joins, { netnsPath, ip }] = await allSettledOrThrow([
        (async () => {
          // The holder runs in a child of the pod cgroup (as the pause container does): on cgroup v2 a cgroup holding
          // processes cannot delegate controllers to children, so the pod cgroup itself must stay empty.
          await this.options.cgroups.ensure(cgroup, {});
          cgroupMade = true;
          return this.options.cgroups.ensure(`${cgroup}/sandbox`, {});
        })(),
        (async () => {
          if (hostNetwork) return { netnsPath: `/proc/${process.pid}/ns/net`, ip: '' };
          const why = this.options.network.notReady();
          if (why !== undefined) throw precondition(`network not ready: ${why}`);
          const ports = config.portMappings.map((p) => ({ protocol: protocolOf(p.protocol), containerPort: p.containerPort, hostPort: p.hostPort, hostIP: p.hostIp }));
          const net = await this.options.network.setup(id, ports);
          networkUp = true;
          return net;
        })(),
      ]);
      const [holderPid] = await allSettledOrThrow([
        this.options.helper.sandbox({
          id,
          stateDir: path.join(dir, 'holder'),
          hostname: config.hostname || meta.name,
          netnsPath,
          sharePid: namespaces?.pid === 'POD',
          cgroups: joins,
        }),
        writeFile(path.join(dir, 'hosts'), hostsFile(config, ip)),
        writeFile(path.join(dir, 'hostname'), hostnameFile(config)),
        resolvConf(config).then((text) => writeFile(path.join(dir, 'resolv.conf'), text)),
      ]);
      await this.store.saveSandbox({ id, config, createdAt: String(this.nowNanos()), stopped: false, netns: hostNetwork ? '' : netnsPath, ip, holderPid, cgroup, dir });
      return id;
    } catch (e: unknown) {
      if (networkUp) await this.options.network.teardown(id).catch(() => undefined);
      if (cgroupMade) await this.options.cgroups.destroy(cgroup).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw e instanceof RuntimeError ? e : new RuntimeError('Internal', `RunPodSandbox ${meta.namespace}/${meta.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.store.resolve(this.store.sandboxes, id);
    if (s === undefined) return; // CRI: stopping a sandbox that is gone succeeds.
    for (const c of this.containersOf(s.id)) await this.stopContainer(c.id, 0);
    if (alive(s.holderPid)) {
      signal(s.holderPid, 'SIGKILL');
      await this.waitFor(() => !alive(s.holderPid), this.killWaitMs);
    }
    if (s.netns !== '') await this.options.network.teardown(s.id);
    await this.store.saveSandbox({ ...s, stopped: true, holderPid: 0 });
  }

  async removePodSandbox(id: string): Promise<void> {
    const s = this.store.resolve(this.store.sandboxes, id);
    if (s === undefined) return;
    await this.stopPodSandbox(s.id);
    for (const c of this.containersOf(s.id)) await this.removeContainer(c.id);
    await this.options.cgroups.destroy(s.cgroup);
    await rm(s.dir, { recursive: true, force: true });
    await this.store.deleteSandbox(s.id);
  }

  async podSandboxStatus(id: string): Promise<{ status: PodSandboxStatus; info: Record<string, string> }> {
    const s = this.sandbox(id);
    return {
      status: {
        id: s.id,
        metadata: s.config.metadata,
        state: this.sandboxState(s),
        createdAt: s.createdAt,
        network: { ip: s.ip, additionalIps: [] },
        labels: s.config.labels,
        annotations: s.config.annotations,
      },
      info: { holderPid: String(s.holderPid), netns: s.netns, cgroup: s.cgroup },
    };
  }

  async listPodSandbox(filter: PodSandboxFilter | null): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const s of this.store.sandboxes.values()) {
      const state = this.sandboxState(s);
      if (filter !== null) {
        if (filter.id !== '' && !s.id.startsWith(filter.id)) continue;
        if (filter.state !== null && filter.state.state !== state) continue;
        if (!matchesLabels(s.config.labels, filter.labelSelector)) continue;
      }
      out.push({ id: s.id, metadata: s.config.metadata, state, createdAt: s.createdAt, labels: s.config.labels, annotations: s.config.annotations });
    }
    return out;
  }

  // ---------------------------------------------------------------- containers

  private containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.store.containers.values()].filter((c) => c.sandboxId === sandboxId);
  }

  private container(id: string): ContainerRecord {
    const c = this.store.resolve(this.store.containers, id);
    if (c === undefined) throw notFound('container', id);
    return c;
  }

  async createContainer(sandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig | null): Promise<string> {
    const s = this.sandbox(sandboxId);
    if (this.sandboxState(s) !== 'SANDBOX_READY') throw precondition(`pod sandbox ${s.id} is not ready`);
    const name = config.metadata?.name ?? '';
    if (name === '') throw invalid('config.metadata.name is required');
    const attempt = config.metadata?.attempt ?? 0;
    const clash = this.containersOf(s.id).find((c) => c.config.metadata?.name === name && (c.config.metadata?.attempt ?? 0) === attempt);
    if (clash !== undefined) throw new RuntimeError('AlreadyExists', `container ${name} attempt ${attempt} already exists in sandbox ${s.id} as ${clash.id}`);
    const image = config.image?.image ?? '';
    if (image === '') throw invalid('config.image.image is required');
    const resolved = await this.options.images.resolve(image);
    const id = newId();
    const dir = path.join(this.options.root, 'containers', id);
    await mkdir(path.join(dir, 'state'), { recursive: true });
    const logPath =
      s.config.logDirectory !== '' && config.logPath !== '' ? path.join(s.config.logDirectory, config.logPath) : path.join(dir, 'container.log');
    await mkdir(path.dirname(logPath), { recursive: true });
    const record: ContainerRecord = {
      id,
      sandboxId: s.id,
      config,
      createdAt: String(this.nowNanos()),
      image,
      imageRef: resolved.id,
      layers: resolved.layerDirs,
      dir,
      logPath,
      cgroup: path.join(s.cgroup, id),
      pid: 0,
      startedAt: '0',
    };
    await this.store.saveContainer(record);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    if (c.pid !== 0 || c.startError !== undefined) throw precondition(`container ${c.id} was already started`);
    const s = this.sandbox(c.sandboxId);
    if (this.sandboxState(s) !== 'SANDBOX_READY') throw precondition(`pod sandbox ${s.id} is not ready`);
    try {
      const launch = await this.launchOf(c, s);
      const pid = await this.options.helper.run(launch);
      await this.store.saveContainer({ ...c, pid, startedAt: String(this.nowNanos()) });
    } catch (e: unknown) {
      const message = e instanceof Error ? e.message : String(e);
      await this.store.saveContainer({ ...c, startError: { reason: 'StartError', message } });
      await this.options.cgroups.destroy(c.cgroup).catch(() => undefined);
      throw e instanceof RuntimeError ? e : new RuntimeError('Internal', `StartContainer ${c.config.metadata?.name ?? c.id}: ${message}`, { cause: e });
    }
  }

  private async launchOf(c: ContainerRecord, s: SandboxRecord): Promise<ContainerLaunch> {
    const config = c.config;
    const image = await this.options.images.resolve(c.imageRef);
    const entrypoint = image.config.Entrypoint ?? [];
    const cmd = image.config.Cmd ?? [];
    // Kubernetes: command replaces the Entrypoint (and drops Cmd); args replace Cmd.
    const args = config.command.length > 0 ? [...config.command, ...config.args] : [...entrypoint, ...(config.args.length > 0 ? config.args : cmd)];
    if (args.length === 0) throw invalid(`container ${config.metadata?.name ?? c.id}: no command given and the image has none`);
    const env = new Map<string, string>();
    for (const kv of image.config.Env ?? [defaultPath]) {
      const eq = kv.indexOf('=');
      if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    if (!env.has('PATH')) env.set('PATH', defaultPath.slice(5));
    env.set('HOSTNAME', s.config.hostname || s.config.metadata?.name || '');
    for (const kv of config.envs) env.set(kv.key, kv.value);
    if (config.tty) env.set('TERM', env.get('TERM') ?? 'xterm');
    const security = config.linux?.securityContext ?? null;
    const resources = config.linux?.resources ?? null;
    const user = await resolveUser(
      {
        uid: security?.runAsUser != null ? Number(security.runAsUser.value) : undefined,
        gid: security?.runAsGroup != null ? Number(security.runAsGroup.value) : undefined,
        username: security?.runAsUsername || image.config.User || '',
      },
      c.layers,
    );
    const cgroupResources: CgroupResources = {};
    if (resources !== null) {
      if (num(resources.cpuShares) > 0) cgroupResources.cpuShares = num(resources.cpuShares);
      if (num(resources.cpuQuota) > 0) cgroupResources.cpuQuota = num(resources.cpuQuota);
      if (num(resources.cpuPeriod) > 0) cgroupResources.cpuPeriod = num(resources.cpuPeriod);
      if (num(resources.memoryLimitInBytes) > 0) cgroupResources.memoryLimit = num(resources.memoryLimitInBytes);
      if (num(resources.pidsLimit) > 0) cgroupResources.pidsLimit = num(resources.pidsLimit);
    }
    const joins = await this.options.cgroups.ensure(c.cgroup, cgroupResources);
    const podFiles = [
      { target: '/etc/hosts', source: path.join(s.dir, 'hosts') },
      { target: '/etc/hostname', source: path.join(s.dir, 'hostname') },
      { target: '/etc/resolv.conf', source: path.join(s.dir, 'resolv.conf') },
    ].filter((f) => !config.mounts.some((m) => m.containerPath === f.target));
    const privileged = security?.privileged ?? false;
    const seccompType = security?.seccomp?.profileType ?? '';
    if (seccompType === 'Localhost') throw invalid('seccomp profile type Localhost is not supported');
    for (const dirName of ['upper', 'work', 'rootfs']) await mkdir(path.join(c.dir, dirName), { recursive: true });
    return {
      id: c.id,
      stateDir: path.join(c.dir, 'state'),
      lower: c.layers,
      upper: path.join(c.dir, 'upper'),
      work: path.join(c.dir, 'work'),
      rootfs: path.join(c.dir, 'rootfs'),
      readonlyRootfs: security?.readonlyRootfs ?? false,
      args,
      env: [...env].map(([k, v]) => `${k}=${v}`),
      cwd: config.workingDir || image.config.WorkingDir || '/',
      uid: user.uid,
      gid: user.gid,
      groups: [...user.groups, ...(security?.supplementalGroups ?? []).map(Number)],
      nsNet: `/proc/${s.holderPid}/ns/net`,
      nsIpc: `/proc/${s.holderPid}/ns/ipc`,
      nsUts: `/proc/${s.holderPid}/ns/uts`,
      ...(s.config.linux?.securityContext?.namespaceOptions?.pid === 'POD' ? { nsPid: `/proc/${s.holderPid}/ns/pid` } : {}),
      cgroups: joins,
      mounts: [
        ...podFiles.map((f) => ({ ...f, readonly: false })),
        ...config.mounts.map((m) => ({ source: m.hostPath, target: m.containerPath, readonly: m.readonly })),
      ],
      capAdd: security?.capabilities?.addCapabilities ?? [],
      capDrop: security?.capabilities?.dropCapabilities ?? [],
      privileged,
      noNewPrivs: !privileged && !(security?.allowPrivilegeEscalation ?? false),
      seccomp: privileged || seccompType === 'Unconfined' ? 'unconfined' : 'default',
      logPath: c.logPath,
      tty: config.tty,
      stdin: config.stdin,
      ...(resources !== null && num(resources.oomScoreAdj) !== 0 ? { oomScoreAdj: num(resources.oomScoreAdj) } : {}),
    };
  }

  /** Exit records never change once written, so each is read from disk once. */
  private readonly exits = new Map<string, ExitInfo>();

  private async exitOf(c: ContainerRecord): Promise<ExitInfo | undefined> {
    if (c.pid === 0) return undefined;
    const known = this.exits.get(c.id);
    if (known !== undefined) return known;
    const exit = await this.options.helper.exit(path.join(c.dir, 'state'));
    if (exit !== undefined) this.exits.set(c.id, exit);
    return exit;
  }

  private async stateOf(c: ContainerRecord): Promise<{ state: ContainerState; exit?: ExitInfo }> {
    if (c.startError !== undefined) return { state: 'CONTAINER_EXITED' };
    if (c.pid === 0) return { state: 'CONTAINER_CREATED' };
    const exit = await this.exitOf(c);
    if (exit !== undefined) return { state: 'CONTAINER_EXITED', exit };
    if (alive(c.pid)) return { state: 'CONTAINER_RUNNING' };
    // The process is gone but its monitor has not written the record yet (it is about to): ask again shortly.
    await this.waitFor(async () => (await this.exitOf(c)) !== undefined, 500);
    const late = await this.exitOf(c);
    return late !== undefined ? { state: 'CONTAINER_EXITED', exit: late } : { state: 'CONTAINER_UNKNOWN' };
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.container(id);
    const { state } = await this.stateOf(c);
    if (state !== 'CONTAINER_RUNNING') return;
    if (timeoutSeconds > 0) {
      signal(c.pid, 'SIGTERM');
      if (await this.waitFor(async () => (await this.exitOf(c)) !== undefined, timeoutSeconds * 1000)) return;
    }
    signal(c.pid, 'SIGKILL');
    if (!(await this.waitFor(async () => (await this.exitOf(c)) !== undefined, this.killWaitMs))) {
      throw new RuntimeError('DeadlineExceeded', `container ${c.id} did not exit ${this.killWaitMs} ms after SIGKILL`);
    }
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.store.resolve(this.store.containers, id);
    if (c === undefined) return;
    await this.stopContainer(c.id, 0);
    await this.options.cgroups.destroy(c.cgroup);
    await rm(c.dir, { recursive: true, force: true });
    await this.store.deleteContainer(c.id);
    this.exits.delete(c.id);
  }

  async containerStatus(id: string): Promise<{ status: ContainerStatus; info: Record<string, string> }> {
    const c = this.container(id);
    const { state, exit } = await this.stateOf(c);
    let reason = '';
    let message = '';
    let exitCode = 0;
    let sig = 0;
    if (c.startError !== undefined) {
      reason = c.startError.reason;
      message = c.startError.message;
      exitCode = 128;
    } else if (exit !== undefined) {
      exitCode = exit.exitCode;
      sig = exit.signal;
      // As containerd: a container that failed after the kernel OOM-killed a process in its cgroup was OOMKilled (pid 1 may be a shell).
      if (exit.exitCode !== 0 && (await this.options.cgroups.oomKilled(c.cgroup).catch(() => false))) reason = 'OOMKilled';
      else reason = exit.exitCode === 0 ? 'Completed' : 'Error';
    }
    return {
      status: {
        id: c.id,
        metadata: c.config.metadata,
        state,
        createdAt: c.createdAt,
        startedAt: exit?.startedAt ? toNanos(exit.startedAt) : c.startedAt,
        finishedAt: exit?.finishedAt ? toNanos(exit.finishedAt) : '0',
        exitCode,
        image: { image: c.image },
        imageRef: c.imageRef,
        reason,
        message,
        labels: c.config.labels,
        annotations: c.config.annotations,
        mounts: c.config.mounts,
        logPath: c.logPath,
        signal: sig,
        pid: c.pid,
      },
      info: { dir: c.dir, cgroup: c.cgroup },
    };
  }

  async listContainers(filter: ContainerFilter | null): Promise<Container[]> {
    const out: Container[] = [];
    for (const c of this.store.containers.values()) {
      if (filter !== null) {
        if (filter.id !== '' && !c.id.startsWith(filter.id)) continue;
        if (filter.podSandboxId !== '' && !c.sandboxId.startsWith(filter.podSandboxId)) continue;
        if (!matchesLabels(c.config.labels, filter.labelSelector)) continue;
      }
      const { state } = await this.stateOf(c);
      if (filter?.state != null && filter.state.state !== state) continue;
      out.push({ id: c.id, podSandboxId: c.sandboxId, metadata: c.config.metadata, image: { image: c.image }, imageRef: c.imageRef, state, createdAt: c.createdAt, labels: c.config.labels, annotations: c.config.annotations });
    }
    return out;
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const c = this.container(id);
    const now = String(this.nowNanos());
    const stats = await this.options.cgroups.stats(c.cgroup).catch(() => undefined);
    return {
      attributes: { id: c.id, metadata: c.config.metadata, labels: c.config.labels, annotations: c.config.annotations },
      cpu: { timestamp: now, usageCoreNanoSeconds: { value: stats?.cpuUsageNanos ?? 0 } },
      memory: { timestamp: now, workingSetBytes: { value: stats?.workingSet ?? 0 }, usageBytes: { value: stats?.memoryUsage ?? 0 }, rssBytes: { value: stats?.rss ?? 0 } },
      pids: { value: stats?.pids ?? 0 },
    };
  }

  async listContainerStats(filter: ContainerStatsFilter | null): Promise<ContainerStats[]> {
    const out: ContainerStats[] = [];
    for (const c of this.store.containers.values()) {
      if (filter !== null) {
        if (filter.id !== '' && !c.id.startsWith(filter.id)) continue;
        if (filter.podSandboxId !== '' && !c.sandboxId.startsWith(filter.podSandboxId)) continue;
        if (!matchesLabels(c.config.labels, filter.labelSelector)) continue;
      }
      if ((await this.stateOf(c)).state !== 'CONTAINER_RUNNING') continue;
      out.push(await this.containerStats(c.id));
    }
    return out;
  }

  async reopenContainerLog(id: string): Promise<void> {
    const c = this.container(id);
    if ((await this.stateOf(c)).state !== 'CONTAINER_RUNNING') throw precondition(`container ${c.id} is not running`);
    const monitor = await this.options.helper.monitorPid(path.join(c.dir, 'state'));
    if (monitor === undefined) throw precondition(`container ${c.id} has no monitor`);
    signal(monitor, 'SIGUSR1');
  }

  private async runningPid(id: string): Promise<number> {
    const c = this.container(id);
    if ((await this.stateOf(c)).state !== 'CONTAINER_RUNNING') throw precondition(`container ${c.id} is not running`);
    return c.pid;
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse> {
    if (cmd.length === 0) throw invalid('cmd is required');
    const pid = await this.runningPid(id);
    const child = this.options.helper.exec({ targetPid: pid, cmd, tty: false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.stdin?.end();
    let timedOut = false;
    const timer = timeoutSeconds > 0 ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutSeconds * 1000) : undefined;
    const [code, sig] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (timer !== undefined) clearTimeout(timer);
    if (timedOut) throw new RuntimeError('DeadlineExceeded', `command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`);
    return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: code ?? (sig !== null ? 128 + osConstants.signals[sig] : 1) };
  }

  async exec(start: ExecStart, session: ExecSession): Promise<number> {
    if (start.cmd.length === 0) throw invalid('cmd is required');
    const pid = await this.runningPid(start.containerId);
    const child = this.options.helper.exec({ targetPid: pid, cmd: start.cmd, tty: start.tty });
    child.stdout?.on('data', (b: Buffer) => session.stdout(b));
    child.stderr?.on('data', (b: Buffer) => session.stderr(b));
    const resize = child.stdio[3] as NodeJS.WritableStream | null | undefined;
    session.onResize((w, h) => resize?.write(`${w} ${h}\n`));
    if (session.stdin !== undefined && child.stdin !== null) session.stdin.pipe(child.stdin);
    else child.stdin?.end();
    child.stdin?.on('error', () => undefined);
    const onAbort = (): void => void child.kill('SIGKILL');
    session.signal.addEventListener('abort', onAbort);
    const [code, sig] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    session.signal.removeEventListener('abort', onAbort);
    return code ?? (sig !== null ? 128 + osConstants.signals[sig] : 1);
  }

  // ---------------------------------------------------------------- images

  private image(info: ImageInfo): Image {
    return { id: info.id, repoTags: info.repoTags, repoDigests: info.repoDigests, size: info.size, ...(info.uid !== undefined ? { uid: { value: info.uid } } : {}), username: info.username };
  }

  async listImages(ref: string | undefined): Promise<Image[]> {
    if (ref !== undefined) {
      const one = await this.options.images.status(ref);
      return one === undefined ? [] : [this.image(one)];
    }
    return (await this.options.images.list()).map((i) => this.image(i));
  }

  async imageStatus(ref: string): Promise<Image | undefined> {
    const info = await this.options.images.status(ref);
    return info === undefined ? undefined : this.image(info);
  }

  async pullImage(ref: string, auth: AuthConfig | null): Promise<string> {
    let credentials: { username?: string; password?: string; token?: string } | undefined;
    if (auth !== null) {
      if (auth.registryToken !== '') credentials = { token: auth.registryToken };
      else if (auth.username !== '') credentials = { username: auth.username, password: auth.password };
      else if (auth.auth !== '') {
        const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
    }
    return this.options.images.pull(ref, credentials);
  }

  async removeImage(ref: string): Promise<void> {
    const info = await this.options.images.status(ref);
    if (info === undefined) return;
    const inUse = [...this.store.containers.values()].find((c) => c.imageRef === info.id);
    if (inUse !== undefined) throw precondition(`image ${ref} is in use by container ${inUse.id}`);
    await this.options.images.remove(ref);
  }

  async importImage(file: string): Promise<Image[]> {
    try {
      await access(file);
    } catch {
      throw invalid(`cannot read ${file}`);
    }
    return (await this.options.images.importArchive(file)).map((i) => this.image(i));
  }

  // ---------------------------------------------------------------- helpers

  /** Polls `done` until true or `ms` passed; returns whether it became true. */
  private async waitFor(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await done()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
