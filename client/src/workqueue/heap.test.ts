// The heap pops in order after pushes, pops and keys moved earlier, checked against a sorted copy.
import { Heap, type HeapEntry } from './heap';

interface Entry extends HeapEntry {
  at: number;
  id: number;
}

describe('Heap', () => {
  it('always pops the smallest entry, including after fix() moves one earlier', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const heap = new Heap<Entry>((a, b) => a.at < b.at || (a.at === b.at && a.id < b.id));
    const live: Entry[] = [];
    for (let step = 0; step < 2000; step++) {
      const op = rand(3);
      if (op === 0 || live.length === 0) {
        const e: Entry = { at: rand(1000), id: step, index: -1 };
        heap.push(e);
        live.push(e);
      } else if (op === 1) {
        const e = live[rand(live.length)]!;
        e.at = Math.max(0, e.at - rand(100));
        heap.fix(e);
      } else {
        live.sort((a, b) => a.at - b.at || a.id - b.id);
        const want = live.shift();
        expect(heap.pop()).toBe(want);
      }
      expect(heap.size).toBe(live.length);
    }
  });
});
