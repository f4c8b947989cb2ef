// IPv4 address and CIDR arithmetic for pod networking (parse, contains, nth host, network/broadcast).

/** Thrown when a string is not a valid dotted-quad IPv4 address or CIDR. */
export class CidrParseError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid IPv4 ${input.includes('/') ? 'CIDR' : 'address'} "${input}": ${reason}`);
    this.name = 'CidrParseError';
  }
}

/** Parse dotted-quad IPv4 into an unsigned 32-bit integer. */
export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) throw new CidrParseError(s, 'expected four dot-separated octets');
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) throw new CidrParseError(s, `bad octet "${p}"`);
    const v = Number(p);
    if (v > 255) throw new CidrParseError(s, `octet ${v} out of range`);
    n = n * 256 + v;
  }
  return n;
}

/** Format an unsigned 32-bit integer as dotted-quad IPv4. */
export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** An IPv4 network: base address (host bits zero) and prefix length. */
export class Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;

  private constructor(
    network: number,
    readonly prefixLength: number,
  ) {
    this.network = network;
  }

  /** Parse "a.b.c.d/n". Host bits must be zero unless `allowHostBits` (then they are masked off). */
  static parse(s: string, allowHostBits = false): Ipv4Cidr {
    const slash = s.indexOf('/');
    if (slash < 0) throw new CidrParseError(s, 'missing "/prefix"');
    const prefixText = s.slice(slash + 1);
    if (!/^[0-9]{1,2}$/.test(prefixText)) throw new CidrParseError(s, 'bad prefix length');
    const prefix = Number(prefixText);
    if (prefix > 32) throw new CidrParseError(s, 'prefix length above 32');
    const addr = parseIPv4(s.slice(0, slash));
    const masked = (addr & maskOf(prefix)) >>> 0;
    if (masked !== addr && !allowHostBits) throw new CidrParseError(s, `host bits set (network is ${formatIPv4(masked)}/${prefix})`);
    return new Ipv4Cidr(masked, prefix);
  }

  get mask(): number {
    return maskOf(this.prefixLength);
  }

  /** Number of addresses in the block (2^(32-prefix)). */
  get size(): number {
    return 2 ** (32 - this.prefixLength);
  }

  get broadcast(): number {
    return (this.network + this.size - 1) >>> 0;
  }

  contains(ip: string | number): boolean {
    const n = typeof ip === 'string' ? parseIPv4(ip) : ip;
    return ((n & this.mask) >>> 0) === this.network;
  }

  /** True when the two blocks share any address. */
  overlaps(other: Ipv4Cidr): boolean {
    return this.contains(other.network) || other.contains(this.network);
  }

  /** The address at `offset` from the network address; throws when outside the block. */
  nth(offset: number): string {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) {
      throw new RangeError(`offset ${offset} outside ${this.toString()} (size ${this.size})`);
    }
    return formatIPv4((this.network + offset) >>> 0);
  }

  /** Offset of `ip` within the block. */
  offsetOf(ip: string): number {
    const n = parseIPv4(ip);
    if (!this.contains(n)) throw new RangeError(`${ip} is not in ${this.toString()}`);
    return n - this.network;
  }

  /**
   * First and last usable host offsets. For /31 and /32 every address is usable (RFC 3021); otherwise the
   * network and broadcast addresses are excluded.
   */
  get hostRange(): { first: number; last: number } {
    if (this.prefixLength >= 31) return { first: 0, last: this.size - 1 };
    return { first: 1, last: this.size - 2 };
  }

  toString(): string {
    return `${formatIPv4(this.network)}/${this.prefixLength}`;
  }
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
