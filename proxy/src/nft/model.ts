// The nftables ruleset the proxy wants: table `ip keelson-proxy` with kube-proxy's nftables-mode layout, as plain data.
import { createHash } from 'node:crypto';
import type { Endpoint, ServicePortInfo } from '../endpoints';

export const defaultTable = 'keelson-proxy';
/** The packet mark bit meaning "masquerade this connection" (kube-proxy's 0x4000). */
export const masqueradeMark = '0x4000';

export interface ChainSpec {
  /** `type nat hook prerouting priority dstnat ; policy accept ;` for base chains. */
  hook?: string;
  rules: string[];
}

/** The whole desired ruleset: chains, sets (declarations) and verdict-map elements. */
export interface Ruleset {
  chains: Map<string, ChainSpec>;
  /** name → declaration body (`type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ;`). */
  sets: Map<string, string>;
  /** name → { declaration, elements key → value }. */
  maps: Map<string, { decl: string; elements: Map<string, string> }>;
}

export interface RulesetOptions {
  /** This node's name (for Local traffic policies). */
  nodeName: string;
  /** Pod CIDR of the whole cluster: ClusterIP traffic from outside it is masqueraded. Unset: none is. */
  clusterCIDR?: string;
}

const proto = (p: string): string => p.toLowerCase();

/** kube-proxy's chain-name hash: 8 base32 characters of sha256 over the service port name. */
function hash8(s: string): string {
  const digest = createHash('sha256').update(s).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; i < 8; i++) out += alphabet[(digest[i] ?? 0) % 32];
  return out;
}

export function servicePortName(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}/${proto(sp.protocol)}/${sp.portName}`;
}

export function serviceChainName(sp: ServicePortInfo): string {
  const n = servicePortName(sp);
  return `service-${hash8(n)}-${n}`;
}

export function externalChainName(sp: ServicePortInfo): string {
  const n = servicePortName(sp);
  return `external-${hash8(n)}-${n}`;
}

export function endpointChainName(sp: ServicePortInfo, ep: Endpoint): string {
  const n = `${servicePortName(sp)}__${ep.ip}/${ep.port}`;
  return `endpoint-${hash8(n)}-${n}`;
}

/**
 * The timeout is part of the name: a changed timeout is a new set (and changed rules that refer
 * to it), so one transaction can swap it while the old one, no longer referenced, is deleted.
 */
function affinitySetName(sp: ServicePortInfo, ep: Endpoint): string {
  return `affinity-${sp.affinitySeconds ?? 0}s-${endpointChainName(sp, ep).slice('endpoint-'.length)}`;
}

/** A chain or set name as the nft parser takes it (identifiers may hold `/`, `.`, `-` and `_` unquoted). */
export function q(name: string): string {
  return name;
}

/** Verdict-map entries: a jump to a chain, written as nft expects them in `add element`. */
function goto(chain: string): string {
  return `goto ${q(chain)}`;
}

/** The base chains and fixed helpers every sync has. */
function fixedChains(o: RulesetOptions): Map<string, ChainSpec> {
  void o;
  return new Map<string, ChainSpec>([
    ['nat-prerouting', { hook: 'type nat hook prerouting priority dstnat ; policy accept ;', rules: ['jump services'] }],
    ['nat-output', { hook: 'type nat hook output priority -100 ; policy accept ;', rules: ['jump services'] }],
    ['nat-postrouting', { hook: 'type nat hook postrouting priority srcnat ; policy accept ;', rules: ['jump masquerading'] }],
    ['filter-input', { hook: 'type filter hook input priority -110 ; policy accept ;', rules: ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'] }],
    ['filter-forward', { hook: 'type filter hook forward priority -110 ; policy accept ;', rules: ['ct state new jump service-endpoints-check'] }],
    ['filter-output', { hook: 'type filter hook output priority -110 ; policy accept ;', rules: ['ct state new jump service-endpoints-check'] }],
    [
      'services',
      {
        rules: [
          'ip daddr . meta l4proto . th dport vmap @service-ips',
          // NodePorts on every local address but loopback (kube-proxy's default nodePortAddresses).
          'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
        ],
      },
    ],
    ['service-endpoints-check', { rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'] }],
    ['nodeport-endpoints-check', { rules: ['fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports'] }],
    ['reject-chain', { rules: ['reject'] }],
    ['mark-for-masquerade', { rules: [`meta mark set meta mark | ${masqueradeMark}`] }],
    ['masquerading', { rules: [`meta mark & ${masqueradeMark} == 0 return`, `meta mark set meta mark ^ ${masqueradeMark}`, 'masquerade fully-random'] }],
  ]);
}

/** Builds the full desired ruleset from the Service ports (pure: no I/O). */
export function buildRuleset(ports: readonly ServicePortInfo[], o: RulesetOptions): Ruleset {
  const chains = fixedChains(o);
  const sets = new Map<string, string>();
  const serviceIPs = new Map<string, string>();
  const nodePorts = new Map<string, string>();
  const noEndpointServices = new Map<string, string>();
  const noEndpointNodePorts = new Map<string, string>();

  for (const sp of ports) {
    const p = proto(sp.protocol);
    const clusterEps = sp.internalLocal ? sp.endpoints.filter((e) => e.nodeName === o.nodeName) : sp.endpoints;
    const externalEps = sp.externalLocal ? sp.endpoints.filter((e) => e.nodeName === o.nodeName) : sp.endpoints;
    const svcChain = serviceChainName(sp);
    const used = new Set<Endpoint>([...clusterEps, ...externalEps]);
    for (const ep of used) {
      const rules = [`ip saddr ${ep.ip} jump mark-for-masquerade`];
      if (sp.affinitySeconds !== undefined) {
        const set = affinitySetName(sp, ep);
        sets.set(set, `type ipv4_addr ; flags dynamic,timeout ; timeout ${sp.affinitySeconds}s ;`);
        rules.push(`update @${q(set)} { ip saddr }`);
      }
      rules.push(`meta l4proto ${p} dnat to ${ep.ip}:${ep.port}`);
      chains.set(endpointChainName(sp, ep), { rules });
    }
    const balance = (eps: readonly Endpoint[]): string[] => {
      const rules: string[] = [];
      if (sp.affinitySeconds !== undefined) {
        for (const ep of eps) rules.push(`ip saddr @${q(affinitySetName(sp, ep))} goto ${q(endpointChainName(sp, ep))}`);
      }
      if (eps.length === 1 && eps[0]) rules.push(`goto ${q(endpointChainName(sp, eps[0]))}`);
      else if (eps.length > 1) rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${q(endpointChainName(sp, ep))}`).join(' , ')} }`);
      return rules;
    };

    if (sp.clusterIP !== undefined) {
      const key = `${sp.clusterIP} . ${p} . ${sp.port}`;
      if (clusterEps.length > 0) {
        const rules: string[] = [];
        if (o.clusterCIDR) rules.push(`ip daddr ${sp.clusterIP} ${p} dport ${sp.port} ip saddr != ${o.clusterCIDR} jump mark-for-masquerade`);
        rules.push(...balance(clusterEps));
        chains.set(svcChain, { rules });
        serviceIPs.set(key, goto(svcChain));
      } else {
        noEndpointServices.set(key, goto('reject-chain'));
      }
    }
    if (sp.nodePort !== undefined) {
      const key = `${p} . ${sp.nodePort}`;
      if (externalEps.length > 0) {
        const ext = externalChainName(sp);
        // NodePort traffic is masqueraded (so replies come back through this node) unless the policy keeps the client address.
        const rules = sp.externalLocal ? balance(externalEps) : ['jump mark-for-masquerade', ...balance(externalEps)];
        chains.set(ext, { rules });
        nodePorts.set(key, goto(ext));
      } else {
        noEndpointNodePorts.set(key, goto('reject-chain'));
      }
    }
  }
  const vmap = (type: string, elements: Map<string, string>): { decl: string; elements: Map<string, string> } => ({ decl: `type ${type} : verdict ;`, elements });
  const maps = new Map([
    ['service-ips', vmap('ipv4_addr . inet_proto . inet_service', serviceIPs)],
    ['service-nodeports', vmap('inet_proto . inet_service', nodePorts)],
    ['no-endpoint-services', vmap('ipv4_addr . inet_proto . inet_service', noEndpointServices)],
    ['no-endpoint-nodeports', vmap('inet_proto . inet_service', noEndpointNodePorts)],
  ]);
  return { chains, sets, maps };
}

/** Counts for metrics. */
export function rulesetCounts(r: Ruleset): { chains: number; rules: number; elements: number; sets: number } {
  let rules = 0;
  for (const c of r.chains.values()) rules += c.rules.length;
  let elements = 0;
  for (const m of r.maps.values()) elements += m.elements.size;
  return { chains: r.chains.size, rules, elements, sets: r.sets.size };
}

export function emptyRuleset(): Ruleset {
  return { chains: new Map(), sets: new Map(), maps: new Map() };
}

/**
 * The nft script taking the kernel from `applied` to `desired` in one transaction (`nft -f`
 * applies a file atomically). With `full`, the table is deleted and rebuilt (first sync,
 * recovery after a failure); otherwise only changed chains are flushed and refilled, new ones
 * added, stale ones flushed then deleted, and map elements added or deleted one by one — so
 * unchanged Services keep their chains and affinity sets.
 */
export function diffScript(table: string, applied: Ruleset, desired: Ruleset, full: boolean): string {
  const t = `ip ${table}`;
  const lines: string[] = [];
  const before = full ? emptyRuleset() : applied;
  if (full) lines.push(`add table ${t}`, `delete table ${t}`, `add table ${t}`);

  for (const [name, decl] of desired.sets) {
    const old = before.sets.get(name);
    if (old === undefined) lines.push(`add set ${t} ${q(name)} { ${decl} }`);
  }
  for (const [name, m] of desired.maps) {
    if (!before.maps.has(name)) lines.push(`add map ${t} ${q(name)} { ${m.decl} }`);
  }
  const changed: string[] = [];
  for (const [name, c] of desired.chains) {
    const old = before.chains.get(name);
    if (old === undefined) {
      lines.push(c.hook ? `add chain ${t} ${q(name)} { ${c.hook} }` : `add chain ${t} ${q(name)}`);
      changed.push(name);
    } else if (old.rules.join('\n') !== c.rules.join('\n')) {
      lines.push(`flush chain ${t} ${q(name)}`);
      changed.push(name);
    }
  }
  for (const name of changed) {
    for (const r of desired.chains.get(name)?.rules ?? []) lines.push(`add rule ${t} ${q(name)} ${r}`);
  }
  for (const [name, m] of desired.maps) {
    const old = before.maps.get(name)?.elements ?? new Map<string, string>();
    for (const [k, v] of old) if (m.elements.get(k) !== v) lines.push(`delete element ${t} ${q(name)} { ${k} }`);
    for (const [k, v] of m.elements) if (old.get(k) !== v) lines.push(`add element ${t} ${q(name)} { ${k} : ${v} }`);
  }
  const stale = [...before.chains.keys()].filter((n) => !desired.chains.has(n));
  for (const name of stale) lines.push(`flush chain ${t} ${q(name)}`);
  for (const name of stale) lines.push(`delete chain ${t} ${q(name)}`);
  for (const name of before.sets.keys()) if (!desired.sets.has(name)) lines.push(`delete set ${t} ${q(name)}`);
  for (const name of before.maps.keys()) if (!desired.maps.has(name)) lines.push(`delete map ${t} ${q(name)}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
