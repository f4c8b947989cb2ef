// The crash-loop back-off: first retry at once, then doubling to the cap, reset after a long run.
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('lets the first restart go at once, then waits base, 2×base … up to max', () => {
    const b = new Backoff(10_000, 40_000);
    expect(b.remaining('k', 1000, 1000)).toBe(0);
    b.next('k', 1000);
    expect(b.remaining('k', 5000, 5000)).toBe(10_000);
    expect(b.remaining('k', 5000, 15_000)).toBe(0);
    b.next('k', 5000);
    expect(b.remaining('k', 20_000, 20_000)).toBe(20_000);
    b.next('k', 20_000);
    b.next('k', 60_000);
    expect(b.delayOf('k')).toBe(40_000);
    b.reset('k');
    expect(b.remaining('k', 90_000, 90_000)).toBe(0);
  });

  it('forgets every key of a pod', () => {
    const b = new Backoff(10, 100);
    b.next('uid/a', 0);
    b.next('uid/b', 0);
    b.next('other/a', 0);
    b.resetPrefix('uid/');
    expect([b.delayOf('uid/a'), b.delayOf('uid/b'), b.delayOf('other/a')]).toEqual([0, 0, 10]);
  });
});
