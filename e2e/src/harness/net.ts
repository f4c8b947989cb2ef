// The multi-node harness's network: a test bridge on the host and one network namespace per worker node, joined by veth pairs.
import { run, runSyncQuiet } from './proc';

/** A node's place on the test network. */
export interface NetNode {
  /** Network namespace name (under /run/netns). */
  netns: string;
  /** The node's address on the test bridge. */
  ip: string;
  /** Host side of its veth pair (on the bridge). */
  hostVeth: string;
}

/** Addresses already routed on this host (so a test network never shadows one). */
export async function usedPrefixes(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', 'route', 'show']);
  const routes = JSON.parse(stdout) as Array<{ dst?: string }>;
  return routes.map((r) => r.dst ?? '').filter((d) => d !== '' && d !== 'default');
}

/**
 * A /24 test network: `bridge` on the host holds `.1`, each added node gets the next address
 * inside its own namespace. Every name carries `id`, so parallel runs never collide.
 */
export class TestNetwork {
  readonly bridge: string;
  readonly hostIP: string;
  private readonly prefix: string;
  private readonly nodes = new Map<string, NetNode>();
  private nextHost = 2;
  private created = false;

  constructor(
    private readonly id: string,
    /** The first three octets, e.g. `172.30.17`. */
    prefix: string,
  ) {
    this.prefix = prefix;
    this.bridge = `ke2e${id}`;
    this.hostIP = `${prefix}.1`;
  }

  get cidr(): string {
    return `${this.prefix}.0/24`;
  }

  async create(): Promise<void> {
    this.created = true;
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${this.hostIP}/24`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
  }

  /** Creates namespace `ke2e-<id>-<key>` with a veth to the bridge, loopback up and a default route via the host. */
  async addNode(key: string): Promise<NetNode> {
    const netns = `ke2e-${this.id}-${key}`;
    const hostVeth = `kv${this.id}${key}`.slice(0, 15);
    const ip = `${this.prefix}.${this.nextHost++}`;
    const node: NetNode = { netns, ip, hostVeth };
    this.nodes.set(key, node);
    await run('ip', ['netns', 'add', netns]);
    await run('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'e2e0', 'netns', netns]);
    await run('ip', ['link', 'set', hostVeth, 'master', this.bridge, 'up']);
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'e2e0']);
    await run('ip', ['-n', netns, 'link', 'set', 'e2e0', 'up']);
    // Anything off the test network (the host's own pods, say) goes through the host.
    await run('ip', ['-n', netns, 'route', 'add', 'default', 'via', this.hostIP]);
    return node;
  }

  /** Cuts a node off the network (its veth down), as a pulled cable or a dead machine would. */
  async unplug(key: string): Promise<void> {
    const n = this.nodes.get(key);
    if (n !== undefined) await run('ip', ['link', 'set', n.hostVeth, 'down']);
  }

  /** Deletes every namespace, veth and the bridge; never throws (runs on failure paths too). */
  destroySync(): void {
    for (const n of this.nodes.values()) {
      runSyncQuiet('ip', ['link', 'del', n.hostVeth]);
      runSyncQuiet('ip', ['netns', 'del', n.netns]);
    }
    this.nodes.clear();
    if (this.created) runSyncQuiet('ip', ['link', 'del', this.bridge]);
    this.created = false;
  }
}

/** `nsenter` prefix that runs a command in a namespace's network only. */
export function inNetns(netns: string, cmd: string, args: readonly string[]): [string, string[]] {
  // Not `ip netns exec`: it remounts /sys for the namespace, which hides /sys/fs/cgroup (cgroup v1
  // hierarchies are mounted there) from the kubelet and shim. nsenter switches only the network.
  return ['nsenter', [`--net=/run/netns/${netns}`, '--', cmd, ...args]];
}
