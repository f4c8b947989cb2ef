// Node-level setup the proxy owns: the local DNS address, sysctls for bridged pod traffic, stale UDP conntrack entries.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CommandError, runCommand, type Runner } from './exec';

export interface HostOptions {
  run?: Runner;
  /** Device the DNS address lives on (default `lo`: this kernel has no dummy links). */
  device?: string;
  procSys?: string;
}

/** Adds/removes an address, sets sysctls, clears conntrack entries; every step idempotent. */
export class Host {
  private readonly run: Runner;
  private readonly device: string;
  private readonly procSys: string;

  constructor(o: HostOptions = {}) {
    this.run = o.run ?? runCommand;
    this.device = o.device ?? 'lo';
    this.procSys = o.procSys ?? '/proc/sys';
  }

  /** Puts `ip`/32 on the device so this node answers for it (NodeLocal DNSCache's trick, on lo). */
  async addAddress(ip: string): Promise<void> {
    await this.run('ip', ['-4', 'addr', 'replace', `${ip}/32`, 'dev', this.device]);
  }

  async removeAddress(ip: string): Promise<boolean> {
    try {
      await this.run('ip', ['-4', 'addr', 'del', `${ip}/32`, 'dev', this.device]);
      return true;
    } catch (e: unknown) {
      if (e instanceof CommandError && /Cannot assign requested address|does not exist/.test(e.stderr)) return false;
      throw e;
    }
  }

  async hasAddress(ip: string): Promise<boolean> {
    const out = await this.run('ip', ['-4', '-o', 'addr', 'show', 'dev', this.device]);
    return out.split('\n').some((l) => l.includes(` ${ip}/32 `));
  }

  /**
   * Pod-to-ClusterIP traffic whose endpoint sits on the same bridge needs the bridge to pass
   * frames through netfilter, or replies skip the reverse NAT (kube-proxy's requirement too).
   */
  async enableBridgeNetfilter(): Promise<void> {
    const path = `${this.procSys}/net/bridge/bridge-nf-call-iptables`;
    if (!existsSync(path)) await this.run('modprobe', ['br_netfilter']);
    this.sysctl('net/bridge/bridge-nf-call-iptables', '1');
    this.sysctl('net/ipv4/ip_forward', '1');
  }

  private sysctl(key: string, value: string): void {
    const path = `${this.procSys}/${key}`;
    if (readFileSync(path, 'utf8').trim() !== value) writeFileSync(path, value);
  }

  /**
   * Removes UDP conntrack entries that still point at a gone endpoint of a Service, so the
   * next datagram is balanced afresh instead of following a dead mapping (as kube-proxy).
   */
  async clearUdpConntrack(clusterIP: string, port: number, endpointIP: string): Promise<void> {
    try {
      await this.run('conntrack', ['-D', '-p', 'udp', '--orig-dst', clusterIP, '--orig-port-dst', String(port), '--reply-src', endpointIP]);
    } catch (e: unknown) {
      // Exit 1 with "0 flow entries have been deleted" is the usual case.
      if (e instanceof CommandError && /0 flow entries/.test(e.stderr)) return;
      throw e;
    }
  }
}
