// A persistent range allocator: the set of used offsets lives in one storage object updated by compare-and-swap.
import { KeyExistsError, RevisionConflictError, type Storage } from '../storage/types';

/**
 * What the allocator stores at its key, as Kubernetes' RangeAllocation: the range it covers and
 * the allocated offsets. Kubernetes keeps a bitmap; this keeps the sorted offsets (uint32 LE,
 * base64), which is the same information and stays small for a /12 of which few are used.
 */
export type RangeAllocation = {
  apiVersion: 'v1';
  kind: 'RangeAllocation';
  metadata: { name: string; resourceVersion?: string };
  range: string;
  data: string;
};

export class RangeFullError extends Error {
  constructor(readonly range: string) {
    super(`range is full: ${range}`);
    this.name = 'RangeFullError';
  }
}

export class AlreadyAllocatedError extends Error {
  constructor(readonly offset: number) {
    super(`offset ${offset} is already allocated`);
    this.name = 'AlreadyAllocatedError';
  }
}

export class OutOfRangeError extends Error {
  constructor(readonly offset: number, readonly size: number) {
    super(`offset ${offset} is outside 0..${size - 1}`);
    this.name = 'OutOfRangeError';
  }
}

export class RangeMismatchError extends Error {
  constructor(readonly stored: string, readonly configured: string) {
    super(`the stored allocation covers ${stored} but this server is configured with ${configured}`);
    this.name = 'RangeMismatchError';
  }
}

export function encodeOffsets(used: Iterable<number>): string {
  const sorted = [...new Set(used)].sort((a, b) => a - b);
  const buf = Buffer.alloc(sorted.length * 4);
  sorted.forEach((v, i) => buf.writeUInt32LE(v, i * 4));
  return buf.toString('base64');
}

export function decodeOffsets(data: string): Set<number> {
  const buf = Buffer.from(data, 'base64');
  const out = new Set<number>();
  for (let i = 0; i + 4 <= buf.length; i += 4) out.add(buf.readUInt32LE(i));
  return out;
}

export interface RangeAllocatorOptions {
  /** Storage key of the RangeAllocation object, e.g. `/registry/ranges/serviceips`. */
  key: string;
  /** Name recorded in the object. */
  name: string;
  /** Human-readable range (CIDR or lo-hi), checked against what is stored. */
  range: string;
  /** Number of offsets, 0..size-1. */
  size: number;
  /** Offsets below this are handed out dynamically only when the rest is full (KEP-3070 reserved band). */
  reservedBelow?: number;
  /** Random in [0,1); injected for tests. */
  random?: () => number;
  /** Offsets never handed out (e.g. the network address). */
  excluded?: readonly number[];
}

const maxCasAttempts = 64;

/**
 * Allocates offsets of a range. Every change reads the object, changes the set and writes it
 * back with compare-and-swap on its revision, retrying on conflict: several API servers on one
 * storage never hand out the same offset. Within one process, changes are also serialized so
 * concurrent requests do not spin on conflicts with each other.
 */
export class RangeAllocator {
  private readonly random: () => number;
  private readonly excluded: Set<number>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    readonly o: RangeAllocatorOptions,
  ) {
    this.random = o.random ?? Math.random;
    this.excluded = new Set(o.excluded ?? []);
  }

  /** Allocates `offset`; throws AlreadyAllocatedError or OutOfRangeError. */
  async allocate(offset: number): Promise<void> {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.o.size || this.excluded.has(offset)) throw new OutOfRangeError(offset, this.o.size);
    await this.mutate((used) => {
      if (used.has(offset)) throw new AlreadyAllocatedError(offset);
      used.add(offset);
      return offset;
    });
  }

  /** Allocates some free offset (above the reserved band first); throws RangeFullError. */
  allocateNext(): Promise<number> {
    return this.mutate((used) => {
      const reserved = Math.min(this.o.reservedBelow ?? 0, this.o.size);
      const pick = this.pickFree(used, reserved, this.o.size) ?? this.pickFree(used, 0, reserved);
      if (pick === undefined) throw new RangeFullError(this.o.range);
      used.add(pick);
      return pick;
    });
  }

  /** Frees `offset` (no-op when it is free). */
  async release(offset: number): Promise<void> {
    await this.mutate((used) => {
      used.delete(offset);
      return undefined;
    }, true);
  }

  /** The allocated offsets now. */
  async used(): Promise<Set<number>> {
    const obj = (await this.storage.get(this.o.key)) as RangeAllocation | undefined;
    return obj ? decodeOffsets(obj.data) : new Set();
  }

  /** Applies `change` to the allocated set atomically (repair). */
  update(change: (used: Set<number>) => void): Promise<void> {
    return this.mutate((used) => {
      change(used);
      return undefined;
    });
  }

  /** Random probe from a random start, then a linear scan, as Kubernetes' random-scan strategy. */
  private pickFree(used: Set<number>, lo: number, hi: number): number | undefined {
    const n = hi - lo;
    if (n <= 0) return undefined;
    const start = lo + Math.floor(this.random() * n);
    for (let i = 0; i < n; i++) {
      const v = lo + ((start - lo + i) % n);
      if (!used.has(v) && !this.excluded.has(v)) return v;
    }
    return undefined;
  }

  private mutate<T>(fn: (used: Set<number>) => T, skipIfUnchanged = false): Promise<T> {
    const run = this.chain.then(() => this.casLoop(fn, skipIfUnchanged));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async casLoop<T>(fn: (used: Set<number>) => T, skipIfUnchanged: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = (await this.storage.get(this.o.key)) as RangeAllocation | undefined;
      if (current && current.range !== this.o.range) throw new RangeMismatchError(current.range, this.o.range);
      const used = current ? decodeOffsets(current.data) : new Set<number>();
      const before = current?.data ?? '';
      const result = fn(used);
      const data = encodeOffsets(used);
      if (skipIfUnchanged && data === before) return result;
      const obj: RangeAllocation = { apiVersion: 'v1', kind: 'RangeAllocation', metadata: { name: this.o.name }, range: this.o.range, data };
      try {
        if (current) await this.storage.update(this.o.key, obj, { expectedRevision: Number(current.metadata.resourceVersion) });
        else await this.storage.create(this.o.key, obj);
        return result;
      } catch (e: unknown) {
        if ((e instanceof RevisionConflictError || e instanceof KeyExistsError) && attempt < maxCasAttempts) continue;
        throw e;
      }
    }
  }
}
