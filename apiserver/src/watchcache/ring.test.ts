// RevisionRing: keeps the newest N items and finds those after a revision.
import { RevisionRing } from './ring';

const item = (revision: number): { revision: number } => ({ revision });

it('keeps the newest items, reports what it pushes out, and searches by revision', () => {
  const ring = new RevisionRing<{ revision: number }>(3);
  expect(ring.after(0)).toEqual([]);
  expect(ring.push(item(2))).toBeUndefined();
  ring.push(item(5));
  ring.push(item(7));
  expect(ring.push(item(9))).toEqual(item(2));
  expect(ring.size).toBe(3);
  expect(ring.oldest()).toEqual(item(5));
  expect(ring.newest()).toEqual(item(9));
  expect(ring.after(4).map((i) => i.revision)).toEqual([5, 7, 9]);
  expect(ring.after(5).map((i) => i.revision)).toEqual([7, 9]);
  expect(ring.after(6).map((i) => i.revision)).toEqual([7, 9]);
  expect(ring.after(9)).toEqual([]);
  ring.clear();
  expect(ring.size).toBe(0);
  expect(ring.oldest()).toBeUndefined();
});

it('rejects a capacity below one', () => {
  expect(() => new RevisionRing(0)).toThrow(RangeError);
});
