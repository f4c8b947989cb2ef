// serverAddressByClientCIDRs for /api: the default address for everyone plus any rule whose CIDR holds the client's IP.
import { BlockList, isIP } from 'node:net';
import type { ServerAddressByClientCIDR } from './legacy';

/** Where clients reach the server: one default address, and addresses for clients in given CIDRs. */
export interface ServerAddresses {
  /** `host:port` every client may use; listed under `0.0.0.0/0`. */
  defaultAddress: string;
  /** E.g. the in-cluster service IP for clients in the pod network. */
  rules?: readonly { cidr: string; address: string }[];
}

/** `::ffff:10.0.0.1` (how Node reports IPv4 peers on a dual-stack socket) → `10.0.0.1`. */
function normalizeIP(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

function cidrContains(cidr: string, ip: string): boolean {
  const slash = cidr.indexOf('/');
  if (slash < 0) return false;
  const net = cidr.slice(0, slash);
  const prefix = Number(cidr.slice(slash + 1));
  const family = isIP(net);
  if (family === 0 || isIP(ip) !== family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return list.check(ip, type);
}

/**
 * The list `GET /api` returns to a client at `clientIP` (DefaultAddresses.ServerAddressByClientCIDRs):
 * `{0.0.0.0/0 → defaultAddress}` always, then every rule whose CIDR contains the client.
 */
export function serverAddressByClientCIDRs(addresses: ServerAddresses, clientIP: string | undefined): ServerAddressByClientCIDR[] {
  const out: ServerAddressByClientCIDR[] = [{ clientCIDR: '0.0.0.0/0', serverAddress: addresses.defaultAddress }];
  const ip = clientIP === undefined ? undefined : normalizeIP(clientIP);
  for (const rule of addresses.rules ?? []) {
    if (ip !== undefined && cidrContains(rule.cidr, ip)) out.push({ clientCIDR: rule.cidr, serverAddress: rule.address });
  }
  return out;
}
