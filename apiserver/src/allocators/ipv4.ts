// IPv4 CIDR arithmetic for the ClusterIP allocator: parse a range, map addresses to offsets and back.
export class CidrParseError extends Error {
  constructor(readonly input: string, detail: string) {
    super(`invalid CIDR ${JSON.stringify(input)}: ${detail}`);
    this.name = 'CidrParseError';
  }
}

/** Parses dotted-quad IPv4 into a 32-bit unsigned number; undefined when it is not one. */
export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Ipv4Cidr {
  /** The network address as a number. */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
  text: string;
}

export function parseCidr(s: string): Ipv4Cidr {
  const [addr, bits, extra] = s.split('/');
  if (addr === undefined || bits === undefined || extra !== undefined) throw new CidrParseError(s, 'want a.b.c.d/n');
  const ip = parseIPv4(addr);
  const prefix = Number(bits);
  if (ip === undefined) throw new CidrParseError(s, 'not an IPv4 address');
  if (!/^\d{1,2}$/.test(bits) || prefix > 32) throw new CidrParseError(s, 'prefix length must be 0..32');
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  return { base, prefix, size, text: `${formatIPv4(base)}/${prefix}` };
}

export function cidrContains(c: Ipv4Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}
