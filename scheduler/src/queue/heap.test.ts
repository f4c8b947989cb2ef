// KeyedHeap: ordering, replacement by key, removal from the middle.
import { KeyedHeap } from './heap';

describe('KeyedHeap', () => {
  it('pops in order, re-orders a replaced item and removes by key', () => {
    const h = new KeyedHeap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    for (const [k, v] of [['a', 5], ['b', 3], ['c', 8], ['d', 1], ['e', 7]] as const) h.push({ k, v });
    h.push({ k: 'c', v: 0 });
    expect(h.delete('b')?.v).toBe(3);
    const out: string[] = [];
    for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x.k);
    expect(out).toEqual(['c', 'd', 'a', 'e']);
    expect(h.size).toBe(0);
  });
});
