// Persistent pod IP allocator: one file per allocated IP under a state dir (like CNI host-local), atomic and restart-safe.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Ipv4Cidr, formatIPv4, parseIPv4 } from './cidr';

/** Every usable address of the range is allocated. */
export class IpRangeExhaustedError extends Error {
  constructor(readonly cidr: string) {
    super(`no free IP left in ${cidr}`);
    this.name = 'IpRangeExhaustedError';
  }
}

export interface IpAllocatorOptions {
  /** Directory holding one file per allocated IP (created if missing). */
  dir: string;
  /** The node's pod CIDR, e.g. 10.42.0.0/24. */
  subnet: string;
  /** Gateway address; defaults to the first host address of the subnet. Never allocated. */
  gateway?: string;
  /** Further addresses never handed out. */
  reserved?: readonly string[];
}

const LAST_RESERVED = 'last_reserved_ip';

/**
 * Hands out IPs from a subnet to owners (sandbox ids). The network, broadcast and gateway addresses are never
 * allocated. An allocation is a file named after the IP whose content is the owner; it is published with link(2),
 * which fails if the file exists, so two allocators over one directory (or a restarted one) never hand out an IP twice.
 * Like host-local, the search starts after the last IP handed out so a released IP is not reused at once.
 */
export class IpAllocator {
  readonly subnet: Ipv4Cidr;
  readonly gateway: string;
  private readonly reserved: Set<number>;

  constructor(private readonly options: IpAllocatorOptions) {
    this.subnet = Ipv4Cidr.parse(options.subnet);
    this.gateway = options.gateway ?? this.subnet.nth(this.subnet.hostRange.first);
    if (!this.subnet.contains(this.gateway)) throw new RangeError(`gateway ${this.gateway} is not in ${options.subnet}`);
    this.reserved = new Set([parseIPv4(this.gateway), ...(options.reserved ?? []).map(parseIPv4)]);
  }

  /** Returns the owner's IP, allocating one if it has none. Idempotent per owner. */
  async allocate(owner: string): Promise<string> {
    validateOwner(owner);
    await fs.mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const existing = await this.find(owner);
    if (existing) return existing;
    const { first, last } = this.subnet.hostRange;
    const count = last - first + 1;
    const lastIp = await this.readLastReserved();
    const start = lastIp !== undefined && this.subnet.contains(lastIp) ? this.subnet.offsetOf(lastIp) + 1 : first;
    for (let i = 0; i < count; i++) {
      const offset = first + ((((start - first + i) % count) + count) % count);
      const n = (this.subnet.network + offset) >>> 0;
      if (this.reserved.has(n)) continue;
      const ip = formatIPv4(n);
      if (await this.tryClaim(ip, owner)) {
        await this.writeLastReserved(ip);
        return ip;
      }
    }
    throw new IpRangeExhaustedError(this.subnet.toString());
  }

  /** Releases every IP held by the owner; returns them. Releasing an owner with no IP is not an error. */
  async release(owner: string): Promise<string[]> {
    const released: string[] = [];
    for (const [ip, o] of await this.list()) {
      if (o !== owner) continue;
      await fs.rm(path.join(this.options.dir, ip), { force: true });
      released.push(ip);
    }
    return released;
  }

  /** The owner's IP, if allocated. */
  async find(owner: string): Promise<string | undefined> {
    for (const [ip, o] of await this.list()) if (o === owner) return ip;
    return undefined;
  }

  /** All allocations: IP → owner. */
  async list(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let names: string[];
    try {
      names = await fs.readdir(this.options.dir);
    } catch (err: unknown) {
      if (isErrno(err, 'ENOENT')) return out;
      throw err;
    }
    for (const name of names) {
      if (!isIpName(name) || !this.subnet.contains(name)) continue;
      try {
        out.set(name, (await fs.readFile(path.join(this.options.dir, name), 'utf8')).trim());
      } catch (err: unknown) {
        if (!isErrno(err, 'ENOENT')) throw err; // released concurrently
      }
    }
    return out;
  }

  private async tryClaim(ip: string, owner: string): Promise<boolean> {
    const tmp = path.join(this.options.dir, `.tmp-${ip}-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(tmp, `${owner}\n`, { mode: 0o600 });
    try {
      await fs.link(tmp, path.join(this.options.dir, ip));
      return true;
    } catch (err: unknown) {
      if (isErrno(err, 'EEXIST')) return false;
      throw err;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  private async readLastReserved(): Promise<string | undefined> {
    try {
      const s = (await fs.readFile(path.join(this.options.dir, LAST_RESERVED), 'utf8')).trim();
      return isIpName(s) ? s : undefined;
    } catch (err: unknown) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  private async writeLastReserved(ip: string): Promise<void> {
    const tmp = path.join(this.options.dir, `.tmp-last-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(tmp, ip, { mode: 0o600 });
    await fs.rename(tmp, path.join(this.options.dir, LAST_RESERVED));
  }
}

function isIpName(s: string): boolean {
  return /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(s);
}

function validateOwner(owner: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(owner)) throw new RangeError(`invalid IP owner id "${owner}"`);
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
