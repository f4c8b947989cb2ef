// IPv4 CIDR math and the set of node CIDRs carved out of the cluster CIDR (Kubernetes' cidrset): allocate, occupy, release.

/** A malformed address or CIDR, or one that does not fit the cluster CIDR. */
export class CidrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CidrError';
  }
}

/** Every node CIDR of the cluster CIDR is taken. */
export class CidrExhaustedError extends Error {
  constructor(cluster: string) {
    super(`CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range ${cluster}`);
    this.name = 'CidrExhaustedError';
  }
}

/** An IPv4 network: its first address as an unsigned 32-bit number and its prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** `10.42.0.1` → 0x0a2a0001. */
export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) throw new CidrError(`invalid IPv4 address "${s}"`);
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The netmask of a prefix length as an unsigned number (prefix 0 → 0). */
function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.42.0.0/16`; the address must be the network's first (as Go's net.ParseCIDR accepts it, we take the network of any host address). */
export function parseCidr(s: string): Cidr {
  const [addr, len, extra] = s.split('/');
  if (addr === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len) || Number(len) > 32) throw new CidrError(`invalid CIDR "${s}"`);
  const prefix = Number(len);
  return { base: (parseIPv4(addr) & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && ((inner.base & maskOf(outer.prefix)) >>> 0) === outer.base;
}

/** Kubernetes caps the node-CIDR count of one cluster CIDR at 2^16. */
export const maxNodeMaskBits = 16;

/**
 * The node CIDRs of one cluster CIDR (`10.42.0.0/16` split into /24s: 256 of them), as a
 * bitmap. Allocation goes round from after the last one handed out, so a released CIDR is not
 * reused at once (the node that had it may still have pods using it).
 */
export class CidrSet {
  readonly cluster: Cidr;
  readonly nodePrefix: number;
  /** How many node CIDRs the cluster CIDR holds. */
  readonly size: number;
  private readonly used: Uint8Array;
  private count = 0;
  private nextCandidate = 0;

  constructor(clusterCidr: string, nodeMaskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < this.cluster.prefix || nodeMaskSize > 32) {
      throw new CidrError(`node CIDR mask size ${nodeMaskSize} must be between the cluster CIDR's prefix length ${this.cluster.prefix} and 32`);
    }
    if (nodeMaskSize - this.cluster.prefix > maxNodeMaskBits) {
      throw new CidrError(`node CIDR mask size ${nodeMaskSize} is too large for cluster CIDR ${clusterCidr}: at most ${maxNodeMaskBits} bits more than its prefix`);
    }
    this.nodePrefix = nodeMaskSize;
    this.size = 2 ** (nodeMaskSize - this.cluster.prefix);
    this.used = new Uint8Array(this.size);
  }

  /** Node CIDRs taken. */
  allocatedCount(): number {
    return this.count;
  }

  /** Takes the next free node CIDR; throws CidrExhaustedError when there is none. */
  allocateNext(): string {
    if (this.count >= this.size) throw new CidrExhaustedError(formatCidr(this.cluster));
    for (let i = 0; i < this.size; i++) {
      const candidate = (this.nextCandidate + i) % this.size;
      if (this.used[candidate] === 0) {
        this.used[candidate] = 1;
        this.count++;
        this.nextCandidate = (candidate + 1) % this.size;
        return this.cidrAt(candidate);
      }
    }
    throw new CidrExhaustedError(formatCidr(this.cluster));
  }

  /** Marks `cidr` (already on a node) as taken; returns false if it was taken already. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (this.used[i] === 1) return false;
    this.used[i] = 1;
    this.count++;
    return true;
  }

  /** Frees `cidr`; freeing a free one does nothing. */
  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (this.used[i] === 0) return;
    this.used[i] = 0;
    this.count--;
  }

  isAllocated(cidr: string): boolean {
    return this.used[this.indexOf(cidr)] === 1;
  }

  private cidrAt(index: number): string {
    return formatCidr({ base: (this.cluster.base + index * 2 ** (32 - this.nodePrefix)) >>> 0, prefix: this.nodePrefix });
  }

  /** The bitmap index of a node CIDR; throws CidrError unless it is one of this set's. */
  private indexOf(cidr: string): number {
    const c = parseCidr(cidr);
    if (c.prefix !== this.nodePrefix) throw new CidrError(`CIDR ${cidr} does not have the node mask size /${this.nodePrefix}`);
    if (!contains(this.cluster, c)) throw new CidrError(`CIDR ${cidr} is outside the cluster CIDR ${formatCidr(this.cluster)}`);
    return (c.base - this.cluster.base) / 2 ** (32 - this.nodePrefix);
  }
}
