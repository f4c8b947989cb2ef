// The runtime shim process: the Runtime over the native helper, cgroups, pod network and image store, served on a unix socket.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger as WinstonLogger } from 'winston';
import { ImageStore, type ImageStatus } from '../images';
import { createCgroupManager, type CgroupManager } from '../runtime/cgroups';
import { NativeHelper } from '../runtime/helper';
import { PodNetwork as BridgeNetwork, ServedRunner, type CommandRunner, type PodNetworkOptions } from '../runtime/network';
import { createLogger } from '../log';
import { RuntimeError } from './errors';
import type { Cgroups, ImageInfo, Images, PodNetwork } from './ports';
import { Runtime } from './runtime';
import { serve, type ShimServer } from './server';

export interface ShimOptions {
  /** State, images, sandboxes and containers. Default /var/lib/keelson/kubelet/shim. */
  root: string;
  /** Default <root>/shim.sock. */
  socket?: string;
  /** The parent cgroup of every pod (like kubepods). Default `keelson`. */
  cgroupRoot?: string;
  /** The node bridge. Default `keelson0`. */
  bridge?: string;
  /** The whole cluster's pod range (traffic leaving it is masqueraded). Default 10.42.0.0/16. */
  clusterCIDR?: string;
  /** The node's pod range when known at start (else set later by UpdateRuntimeConfig). */
  podCIDR?: string;
  /** Prefix of the pod network's iptables chains (`<prefix>-POSTROUTING`, …). Default `KEELSON`; one per shim sharing a machine. */
  chainPrefix?: string;
  /** Images dir. Default <root>/images. */
  imagesDir?: string;
  logger?: WinstonLogger;
}

export interface RunningShim {
  readonly socket: string;
  readonly runtime: Runtime;
  /** Stops serving; containers keep running under their monitors. */
  close(): Promise<void>;
  /** Removes every sandbox, then the node bridge, its iptables chains and the cgroup root (tests, node removal). */
  destroyNode(): Promise<void>;
}

function cgroupsPort(manager: CgroupManager): Cgroups {
  const full = (rel: string): string => `${manager.root}/${rel}`;
  return {
    ensure: async (rel, r) => {
      await manager.create(full(rel), {
        ...(r.cpuShares !== undefined ? { cpuShares: r.cpuShares } : {}),
        ...(r.cpuQuota !== undefined ? { cpuQuotaUs: r.cpuQuota } : {}),
        ...(r.cpuPeriod !== undefined ? { cpuPeriodUs: r.cpuPeriod } : {}),
        ...(r.memoryLimit !== undefined ? { memoryLimitBytes: r.memoryLimit } : {}),
        ...(r.pidsLimit !== undefined ? { pidsLimit: r.pidsLimit } : {}),
      });
      return manager.paths(full(rel));
    },
    destroy: (rel) => manager.destroy(full(rel)),
    stats: async (rel) => {
      const s = await manager.stats(full(rel));
      return { cpuUsageNanos: s.cpuUsageNanos, memoryUsage: s.memoryUsageBytes, workingSet: s.memoryWorkingSetBytes, rss: s.memoryRssBytes, pids: s.pids };
    },
    oomKilled: (rel) => manager.oomKilled(full(rel)),
  };
}

/** The bridge network, created once the node's pod CIDR is known. */
class LazyNetwork implements PodNetwork {
  private network: BridgeNetwork | undefined;
  private cidr = '';

  constructor(private readonly o: { stateDir: string; bridge: string; clusterCIDR: string; chainPrefix?: string; runner?: CommandRunner }) {}

  private options(podCIDR: string): PodNetworkOptions {
    return {
      podCIDR,
      clusterCIDR: this.o.clusterCIDR,
      stateDir: this.o.stateDir,
      bridgeName: this.o.bridge,
      localhostHostPorts: true,
      ...(this.o.chainPrefix !== undefined ? { chainPrefix: this.o.chainPrefix } : {}),
      ...(this.o.runner !== undefined ? { runner: this.o.runner } : {}),
    };
  }

  async configure(podCIDR: string): Promise<void> {
    if (podCIDR === this.cidr) return;
    if (this.network !== undefined) throw new RuntimeError('FailedPrecondition', `the node's pod CIDR is ${this.cidr}; it cannot change to ${podCIDR} while the shim runs`);
    const network = new BridgeNetwork(this.options(podCIDR));
    await network.ensureNode();
    this.network = network;
    this.cidr = podCIDR;
    // Remembered so a restarted shim serves new pods before the kubelet says it again.
    await mkdir(this.o.stateDir, { recursive: true });
    await writeFile(path.join(this.o.stateDir, 'pod-cidr'), `${podCIDR}\n`);
  }

  /** The pod CIDR of a previous run, if any. */
  async remembered(): Promise<string | undefined> {
    try {
      return (await readFile(path.join(this.o.stateDir, 'pod-cidr'), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  notReady(): string | undefined {
    return this.network === undefined ? 'no pod CIDR yet (waiting for the node to be assigned one)' : undefined;
  }

  async setup(id: string, ports: { protocol: 'tcp' | 'udp' | 'sctp'; containerPort: number; hostPort: number; hostIP: string }[]): Promise<{ netnsPath: string; ip: string }> {
    if (this.network === undefined) throw new RuntimeError('FailedPrecondition', 'network not ready: no pod CIDR');
    const mapped = ports
      .filter((p) => p.protocol !== 'sctp')
      .map((p) => ({ protocol: p.protocol === 'udp' ? ('UDP' as const) : ('TCP' as const), hostPort: p.hostPort, containerPort: p.containerPort, ...(p.hostIP !== '' ? { hostIP: p.hostIP } : {}) }));
    const status = await this.network.setup(id, mapped);
    return { netnsPath: status.netnsPath, ip: status.ip };
  }

  async teardown(id: string): Promise<void> {
    await this.network?.teardown(id);
  }

  async setRoutes(routes: { podCIDR: string; nodeIP: string }[]): Promise<void> {
    if (this.network === undefined) throw new RuntimeError('FailedPrecondition', 'network not ready: no pod CIDR');
    await this.network.addRoutes(routes);
  }

  /** Removes the bridge and chains, also those of an earlier run whose pod CIDR this run never learned. */
  async removeNode(): Promise<void> {
    if (this.network !== undefined) return this.network.removeNode();
    // The chain and bridge names do not depend on the pod CIDR: the cluster's will do for removal.
    await new BridgeNetwork(this.options(this.o.clusterCIDR)).removeNode();
  }
}

function info(s: ImageStatus): ImageInfo {
  return { id: s.id, repoTags: s.repoTags, repoDigests: s.repoDigests, size: s.size, ...(s.uid !== undefined ? { uid: s.uid } : {}), username: s.username ?? '' };
}

function imagesPort(store: ImageStore): Images {
  return {
    resolve: async (ref) => {
      const r = await store.resolve(ref);
      return { id: r.id, ref, config: r.config, layerDirs: r.layerDirs };
    },
    list: async () => (await store.list()).map(info),
    status: async (ref) => {
      const s = await store.status(ref);
      return s === undefined ? undefined : info(s);
    },
    pull: async (ref, auth) => {
      const s = await store.pull(ref, auth === undefined ? undefined : { ...(auth.username !== undefined ? { username: auth.username } : {}), ...(auth.password !== undefined ? { password: auth.password } : {}), ...(auth.token !== undefined ? { registryToken: auth.token } : {}) });
      return s.id;
    },
    remove: (ref) => store.remove(ref),
    importArchive: async (file) => {
      const imported = await store.importArchive(file);
      const out: ImageInfo[] = [];
      for (const i of imported) {
        const s = await store.status(i.id);
        out.push(s !== undefined ? info(s) : { id: i.id, repoTags: i.names, repoDigests: [], size: 0, username: '' });
      }
      return out;
    },
  };
}

/** Starts the shim: finds the state of a previous run, then serves. */
export async function startShim(o: ShimOptions): Promise<RunningShim> {
  const logger = o.logger ?? createLogger('info', 'shim');
  const socket = o.socket ?? path.join(o.root, 'shim.sock');
  const helper = new NativeHelper();
  helper.check();
  // ip and iptables run through the helper's fork server too: this process never forks itself per command.
  const server = helper.forkServer();
  const runner = server !== undefined ? new ServedRunner(server) : undefined;
  const manager = await createCgroupManager({ root: o.cgroupRoot ?? 'keelson' });
  await manager.ensureRoot();
  const network = new LazyNetwork({ stateDir: path.join(o.root, 'network'), bridge: o.bridge ?? 'keelson0', clusterCIDR: o.clusterCIDR ?? '10.42.0.0/16', ...(o.chainPrefix !== undefined ? { chainPrefix: o.chainPrefix } : {}), ...(runner !== undefined ? { runner } : {}) });
  const podCIDR = o.podCIDR !== undefined && o.podCIDR !== '' ? o.podCIDR : await network.remembered();
  if (podCIDR !== undefined) await network.configure(podCIDR);
  let runtime: Runtime | undefined = undefined;
  const store = await ImageStore.open({ root: o.imagesDir ?? path.join(o.root, 'images'), inUse: (dir: string) => runtime?.layerInUse(dir) ?? true });
  runtime = new Runtime({ root: o.root, helper, cgroups: cgroupsPort(manager), network, images: imagesPort(store) });
  await runtime.start();
  const grpc: ShimServer = await serve(runtime, socket);
  logger.info('runtime shim serving', { socket, root: o.root, cgroups: manager.mode });
  const rt = runtime;
  return {
    socket,
    runtime: rt,
    close: async () => {
      await grpc.close();
      helper.close();
    },
    destroyNode: async () => {
      for (const s of await rt.listPodSandbox(null)) if (s.id !== undefined) await rt.removePodSandbox(s.id);
      await network.removeNode();
      await manager.destroy(manager.root);
    },
  };
}
