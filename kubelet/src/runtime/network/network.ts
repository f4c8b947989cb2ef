// Pod networking on one node: a bridge, a netns + veth + IP per pod sandbox, masquerade, hostPort DNAT, routes to other nodes.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Ipv4Cidr, parseIPv4 } from './cidr';
import { CommandError, ExecFileRunner, type CommandRunner } from './exec';
import { IpAllocator, isErrno } from './ipam';
import { Iptables } from './iptables';

/** A CRI-style port mapping: traffic to hostPort on the node goes to containerPort on the pod IP. */
export interface PortMapping {
  protocol: 'TCP' | 'UDP';
  hostPort: number;
  containerPort: number;
  /** Only traffic to this node address is mapped; empty means every local address. */
  hostIP?: string;
}

/** Another node's pod CIDR and the node address to route it through. */
export interface NodeRoute {
  podCIDR: string;
  nodeIP: string;
}

export interface PodNetworkOptions {
  /** This node's pod CIDR, e.g. 10.42.0.0/24. The bridge gets its first host address as the pods' gateway. */
  podCIDR: string;
  /** The whole cluster's pod CIDR; pod traffic to anywhere outside it is masqueraded. Defaults to podCIDR. */
  clusterCIDR?: string;
  /** Directory for persistent state (IP allocations). */
  stateDir: string;
  bridgeName?: string;
  /** MTU for the bridge side and pods; defaults to the MTU of the interface holding the default route, else 1500. */
  mtu?: number;
  /** Prefix of the network namespace names (`ip netns`); the sandbox id follows. */
  netnsPrefix?: string;
  /** Prefix of our iptables chains: `<prefix>-POSTROUTING`, `<prefix>-HOSTPORTS`, `<prefix>-FORWARD`. */
  chainPrefix?: string;
  /** Route protocol number tagging the routes `addRoutes` owns, so stale ones can be found and removed. */
  routeProtocol?: number;
  /** Map hostPorts for connections to 127.0.0.1 as well (sets route_localnet on the bridge and masquerades 127/8). */
  localhostHostPorts?: boolean;
  runner?: CommandRunner;
  ipBinary?: string;
  iptablesBinary?: string;
  /** Root of the sysctl tree; tests point this elsewhere. */
  sysctlDir?: string;
  /** Where `ip netns` keeps namespace handles. */
  netnsDir?: string;
}

export interface PodNetworkConfig {
  podCIDR: Ipv4Cidr;
  clusterCIDR: Ipv4Cidr;
  stateDir: string;
  bridgeName: string;
  mtu: number | undefined;
  netnsPrefix: string;
  chainPrefix: string;
  routeProtocol: number;
  localhostHostPorts: boolean;
  ipBinary: string;
  iptablesBinary: string;
  sysctlDir: string;
  netnsDir: string;
}

/** What a pod sandbox's network looks like after setup. */
export interface PodNetworkStatus {
  sandboxId: string;
  netnsName: string;
  /** Path a container process joins (setns) for the pod's network namespace. */
  netnsPath: string;
  ip: string;
  prefixLength: number;
  gateway: string;
  interfaceName: 'eth0';
  hostVeth: string;
  mtu: number;
}

/** Pod network setup or teardown failed; `cause` has the failing command. */
export class PodNetworkError extends Error {
  constructor(
    readonly sandboxId: string,
    readonly operation: 'setup' | 'teardown' | 'node-setup' | 'routes',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`pod network ${operation}${sandboxId ? ` for sandbox ${sandboxId}` : ''}: ${message}`, options);
    this.name = 'PodNetworkError';
  }
}

const POD_IFNAME = 'eth0';

export function podNetworkConfig(o: PodNetworkOptions): PodNetworkConfig {
  const podCIDR = Ipv4Cidr.parse(o.podCIDR);
  const clusterCIDR = Ipv4Cidr.parse(o.clusterCIDR ?? o.podCIDR);
  if (!clusterCIDR.contains(podCIDR.network) || clusterCIDR.prefixLength > podCIDR.prefixLength) {
    throw new RangeError(`pod CIDR ${o.podCIDR} is not inside cluster CIDR ${clusterCIDR.toString()}`);
  }
  const bridgeName = o.bridgeName ?? 'keelson0';
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridgeName)) throw new RangeError(`invalid bridge name "${bridgeName}" (at most 15 characters)`);
  if (podCIDR.prefixLength > 30) throw new RangeError(`pod CIDR ${o.podCIDR} is too small`);
  return {
    podCIDR,
    clusterCIDR,
    stateDir: o.stateDir,
    bridgeName,
    mtu: o.mtu,
    netnsPrefix: o.netnsPrefix ?? 'keelson-',
    chainPrefix: o.chainPrefix ?? 'KEELSON',
    routeProtocol: o.routeProtocol ?? 213,
    localhostHostPorts: o.localhostHostPorts ?? true,
    ipBinary: o.ipBinary ?? 'ip',
    iptablesBinary: o.iptablesBinary ?? 'iptables',
    sysctlDir: o.sysctlDir ?? '/proc/sys',
    netnsDir: o.netnsDir ?? '/run/netns',
  };
}

/**
 * Programs a node's pod network with iproute2 and iptables: `ensureNode` once, then `setup`/`teardown` per pod
 * sandbox. Every step is idempotent, so a repeated or interrupted setup is completed, and teardown of a half set up
 * (or already removed) sandbox succeeds.
 */
export class PodNetwork {
  readonly config: PodNetworkConfig;
  readonly allocator: IpAllocator;
  private readonly runner: CommandRunner;
  private readonly iptables: Iptables;
  private mtu: number | undefined;

  constructor(options: PodNetworkOptions) {
    this.config = podNetworkConfig(options);
    this.runner = options.runner ?? new ExecFileRunner();
    this.iptables = new Iptables(this.runner, this.config.iptablesBinary);
    this.allocator = new IpAllocator({ dir: path.join(this.config.stateDir, 'ipam', this.config.bridgeName), subnet: this.config.podCIDR.toString() });
    this.mtu = this.config.mtu;
  }

  get gateway(): string {
    return this.allocator.gateway;
  }

  get chains(): { postrouting: string; hostports: string; forward: string } {
    const p = this.config.chainPrefix;
    return { postrouting: `${p}-POSTROUTING`, hostports: `${p}-HOSTPORTS`, forward: `${p}-FORWARD` };
  }

  /** Name of the network namespace of a sandbox. */
  netnsName(sandboxId: string): string {
    return `${this.config.netnsPrefix}${sandboxId}`;
  }

  /** Host-side veth name: "veth" + 8 hex digits derived from the netns name, so teardown finds it without state. */
  hostVethName(sandboxId: string): string {
    const h = createHash('sha256').update(`${this.config.bridgeName}/${this.netnsName(sandboxId)}`).digest('hex');
    return `veth${h.slice(0, 8)}`;
  }

  /** Creates the bridge with the gateway address, enables forwarding, and installs our iptables chains. Idempotent. */
  async ensureNode(): Promise<void> {
    const { bridgeName, podCIDR } = this.config;
    try {
      const mtu = await this.resolveMtu();
      if (!(await this.linkExists(bridgeName))) {
        await this.ignoring(/File exists/, this.ip(['link', 'add', 'name', bridgeName, 'mtu', String(mtu), 'type', 'bridge']));
      }
      await this.ip(['addr', 'replace', `${this.gateway}/${podCIDR.prefixLength}`, 'dev', bridgeName]);
      await this.ip(['link', 'set', bridgeName, 'up']);
      await this.sysctl('net/ipv4/ip_forward', '1');
      if (this.config.localhostHostPorts) await this.sysctl(`net/ipv4/conf/${bridgeName}/route_localnet`, '1');
      await this.ensureChains();
    } catch (err: unknown) {
      throw new PodNetworkError('', 'node-setup', errorText(err), { cause: err });
    }
  }

  /** Removes the bridge and our iptables chains (node decommission and tests). Pods should be torn down first. */
  async removeNode(): Promise<void> {
    const c = this.chains;
    const jumps = this.jumpRules();
    for (const j of jumps) await this.iptables.deleteRule(j.table, j.from, j.rule);
    await this.iptables.deleteChain('nat', c.postrouting);
    await this.iptables.deleteChain('nat', c.hostports);
    await this.iptables.deleteChain('filter', c.forward);
    await this.ignoring(/Cannot find device|does not exist/, this.ip(['link', 'del', this.config.bridgeName]));
  }

  /** Sets up (or completes) the network of a pod sandbox; on failure everything set up so far is removed. */
  async setup(sandboxId: string, portMappings: readonly PortMapping[] = []): Promise<PodNetworkStatus> {
    validateSandboxId(sandboxId);
    for (const pm of portMappings) validatePortMapping(pm);
    try {
      return await this.doSetup(sandboxId, portMappings);
    } catch (err: unknown) {
      // The setup error is the one to report; a failed rollback is appended (teardown can be retried by the caller).
      const rollback = await this.teardown(sandboxId).then(
        () => '',
        (rbErr: unknown) => ` (rollback failed too: ${errorText(rbErr)})`,
      );
      throw new PodNetworkError(sandboxId, 'setup', `${errorText(err)}${rollback}`, { cause: err });
    }
  }

  /** The sandbox's network, if its namespace exists and it holds an IP. */
  async status(sandboxId: string): Promise<PodNetworkStatus | undefined> {
    validateSandboxId(sandboxId);
    const ip = await this.allocator.find(sandboxId);
    if (!ip || !(await pathExists(this.netnsPath(sandboxId)))) return undefined;
    return this.statusOf(sandboxId, ip, await this.resolveMtu());
  }

  /** Removes hostPort rules, the veth pair, the netns and the IP. Idempotent; safe on a half set up sandbox. */
  async teardown(sandboxId: string): Promise<void> {
    validateSandboxId(sandboxId);
    const errors: unknown[] = [];
    const step = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err: unknown) {
        errors.push(err);
      }
    };
    await step(this.removeHostPorts(sandboxId));
    await step(this.ignoring(/Cannot find device|does not exist/, this.ip(['link', 'del', this.hostVethName(sandboxId)])));
    if (await pathExists(this.netnsPath(sandboxId))) await step(this.removeNetns(sandboxId));
    // Release last: while the IP is held, a half torn down sandbox can still be retried without its IP being reused.
    if (errors.length === 0) await step(this.allocator.release(sandboxId));
    if (errors.length > 0) {
      throw new PodNetworkError(sandboxId, 'teardown', errors.map(errorText).join('; '), { cause: errors[0] });
    }
  }

  /**
   * Makes the routes to other nodes' pod CIDRs exactly `nodes` (minus our own CIDR): replaces changed ones and deletes
   * routes we own (by route protocol) that are no longer wanted.
   */
  async addRoutes(nodes: readonly NodeRoute[]): Promise<void> {
    try {
      const wanted = new Map<string, string>();
      for (const n of nodes) {
        const cidr = Ipv4Cidr.parse(n.podCIDR).toString();
        parseIPv4(n.nodeIP);
        if (cidr === this.config.podCIDR.toString()) continue;
        wanted.set(cidr, n.nodeIP);
      }
      const proto = String(this.config.routeProtocol);
      const current = await this.ownedRoutes();
      for (const [dst, via] of current) {
        if (wanted.get(dst) === via) continue;
        if (!wanted.has(dst)) await this.ignoring(/No such process/, this.ip(['route', 'del', dst, 'proto', proto]));
      }
      for (const [dst, via] of wanted) {
        if (current.get(dst) === via) continue;
        await this.ip(['route', 'replace', dst, 'via', via, 'proto', proto]);
      }
    } catch (err: unknown) {
      throw new PodNetworkError('', 'routes', errorText(err), { cause: err });
    }
  }

  /** Routes tagged with our route protocol: destination CIDR → gateway. */
  async ownedRoutes(): Promise<Map<string, string>> {
    const out = (await this.ip(['-j', 'route', 'show', 'proto', String(this.config.routeProtocol)])).stdout.trim();
    const routes = new Map<string, string>();
    if (!out) return routes;
    for (const r of JSON.parse(out) as Array<{ dst?: string; gateway?: string }>) {
      if (!r.dst || r.dst === 'default') continue;
      routes.set(r.dst.includes('/') ? r.dst : `${r.dst}/32`, r.gateway ?? '');
    }
    return routes;
  }

  private netnsPath(sandboxId: string): string {
    return path.join(this.config.netnsDir, this.netnsName(sandboxId));
  }

  private async doSetup(sandboxId: string, portMappings: readonly PortMapping[]): Promise<PodNetworkStatus> {
    const ns = this.netnsName(sandboxId);
    const veth = this.hostVethName(sandboxId);
    const mtu = await this.resolveMtu();
    const ip = await this.allocator.allocate(sandboxId);

    // A fresh sandbox: two `ip -batch` runs (host side, then inside the namespace) instead of one process per step.
    // Should a step find something of an earlier attempt in place, the step-by-step path completes the rest.
    const fresh =
      !(await pathExists(this.netnsPath(sandboxId))) &&
      (await this.freshSetup(ns, veth, ip, mtu).then(
        () => true,
        (err: unknown) => {
          if (err instanceof CommandError && /File exists/.test(err.stderr)) return false;
          throw err;
        },
      ));
    if (!fresh) await this.stepwiseSetup(sandboxId, ns, veth, ip, mtu);
    for (const pm of portMappings) {
      await this.iptables.ensureRule('nat', this.chains.hostports, this.hostPortRule(sandboxId, ip, pm));
    }
    return this.statusOf(sandboxId, ip, mtu);
  }

  /** A sandbox set up before (a retry after a partial failure): each step on its own, tolerating what already exists. */
  private async stepwiseSetup(sandboxId: string, ns: string, veth: string, ip: string, mtu: number): Promise<void> {
    if (!(await pathExists(this.netnsPath(sandboxId)))) await this.ignoring(/File exists/, this.ip(['netns', 'add', ns]));
    await this.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    if (!(await this.linkExists(veth))) {
      // A pod-side eth0 left without its host peer cannot be reused: remove it and create the pair afresh.
      await this.ignoring(/Cannot find device|does not exist/, this.ip(['-n', ns, 'link', 'del', POD_IFNAME]));
      await this.ip(['link', 'add', veth, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', POD_IFNAME, 'mtu', String(mtu), 'netns', ns]);
    }
    await this.ip(['link', 'set', veth, 'master', this.config.bridgeName]);
    // Hairpin: a pod reaching its own Service is DNATed back out of the port it came in on (as the bridge CNI plugin's hairpinMode).
    await this.ip(['link', 'set', veth, 'type', 'bridge_slave', 'hairpin', 'on']);
    await this.ip(['link', 'set', veth, 'up']);
    await this.ip(['-n', ns, 'addr', 'replace', `${ip}/${this.config.podCIDR.prefixLength}`, 'dev', POD_IFNAME]);
    await this.ip(['-n', ns, 'link', 'set', POD_IFNAME, 'up']);
    await this.ip(['-n', ns, 'route', 'replace', 'default', 'via', this.gateway, 'dev', POD_IFNAME]);
  }

  /** A fresh sandbox's network: two `ip -batch` runs (host side, then inside the namespace). */
  private async freshSetup(ns: string, veth: string, ip: string, mtu: number): Promise<void> {
    const m = String(mtu);
    await this.ipBatch(
      [
        ['netns', 'add', ns],
        ['link', 'add', veth, 'mtu', m, 'type', 'veth', 'peer', 'name', POD_IFNAME, 'mtu', m, 'netns', ns],
        ['link', 'set', veth, 'master', this.config.bridgeName],
        // Hairpin: a pod reaching its own Service is DNATed back out of the port it came in on (the bridge CNI plugin's hairpinMode).
        ['link', 'set', veth, 'type', 'bridge_slave', 'hairpin', 'on'],
        ['link', 'set', veth, 'up'],
      ],
    );
    await this.ipBatch(
      [
        ['link', 'set', 'lo', 'up'],
        ['addr', 'replace', `${ip}/${this.config.podCIDR.prefixLength}`, 'dev', POD_IFNAME],
        ['link', 'set', POD_IFNAME, 'up'],
        ['route', 'replace', 'default', 'via', this.gateway, 'dev', POD_IFNAME],
      ],
      ns,
    );
  }

  private statusOf(sandboxId: string, ip: string, mtu: number): PodNetworkStatus {
    return {
      sandboxId,
      netnsName: this.netnsName(sandboxId),
      netnsPath: this.netnsPath(sandboxId),
      ip,
      prefixLength: this.config.podCIDR.prefixLength,
      gateway: this.gateway,
      interfaceName: POD_IFNAME,
      hostVeth: this.hostVethName(sandboxId),
      mtu,
    };
  }

  /** DNAT rule for one mapping, tagged with a comment naming the sandbox so teardown can find it without state. */
  hostPortRule(sandboxId: string, podIP: string, pm: PortMapping): string[] {
    const proto = pm.protocol.toLowerCase();
    return [
      ...(pm.hostIP ? ['-d', `${pm.hostIP}/32`] : []),
      '-p', proto, '-m', proto, '--dport', String(pm.hostPort),
      '-m', 'comment', '--comment', this.hostPortComment(sandboxId),
      '-j', 'DNAT', '--to-destination', `${podIP}:${pm.containerPort}`,
    ];
  }

  private hostPortComment(sandboxId: string): string {
    return `keelson-hostport:${sandboxId}`;
  }

  private async removeHostPorts(sandboxId: string): Promise<void> {
    const comment = this.hostPortComment(sandboxId);
    for (const rule of await this.iptables.listRules('nat', this.chains.hostports)) {
      const i = rule.indexOf('--comment');
      if (i >= 0 && rule[i + 1] === comment) await this.iptables.deleteRule('nat', this.chains.hostports, rule);
    }
  }

  private jumpRules(): Array<{ table: 'nat' | 'filter'; from: string; rule: string[] }> {
    const c = this.chains;
    return [
      { table: 'nat', from: 'POSTROUTING', rule: ['-m', 'comment', '--comment', 'keelson pod masquerade', '-j', c.postrouting] },
      { table: 'nat', from: 'PREROUTING', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'keelson hostports', '-j', c.hostports] },
      { table: 'nat', from: 'OUTPUT', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'keelson hostports', '-j', c.hostports] },
      { table: 'filter', from: 'FORWARD', rule: ['-m', 'comment', '--comment', 'keelson pod forwarding', '-j', c.forward] },
    ];
  }

  /** Our chains with their rules, and the jumps from the built-in chains into them. */
  private async ensureChains(): Promise<void> {
    const c = this.chains;
    const { podCIDR, clusterCIDR, bridgeName } = this.config;
    await this.iptables.ensureChain('nat', c.postrouting);
    await this.iptables.ensureChain('nat', c.hostports);
    await this.iptables.ensureChain('filter', c.forward);
    // Pod traffic leaving the cluster's pod network takes the node's address (flannel/kubenet "ip-masq").
    await this.iptables.ensureRule('nat', c.postrouting, [
      '-s', podCIDR.toString(), '!', '-d', clusterCIDR.toString(),
      '-m', 'comment', '--comment', 'keelson: masquerade pod traffic leaving the cluster CIDR', '-j', 'MASQUERADE',
    ]);
    if (this.config.localhostHostPorts) {
      // Like the kubelet's hostport manager: 127.0.0.1:hostPort DNATed into the bridge needs a routable source.
      await this.iptables.ensureRule('nat', c.postrouting, [
        '-s', '127.0.0.0/8', '-o', bridgeName,
        '-m', 'comment', '--comment', 'keelson: SNAT for localhost access to hostports', '-j', 'MASQUERADE',
      ]);
    }
    await this.iptables.ensureRule('filter', c.forward, ['-s', podCIDR.toString(), '-j', 'ACCEPT']);
    await this.iptables.ensureRule('filter', c.forward, ['-d', podCIDR.toString(), '-j', 'ACCEPT']);
    for (const j of this.jumpRules()) await this.iptables.ensureRule(j.table, j.from, j.rule, 'first');
  }

  private async resolveMtu(): Promise<number> {
    if (this.mtu !== undefined) return this.mtu;
    let mtu = 1500;
    try {
      const out = (await this.ip(['-j', 'route', 'show', 'default'])).stdout.trim();
      const dev = out ? (JSON.parse(out) as Array<{ dev?: string }>)[0]?.dev : undefined;
      if (dev) mtu = Number((await fs.readFile(`/sys/class/net/${dev}/mtu`, 'utf8')).trim()) || 1500;
    } catch {
      // No default route (isolated node): keep the Ethernet default.
      mtu = 1500;
    }
    this.mtu = mtu;
    return mtu;
  }

  private async linkExists(name: string): Promise<boolean> {
    try {
      await this.ip(['link', 'show', 'dev', name]);
      return true;
    } catch (err: unknown) {
      if (err instanceof CommandError && /does not exist|Cannot find device/i.test(err.stderr)) return false;
      throw err;
    }
  }

  private async sysctl(key: string, value: string): Promise<void> {
    const file = path.join(this.config.sysctlDir, key);
    const current = await fs.readFile(file, 'utf8').catch(() => '');
    if (current.trim() !== value) await fs.writeFile(file, value);
  }

  private ip(args: readonly string[]) {
    return this.runner.run(this.config.ipBinary, args);
  }

  /**
   * Deletes the named namespace. Its handle can stay busy for a moment while the last processes that saw it exit (a
   * container's mount namespace holds a copy of the mount): retried, then the handle is detached and unlinked directly.
   */
  private async removeNetns(sandboxId: string): Promise<void> {
    const file = this.netnsPath(sandboxId);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.ip(['netns', 'del', this.netnsName(sandboxId)]);
        return;
      } catch (err: unknown) {
        if (/No such file/.test(errorText(err))) return;
        if (!(await pathExists(file))) return;
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    }
    await this.ignoring(/not mounted|no mount point|No such file/, this.runner.run('umount', ['-l', file]));
    await fs.rm(file, { force: true });
  }

  /** Several `ip` commands in one process (`ip -batch -`), optionally inside a named namespace; stops at the first failure. */
  private ipBatch(commands: readonly (readonly string[])[], netns?: string) {
    const input = `${commands.map((c) => c.join(' ')).join('\n')}\n`;
    return this.runner.run(this.config.ipBinary, [...(netns !== undefined ? ['-n', netns] : []), '-batch', '-'], { input });
  }

  private async ignoring(pattern: RegExp, p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err: unknown) {
      if (err instanceof CommandError && pattern.test(err.stderr)) return;
      throw err;
    }
  }
}

function validateSandboxId(id: string): void {
  // The netns name is a file name under /run/netns and part of iptables comments.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(id)) throw new RangeError(`invalid sandbox id "${id}"`);
}

function validatePortMapping(pm: PortMapping): void {
  for (const p of [pm.hostPort, pm.containerPort]) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`invalid port ${p} in port mapping`);
  }
  if (pm.protocol !== 'TCP' && pm.protocol !== 'UDP') throw new RangeError(`unsupported hostPort protocol ${String(pm.protocol)}`);
  if (pm.hostIP) parseIPv4(pm.hostIP);
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch (err: unknown) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
