// ClusterIP and NodePort allocation for Services: fills spec on create/update, releases on delete, repairs at start.
import { FieldPath, InvalidError, fieldErr, type FieldError, type KubeObject, type Service } from '@keelson/api';
import type { Storage } from '../storage/types';
import { cidrContains, formatIPv4, parseCidr, parseIPv4, type Ipv4Cidr } from './ipv4';
import { AlreadyAllocatedError, OutOfRangeError, RangeAllocator, RangeFullError } from './range';

export const defaultServiceCIDR = '10.96.0.0/12';
export const defaultNodePortRange = '30000-32767';
export const serviceIPsKey = '/registry/ranges/serviceips';
export const nodePortsKey = '/registry/ranges/servicenodeports';

export class PortRangeParseError extends Error {
  constructor(readonly input: string) {
    super(`invalid port range ${JSON.stringify(input)}: want lo-hi within 1-65535`);
    this.name = 'PortRangeParseError';
  }
}

export function parsePortRange(s: string): { lo: number; hi: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(s);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new PortRangeParseError(s);
  return { lo, hi };
}

/** What an allocation did, so a failed write can give it back and a successful one can free what the old object held. */
export interface AllocationTxn {
  /** The write was stored: free what the previous object held and the new one does not. */
  commit(): Promise<void>;
  /** The write failed: free what this transaction allocated. */
  revert(): Promise<void>;
}

export interface ServiceAllocatorOptions {
  serviceCIDR?: string;
  nodePortRange?: string;
  random?: () => number;
}

type Item = { kind: 'ip'; offset: number } | { kind: 'port'; offset: number };

const svcTarget = (name: string | undefined): { group: string; resource: string; kind: string; name?: string } => ({ group: '', resource: 'services', kind: 'Service', ...(name !== undefined ? { name } : {}) });

function needsClusterIP(svc: Service): boolean {
  return (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
}

function needsNodePorts(svc: Service): boolean {
  const t = svc.spec?.type;
  if (t === 'NodePort') return true;
  return t === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false;
}

function needsHealthCheckPort(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

/**
 * The Service side of the API server's allocators (Kubernetes' service REST storage plus its
 * ipallocator/portallocator): ClusterIPs from the service CIDR, NodePorts from the node-port
 * range, both persisted with compare-and-swap so they stay unique across API servers and restarts.
 */
export class ServiceAllocator {
  readonly cidr: Ipv4Cidr;
  readonly ports: { lo: number; hi: number };
  readonly ips: RangeAllocator;
  readonly nodePorts: RangeAllocator;

  constructor(storage: Storage, o: ServiceAllocatorOptions = {}) {
    this.cidr = parseCidr(o.serviceCIDR ?? defaultServiceCIDR);
    this.ports = parsePortRange(o.nodePortRange ?? defaultNodePortRange);
    const random = o.random ?? Math.random;
    const size = this.cidr.size;
    // The network and broadcast addresses are never handed out (for ranges bigger than a /31).
    const excluded = size > 2 ? [0, size - 1] : [];
    // KEP-3070: dynamic allocation prefers the upper band; the lower one is for static IPs such as kube-dns.
    const ipBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    this.ips = new RangeAllocator(storage, { key: serviceIPsKey, name: 'serviceips', range: this.cidr.text, size, excluded, reservedBelow: ipBand, random });
    const portCount = this.ports.hi - this.ports.lo + 1;
    const portBand = Math.min(Math.max(16, Math.floor(portCount / 32)), 128);
    this.nodePorts = new RangeAllocator(storage, { key: nodePortsKey, name: 'servicenodeports', range: `${this.ports.lo}-${this.ports.hi}`, size: portCount, reservedBelow: portBand, random });
  }

  /** The first address of the range: the `kubernetes` Service's ClusterIP. */
  firstIP(): string {
    return formatIPv4(this.cidr.base + 1);
  }

  // WriteAllocator (rest/store.ts): the hooks the generic store calls for Services.
  prepareUpdate(old: KubeObject, next: KubeObject): void {
    dropTypeDependentFields(old as Service, next as Service);
    patchAllocatedValues(old as Service, next as Service);
  }

  create(obj: KubeObject, dryRun: boolean): Promise<AllocationTxn> {
    return this.allocateCreate(obj, dryRun);
  }

  update(old: KubeObject, next: KubeObject, dryRun: boolean): Promise<AllocationTxn> {
    return this.allocateUpdate(old, next, dryRun);
  }

  /** Fills clusterIP(s) and nodePorts of a Service about to be created; throws 422 when a requested one is taken. */
  async allocateCreate(obj: KubeObject, dryRun = false): Promise<AllocationTxn> {
    const svc = obj as Service;
    const got: Item[] = [];
    try {
      await this.fill(svc, undefined, got, dryRun);
    } catch (e: unknown) {
      await this.releaseAll(got);
      throw e;
    }
    return { commit: () => Promise.resolve(), revert: () => this.releaseAll(got) };
  }

  /** Keeps what the old object held, allocates what the new one adds; commit frees what it dropped. */
  async allocateUpdate(oldObj: KubeObject, nextObj: KubeObject, dryRun = false): Promise<AllocationTxn> {
    const old = oldObj as Service;
    const next = nextObj as Service;
    patchAllocatedValues(old, next);
    const got: Item[] = [];
    try {
      await this.fill(next, old, got, dryRun);
    } catch (e: unknown) {
      await this.releaseAll(got);
      throw e;
    }
    const held = new Set(this.itemsOf(next).map(itemKey));
    const dropped = this.itemsOf(old).filter((i) => !held.has(itemKey(i)));
    return { commit: () => (dryRun ? Promise.resolve() : this.releaseAll(dropped)), revert: () => this.releaseAll(got) };
  }

  /** Frees everything a deleted Service held. */
  async release(obj: KubeObject): Promise<void> {
    await this.releaseAll(this.itemsOf(obj as Service));
  }

  /**
   * Makes the stored sets agree with the Services that exist (Kubernetes' repair controllers):
   * every value a Service holds is marked used; a value no Service holds is freed once it has
   * been seen leaked `leakRuns` times in a row (an allocation racing with its create is not freed).
   */
  async repair(services: readonly Service[], leaks: Map<string, number>, leakRuns = 3): Promise<{ added: number; freed: number }> {
    const ips = new Set<number>();
    const ports = new Set<number>();
    for (const s of services) {
      for (const i of this.itemsOf(s)) (i.kind === 'ip' ? ips : ports).add(i.offset);
    }
    let added = 0;
    let freed = 0;
    const fix = (kind: 'ip' | 'port', want: Set<number>) => (used: Set<number>) => {
      for (const v of want) {
        if (!used.has(v)) {
          used.add(v);
          added++;
        }
      }
      for (const v of [...used]) {
        const k = `${kind}/${v}`;
        if (want.has(v)) {
          leaks.delete(k);
          continue;
        }
        const seen = (leaks.get(k) ?? 0) + 1;
        if (seen >= leakRuns) {
          used.delete(v);
          leaks.delete(k);
          freed++;
        } else leaks.set(k, seen);
      }
    };
    await this.ips.update(fix('ip', ips));
    await this.nodePorts.update(fix('port', ports));
    return { added, freed };
  }

  private itemsOf(svc: Service): Item[] {
    const out: Item[] = [];
    const spec = svc.spec;
    if (!spec) return out;
    if (needsClusterIP(svc) && spec.clusterIP) {
      const ip = parseIPv4(spec.clusterIP);
      if (ip !== undefined && cidrContains(this.cidr, ip)) out.push({ kind: 'ip', offset: ip - this.cidr.base });
    }
    const portOf = (p: number | undefined): void => {
      if (p !== undefined && p >= this.ports.lo && p <= this.ports.hi) out.push({ kind: 'port', offset: p - this.ports.lo });
    };
    if (needsNodePorts(svc)) for (const p of spec.ports ?? []) portOf(p.nodePort);
    if (needsHealthCheckPort(svc)) portOf(spec.healthCheckNodePort);
    const seen = new Set<string>();
    return out.filter((i) => !seen.has(itemKey(i)) && (seen.add(itemKey(i)), true));
  }

  private async fill(svc: Service, old: Service | undefined, got: Item[], dryRun: boolean): Promise<void> {
    const spec = (svc.spec ??= {});
    const errs: FieldError[] = [];
    const at = FieldPath.root('spec');
    const oldItems = new Set(old ? this.itemsOf(old).map(itemKey) : []);
    const has = (i: Item): boolean => oldItems.has(itemKey(i));

    if (needsClusterIP(svc)) {
      const requested = spec.clusterIP || spec.clusterIPs?.[0] || '';
      if (requested === '') {
        const offset = await this.next(this.ips, dryRun);
        if (!dryRun) got.push({ kind: 'ip', offset });
        spec.clusterIP = formatIPv4(this.cidr.base + offset);
      } else {
        const ip = parseIPv4(requested);
        const path = at.child('clusterIPs').index(0);
        if (ip === undefined) {
          errs.push(fieldErr.invalid(path, requested, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
        } else if (!cidrContains(this.cidr, ip) || ip === this.cidr.base || (this.cidr.size > 2 && ip === this.cidr.base + this.cidr.size - 1)) {
          errs.push(fieldErr.invalid(path, [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`));
        } else {
          const item: Item = { kind: 'ip', offset: ip - this.cidr.base };
          if (!has(item)) {
            const err = await this.take(this.ips, item, dryRun);
            if (err === 'taken') errs.push(fieldErr.invalid(path, [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
            else got.push(item);
          }
          spec.clusterIP = requested;
        }
      }
      if (errs.length === 0 && spec.clusterIP) {
        spec.clusterIPs = [spec.clusterIP];
        spec.ipFamilies = ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else {
      // ExternalName: no address (a Service turning into one gives its address back on commit).
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }

    if (needsNodePorts(svc)) {
      // Ports with the same number and different protocols share one NodePort, as upstream.
      const byPort = new Map<number, number>();
      for (const [i, p] of (spec.ports ?? []).entries()) {
        const path = at.child('ports').index(i).child('nodePort');
        if (p.nodePort === undefined || p.nodePort === 0) {
          const shared = byPort.get(p.port);
          if (shared !== undefined) {
            p.nodePort = shared;
            continue;
          }
          const offset = await this.next(this.nodePorts, dryRun);
          if (!dryRun) got.push({ kind: 'port', offset });
          p.nodePort = this.ports.lo + offset;
        } else {
          const err = await this.requestPort(p.nodePort, has, got, dryRun);
          if (err) errs.push(fieldErr.invalid(path, p.nodePort, err));
        }
        byPort.set(p.port, p.nodePort);
      }
    } else {
      for (const p of spec.ports ?? []) delete (p).nodePort;
    }
    if (needsHealthCheckPort(svc)) {
      const path = at.child('healthCheckNodePort');
      if (!spec.healthCheckNodePort) {
        const offset = await this.next(this.nodePorts, dryRun);
        if (!dryRun) got.push({ kind: 'port', offset });
        spec.healthCheckNodePort = this.ports.lo + offset;
      } else {
        const err = await this.requestPort(spec.healthCheckNodePort, has, got, dryRun);
        if (err) errs.push(fieldErr.invalid(path, spec.healthCheckNodePort, err));
      }
    } else delete spec.healthCheckNodePort;
    if (errs.length > 0) throw new InvalidError(svcTarget(svc.metadata?.name), errs);
  }

  private async requestPort(port: number, has: (i: Item) => boolean, got: Item[], dryRun: boolean): Promise<string | undefined> {
    if (port < this.ports.lo || port > this.ports.hi) {
      return `provided port is not in the valid range. The range of valid ports is ${this.ports.lo}-${this.ports.hi}`;
    }
    const item: Item = { kind: 'port', offset: port - this.ports.lo };
    if (has(item) || got.some((g) => itemKey(g) === itemKey(item))) return undefined;
    if ((await this.take(this.nodePorts, item, dryRun)) === 'taken') return 'provided port is already allocated';
    if (!dryRun) got.push(item);
    return undefined;
  }

  private async take(r: RangeAllocator, item: Item, dryRun: boolean): Promise<'ok' | 'taken'> {
    if (dryRun) return (await r.used()).has(item.offset) ? 'taken' : 'ok';
    try {
      await r.allocate(item.offset);
      return 'ok';
    } catch (e: unknown) {
      if (e instanceof AlreadyAllocatedError || e instanceof OutOfRangeError) return 'taken';
      throw e;
    }
  }

  private async next(r: RangeAllocator, dryRun: boolean): Promise<number> {
    try {
      if (!dryRun) return await r.allocateNext();
      const used = await r.used();
      for (let i = r.o.size - 2; i > 0; i--) if (!used.has(i)) return i;
      throw new RangeFullError(r.o.range);
    } catch (e: unknown) {
      if (e instanceof RangeFullError) {
        const what = r === this.ips ? 'clusterIPs' : 'ports';
        throw new InvalidError(svcTarget(undefined), [fieldErr.invalid(FieldPath.root('spec').child(what), '', `failed to allocate from ${e.range}: range is full`)]);
      }
      throw e;
    }
  }

  private async releaseAll(items: readonly Item[]): Promise<void> {
    for (const i of items) await (i.kind === 'ip' ? this.ips : this.nodePorts).release(i.offset);
  }
}

function itemKey(i: Item): string {
  return `${i.kind}/${i.offset}`;
}

/**
 * An update that leaves out allocated values keeps them, as Kubernetes' patchAllocatedValues:
 * clusterIP(s) when the Service still needs one, a port's nodePort when the port (by number and
 * protocol) is still there and still needs one.
 */
export function patchAllocatedValues(old: Service, next: Service): void {
  const spec = (next.spec ??= {});
  if (needsClusterIP(next) && needsClusterIP(old) && !spec.clusterIP && !spec.clusterIPs?.length && old.spec?.clusterIP) {
    spec.clusterIP = old.spec.clusterIP;
    if (old.spec.clusterIPs) spec.clusterIPs = [...old.spec.clusterIPs];
  }
  if (needsNodePorts(next) && needsNodePorts(old)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const match = old.spec?.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (needsHealthCheckPort(next) && needsHealthCheckPort(old) && !spec.healthCheckNodePort && old.spec?.healthCheckNodePort) {
    spec.healthCheckNodePort = old.spec.healthCheckNodePort;
  }
}

/**
 * A Service whose type no longer needs NodePorts (or a ClusterIP) loses the ones it still
 * carries unchanged from the old object, as Kubernetes' dropTypeDependentFields: a user
 * changing NodePort → ClusterIP need not clear every nodePort by hand.
 */
export function dropTypeDependentFields(old: Service, next: Service): void {
  const spec = next.spec;
  if (!spec) return;
  if (needsNodePorts(old) && !needsNodePorts(next)) {
    for (const p of spec.ports ?? []) {
      const match = old.spec?.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort !== undefined && match?.nodePort === p.nodePort) delete p.nodePort;
    }
  }
  if (needsHealthCheckPort(old) && !needsHealthCheckPort(next) && spec.healthCheckNodePort === old.spec?.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type === 'ExternalName' && old.spec?.type !== 'ExternalName' && spec.clusterIP === old.spec?.clusterIP) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  }
}
