// A fixed-capacity ring buffer of revision-ordered events, searched by revision.

/** Keeps the newest `capacity` items pushed, in push order (which must be revision order). */
export class RevisionRing<T extends { revision: number }> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  /** Index of the oldest item. */
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `item`; returns the item it pushed out when the ring was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.slots[this.start];
    this.slots[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  oldest(): T | undefined {
    return this.count === 0 ? undefined : this.at(0);
  }

  newest(): T | undefined {
    return this.count === 0 ? undefined : this.at(this.count - 1);
  }

  /** The items with a revision greater than `revision`, oldest first. */
  after(revision: number): T[] {
    // Binary search for the first item newer than `revision`.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision > revision) hi = mid;
      else lo = mid + 1;
    }
    const out: T[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  private at(i: number): T {
    const item = this.slots[(this.start + i) % this.capacity];
    if (item === undefined) throw new Error(`ring slot ${i} of ${this.count} is empty`);
    return item;
  }
}
