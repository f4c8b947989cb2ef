// The e2e cluster harness: a real `keelson server` on the host plus worker nodes in network namespaces, driven with keelctl, all removed afterwards.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inNetns, TestNetwork, usedPrefixes } from './net';
import { CommandFailedError, killWithArg, run, runSyncQuiet, startDaemon, until, type Daemon } from './proc';

/** The repository root (this file is e2e/src/harness/ or e2e/dist/harness/). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface ClusterOptions {
  /** Worker nodes, each in its own network namespace. 0 (default): one node, on the host. */
  workers?: number;
  /** Run a kubelet with the control plane, so it is a node too (default true). */
  controlPlaneAgent?: boolean;
  /**
   * Passed to the node lifecycle controller (default `40s`, upstream's). Nodes renew their Lease every 10 s, so
   * anything under ~20 s marks healthy nodes Unknown; node failure scenarios use 25 s.
   */
  nodeMonitorGracePeriod?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * How workers join: `agent` (`keelson agent --server … --token …` with a token from `keelson token create`),
   * `kubelet` (`keelson kubelet --kubeconfig <admin kubeconfig>`), or `auto` (default): the agent when this build has it.
   */
  join?: 'agent' | 'kubelet' | 'auto';
  /** A directory the components' logs are copied to (under `<id>/`) before the cluster is removed; default none. */
  keepLogsIn?: string | undefined;
}

/** Options with defaults applied. */
type ClusterConfig = Required<Omit<ClusterOptions, 'keepLogsIn'>> & Pick<ClusterOptions, 'keepLogsIn'>;

/** One node of the cluster as the harness sees it. */
export interface NodeHandle {
  key: string;
  name: string;
  ip: string;
  /** Network namespace; undefined for the control plane's own node on the host. */
  netns: string | undefined;
  dir: string;
  cgroupRoot: string;
  bridge: string;
  /** Prefix of the node's pod-network iptables chains (each node on this machine has its own). */
  chainPrefix: string;
  daemon: Daemon | undefined;
}

/** A keelctl call failed; `output` is what the user would have seen. */
export class KeelctlError extends Error {
  readonly args: readonly string[];
  readonly output: string;
  constructor(args: readonly string[], output: string, options?: { cause?: unknown }) {
    super(`keelctl ${args.join(' ')} failed: ${output.trim().slice(-2000)}`, options);
    this.name = 'KeelctlError';
    this.args = args;
    this.output = output;
  }
}

/** The kube-dns ClusterIP `keelson server` installs; every node's proxy answers DNS on it (on its loopback). */
const KUBE_DNS_IP = '10.96.0.10';

/** Every cluster not yet stopped, torn down synchronously if the test process exits first. */
const live = new Set<Cluster>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const teardownAll = (): void => {
    for (const c of live) c.teardownSync();
  };
  process.on('exit', teardownAll);
  // A fatal signal ends Node without 'exit': tear down, then die of the same signal — unless someone else handles it.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.prependListener(sig, function onSignal() {
      if (process.listenerCount(sig) > 1) return;
      teardownAll();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    });
  }
}

export class Cluster {
  readonly id: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly clusterCIDR: string;
  readonly network: TestNetwork | undefined;
  /** Nodes by key (`cp`, `w1`, `w2`, …). */
  readonly nodes = new Map<string, NodeHandle>();
  private server: Daemon | undefined;
  private serverEnv: NodeJS.ProcessEnv = {};
  private workerCount = 0;
  private readonly imagesDir: string;
  private readonly logLevel: string;
  private tornDown = false;
  /** Whether the host had the kube-dns address on lo before this cluster's host proxy could add it. */
  private hostHadDnsAddress = true;

  private constructor(
    private readonly opts: ClusterConfig,
    clusterOctet: number,
    netPrefix: string | undefined,
  ) {
    this.id = randomBytes(2).toString('hex');
    this.dir = mkdtempSync(join(tmpdir(), `keelson-e2e-${this.id}-`));
    this.kubeconfig = join(this.dir, 'kubeconfig');
    this.imagesDir = join(this.dir, 'images');
    this.clusterCIDR = `10.${clusterOctet}.0.0/16`;
    this.network = netPrefix !== undefined ? new TestNetwork(this.id, netPrefix) : undefined;
    this.logLevel = opts.logLevel;
    mkdirSync(join(this.dir, 'logs'));
  }

  /** Starts a cluster and resolves once every node is Ready; on failure everything made so far is removed. */
  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const opts: ClusterConfig = {
      workers: options.workers ?? 0,
      controlPlaneAgent: options.controlPlaneAgent ?? true,
      nodeMonitorGracePeriod: options.nodeMonitorGracePeriod ?? '40s',
      logLevel: options.logLevel ?? 'warn',
      join: options.join ?? 'auto',
      keepLogsIn: options.keepLogsIn,
    };
    const used = await usedPrefixes();
    const clusterOctet = freeClusterOctet(used);
    const netPrefix = opts.workers > 0 ? `172.30.${pickFree(10, 250, (o) => !used.some((p) => p.startsWith(`172.30.${o}.`)))}` : undefined;
    const c = new Cluster(opts, clusterOctet, netPrefix);
    live.add(c);
    installExitHook();
    try {
      await c.boot();
    } catch (e: unknown) {
      await c.stop();
      throw e;
    }
    return c;
  }

  private async boot(): Promise<void> {
    this.hostHadDnsAddress = (await run('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout.includes(` ${KUBE_DNS_IP}/32 `);
    await run('bash', [join(REPO_ROOT, 'scripts/provision/prepare.sh')], { env: { ...process.env, KEELSON_IMAGES_DIR: this.imagesDir }, timeoutMs: 300_000 });
    await this.network?.create();
    const bind = this.network?.hostIP ?? '127.0.0.1';
    const port = await freePort(bind);
    const cp: NodeHandle = {
      key: 'cp',
      name: `e2e${this.id}-cp`,
      ip: this.network?.hostIP ?? '',
      netns: undefined,
      dir: join(this.dir, 'nodes', 'cp'),
      cgroupRoot: `ke2e-${this.id}-cp`,
      bridge: `kc${this.id}`,
      chainPrefix: `KE${this.id}CP`.toUpperCase(),
      daemon: undefined,
    };
    if (this.opts.controlPlaneAgent) this.nodes.set('cp', cp);
    this.serverEnv = {
      ...process.env,
      KEELSON_DATA_DIR: join(this.dir, 'server'),
      KEELSON_PORT: String(port),
      KEELSON_BIND_ADDRESS: bind,
      KEELSON_KUBECONFIG_OUT: this.kubeconfig,
      KEELSON_NODE_NAME: cp.name,
      KEELSON_NODE_IP: cp.ip,
      KEELSON_KUBELET_ROOT: cp.dir,
      KEELSON_IMAGES_DIR: this.imagesDir,
      KEELSON_CGROUP_ROOT: cp.cgroupRoot,
      KEELSON_BRIDGE: cp.bridge,
      KEELSON_CHAIN_PREFIX: cp.chainPrefix,
      KEELSON_CLUSTER_CIDR: this.clusterCIDR,
      KEELSON_KUBELET_PORT: String(await freePort('127.0.0.1')),
      KEELSON_LOCAL_PATH_DIR: join(this.dir, 'storage'),
      KEELSON_NODE_MONITOR_GRACE_PERIOD: this.opts.nodeMonitorGracePeriod,
      // The control plane's node shares the host's network: its proxy gets a table of its own and free ports.
      KEELSON_PROXY_TABLE: proxyTable(this.id),
      KEELSON_PROXY_HEALTHZ_PORT: '0',
      KEELSON_PROXY_METRICS_PORT: '0',
      KEELSON_LOG_LEVEL: this.logLevel,
      KEELSON_DISABLE_AGENT: this.opts.controlPlaneAgent ? '0' : '1',
    };
    await this.startServer();
    for (let i = 0; i < this.opts.workers; i++) await this.launchWorker();
    await this.waitNodesReady([...this.nodes.values()].map((n) => n.name));
  }

  private async startServer(): Promise<void> {
    rmSync(this.kubeconfig, { force: true });
    this.server = startDaemon('server', 'bash', [join(REPO_ROOT, 'scripts/provision/server.sh')], join(this.dir, 'logs', 'server.log'), this.serverEnv);
    const server = this.server;
    await until('the API server to answer', async () => {
      if (server.hasExited()) throw new Error(`keelson server exited; see ${server.logFile}`);
      if (!existsSync(this.kubeconfig)) return undefined;
      await this.keelctl(['get', 'namespaces', '-o', 'name']);
      return true;
    }, 120_000);
  }

  /** Creates a namespace for a new worker and starts its node there (agent with a join token once available, else kubelet). */
  private async launchWorker(): Promise<NodeHandle> {
    if (this.network === undefined) throw new Error('a single-node cluster has no test network: start it with workers > 0');
    const key = `w${++this.workerCount}`;
    const net = await this.network.addNode(key);
    const node: NodeHandle = {
      key,
      name: `e2e${this.id}-${key}`,
      ip: net.ip,
      netns: net.netns,
      dir: join(this.dir, 'nodes', key),
      cgroupRoot: `ke2e-${this.id}-${key}`,
      bridge: 'kpods0',
      chainPrefix: `KE${this.id}${key}`.toUpperCase().slice(0, 16),
      daemon: undefined,
    };
    this.nodes.set(key, node);
    mkdirSync(node.dir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KEELSON_NODE_NAME: node.name,
      KEELSON_NODE_IP: node.ip,
      KEELSON_NODE_DIR: node.dir,
      KEELSON_IMAGES_DIR: this.imagesDir,
      KEELSON_CGROUP_ROOT: node.cgroupRoot,
      KEELSON_BRIDGE: node.bridge,
      KEELSON_CHAIN_PREFIX: node.chainPrefix,
      KEELSON_CLUSTER_CIDR: this.clusterCIDR,
      KEELSON_KUBECONFIG: this.kubeconfig,
      KEELSON_LOG_LEVEL: this.logLevel,
      // The kube-dns ClusterIP the server installs; each node's proxy answers DNS there.
      KEELSON_CLUSTER_DNS: KUBE_DNS_IP,
    };
    if (await this.joinsWithAgent()) {
      // A join token per node, as an operator would create one (`keelson token create`).
      const keelson = join(REPO_ROOT, 'bin/keelson');
      env.KEELSON_TOKEN = (await run(process.execPath, [keelson, 'token', 'create', '--kubeconfig', this.kubeconfig, '--ttl', '1h'])).stdout.trim();
      env.KEELSON_SERVER = serverUrl(readFileSync(this.kubeconfig, 'utf8'));
    }
    const [cmd, args] = inNetns(net.netns, 'bash', [join(REPO_ROOT, 'scripts/provision/node.sh')]);
    node.daemon = startDaemon(key, cmd, args, join(this.dir, 'logs', `${key}.log`), env);
    return node;
  }

  private async joinsWithAgent(): Promise<boolean> {
    if (this.opts.join !== 'auto') return this.opts.join === 'agent';
    const help = await run(process.execPath, [join(REPO_ROOT, 'bin/keelson'), 'agent', '--help']).catch(() => ({ stdout: '' }));
    return help.stdout.includes('--token') && !help.stdout.includes('not available');
  }

  /** Joins one more worker and waits until its Node is Ready; returns its Node name. */
  async addWorker(): Promise<string> {
    const node = await this.launchWorker();
    await this.waitNodesReady([node.name]);
    return node.name;
  }

  /** Kills a worker as a power loss would: its kubelet, shim and containers die at once and its address stops answering. */
  async killWorker(key: string): Promise<void> {
    const node = this.nodes.get(key);
    if (node?.netns === undefined) throw new Error(`no worker ${key}`);
    node.daemon?.kill();
    await node.daemon?.exited;
    node.daemon = undefined;
    killWithArg(node.dir);
    await this.network?.unplug(key);
  }

  /** Stops the control plane (SIGTERM) and starts it again on the same data directory. */
  async restartControlPlane(): Promise<void> {
    await this.server?.stop();
    await this.startServer();
  }

  /** Runs keelctl against this cluster; resolves with its stdout, rejects with KeelctlError. */
  async keelctl(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    try {
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin/keelctl'), '--kubeconfig', this.kubeconfig, ...args], {
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        timeoutMs: opts.timeoutMs ?? 120_000,
      });
      return stdout;
    } catch (e: unknown) {
      const out = e instanceof CommandFailedError ? `${e.stdout}${e.stderr}` : String(e);
      throw new KeelctlError(args, out, { cause: e });
    }
  }

  /** `keelctl get … -o json`, parsed. */
  async getJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.keelctl(['get', ...args, '-o', 'json'])) as T;
  }

  /** Waits until every named Node reports Ready=True. */
  async waitNodesReady(names: readonly string[], ms = 120_000): Promise<void> {
    await until(`nodes ${names.join(', ')} Ready`, async () => {
      for (const d of this.daemons()) if (d.hasExited()) throw new Error(`${d.name} exited; see ${d.logFile}`);
      const list = await this.getJson<{ items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }> }>(['nodes']);
      const ready = new Set(list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name));
      return names.every((n) => ready.has(n)) ? true : undefined;
    }, ms);
  }

  /** Log files, for a failing test's message. */
  logs(): string[] {
    return readdirSync(join(this.dir, 'logs')).map((f) => join(this.dir, 'logs', f));
  }

  private daemons(): Daemon[] {
    return [this.server, ...[...this.nodes.values()].map((n) => n.daemon)].filter((d): d is Daemon => d !== undefined);
  }

  /** Stops every process gracefully, then removes everything the cluster made. */
  async stop(): Promise<void> {
    await Promise.all(this.daemons().map((d) => d.stop(10_000)));
    this.teardownSync();
  }

  /**
   * Removes everything, synchronously (it also runs from a process 'exit' hook): every process tree,
   * each node's pods, containers, pod bridge, iptables chains and cgroups (`keelson shim --cleanup`),
   * leftover cgroups, the namespaces, veths and test bridge, and the temporary directory.
   */
  teardownSync(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    live.delete(this);
    for (const d of this.daemons()) d.kill();
    for (const n of this.nodes.values()) cleanupNodeSync(n, this.clusterCIDR);
    // The host node's service proxy rules (workers' go with their namespaces).
    runSyncQuiet('nft', ['delete', 'table', 'ip', proxyTable(this.id)]);
    if (this.opts.controlPlaneAgent && !this.hostHadDnsAddress) runSyncQuiet('ip', ['addr', 'del', `${KUBE_DNS_IP}/32`, 'dev', 'lo']);
    if (this.opts.keepLogsIn !== undefined) {
      try {
        cpSync(join(this.dir, 'logs'), join(this.opts.keepLogsIn, this.id), { recursive: true });
      } catch {
        // best effort: the logs are a debugging aid
      }
    }
    this.network?.destroySync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Removes what one node left on the machine, synchronously: its shim (the one process naming the node's socket;
 * detached from the kubelet that started it), then `keelson shim --cleanup` (pods, containers, pod bridge, iptables
 * chains, cgroups), then anything still in the node's cgroups (a killed node's containers), the cgroups, and any
 * process still naming the node's directory. The kubelet/server must be stopped first.
 */
export function cleanupNodeSync(n: Pick<NodeHandle, 'dir' | 'cgroupRoot' | 'bridge' | 'netns' | 'chainPrefix'>, clusterCIDR: string): void {
  const keelson = join(REPO_ROOT, 'bin/keelson');
  killWithArg(join(n.dir, 'shim', 'shim.sock'));
  if (existsSync(join(n.dir, 'shim'))) {
    const args = ['shim', '--cleanup', '--root', join(n.dir, 'shim'), '--cgroup-root', n.cgroupRoot, '--bridge', n.bridge, '--cluster-cidr', clusterCIDR, '--chain-prefix', n.chainPrefix];
    const [cmd, full] = n.netns !== undefined ? inNetns(n.netns, process.execPath, [keelson, ...args]) : [process.execPath, [keelson, ...args]];
    if (n.netns === undefined || existsSync(`/run/netns/${n.netns}`)) runSyncQuiet(cmd, full, 120_000);
    // Pod network namespaces the shim could not tear down (its node's namespace already gone, a killed worker):
    // named after the sandbox records the shim kept.
    const records = join(n.dir, 'shim', 'state', 'sandboxes');
    for (const file of existsSync(records) ? readdirSync(records) : []) {
      const name = `keelson-${file.replace(/\.json$/, '')}`;
      if (existsSync(`/run/netns/${name}`)) runSyncQuiet('ip', ['netns', 'del', name], 10_000);
    }
  }
  removeCgroups(n.cgroupRoot);
  killWithArg(n.dir);
}

/** Kills every process in `<hierarchy>/<name>` cgroups of every mounted hierarchy, then removes them (deepest first). */
function removeCgroups(name: string): void {
  const base = '/sys/fs/cgroup';
  const roots = [join(base, name), ...safeList(base).map((h) => join(base, h, name))].filter((r) => existsSync(r));
  const walk = (dir: string, visit: (d: string) => void): void => {
    for (const e of safeList(dir)) {
      const p = join(dir, e);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory() === true) walk(p, visit);
    }
    visit(dir);
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    let left = 0;
    for (const root of roots) {
      walk(root, (d) => {
        for (const pid of safeRead(join(d, 'cgroup.procs')).split('\n').filter((l) => l !== '')) {
          left++;
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone already
          }
        }
      });
    }
    if (left === 0) break;
    runSyncQuiet('sleep', ['0.2']);
  }
  for (const root of roots) {
    walk(root, (d) => {
      try {
        rmdirSync(d);
      } catch {
        // a process we could not kill is still there: left for the caller's checks to report
      }
    });
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The API server URL of a kubeconfig's first cluster. */
function serverUrl(kubeconfig: string): string {
  const m = /^\s*server:\s*['"]?([^'"\s]+)/m.exec(kubeconfig);
  if (m?.[1] === undefined) throw new Error('the admin kubeconfig names no server');
  return m[1];
}

/** The nftables table of the service proxy of a cluster's host node. */
export function proxyTable(id: string): string {
  return `ke2e-proxy-${id}`;
}

/** A second octet N such that nothing on this host routes 10.N.0.0/16 yet (for a cluster CIDR). */
export function freeClusterOctet(used: readonly string[]): number {
  return pickFree(160, 240, (o) => !used.some((p) => p.startsWith(`10.${o}.`)));
}

function pickFree(from: number, to: number, free: (n: number) => boolean): number {
  const start = from + Math.floor(Math.random() * (to - from));
  for (let i = 0; i < to - from; i++) {
    const n = from + ((start - from + i) % (to - from));
    if (free(n)) return n;
  }
  throw new Error(`no free address range between ${from} and ${to}`);
}

/** A TCP port on `host` that was free a moment ago. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}
