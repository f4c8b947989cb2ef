// A binary min-heap whose entries know their position, so a waiting item's ready time can move earlier.

export interface HeapEntry {
  /** Maintained by the heap. */
  index: number;
}

export class Heap<E extends HeapEntry> {
  private readonly items: E[] = [];

  constructor(private readonly less: (a: E, b: E) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(e: E): void {
    e.index = this.items.length;
    this.items.push(e);
    this.up(e.index);
  }

  pop(): E | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (last !== top) {
      this.place(last, 0);
      this.down(0);
    }
    top.index = -1;
    return top;
  }

  /** Restores order after `e`'s key changed. */
  fix(e: E): void {
    this.up(e.index);
    this.down(e.index);
  }

  clear(): void {
    for (const e of this.items) e.index = -1;
    this.items.length = 0;
  }

  private at(i: number): E {
    const e = this.items[i];
    if (e === undefined) throw new RangeError(`heap index ${i} out of range`);
    return e;
  }

  private place(e: E, i: number): void {
    this.items[i] = e;
    e.index = i;
  }

  private up(i: number): void {
    const e = this.at(i);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.at(parent);
      if (!this.less(e, p)) break;
      this.place(p, i);
      i = parent;
    }
    this.place(e, i);
  }

  private down(i: number): void {
    const e = this.at(i);
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(this.at(r), this.at(l)) ? r : l;
      const c = this.at(child);
      if (!this.less(c, e)) break;
      this.place(c, i);
      i = child;
    }
    this.place(e, i);
  }
}
