// Rate limiters: exponential per-item backoff, the overall token bucket, and client-go's default combination.
import { FakeClock } from '../clock';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, TokenBucket, defaultControllerRateLimiter } from './ratelimiter';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles each key’s delay from the base up to the cap, independently per key', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
    expect([1, 2, 3, 4].map(() => rl.when('a'))).toEqual([5, 10, 20, 40]);
    expect(rl.when('b')).toBe(5);
    for (let i = 0; i < 40; i++) rl.when('a');
    expect(rl.when('a')).toBe(1000 * 1000);
    expect(rl.numRequeues('b')).toBe(1);
  });

  it('starts over after forget', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000);
    rl.when('a');
    rl.when('a');
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
  });

  it('never overflows to Infinity or NaN after very many failures', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000);
    for (let i = 0; i < 2000; i++) rl.when('a');
    expect(rl.when('a')).toBe(1000);
  });
});

describe('TokenBucket', () => {
  it('serves the burst at once, then spaces reservations by 1/rate', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, 10, 3);
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0]);
    expect(b.reserve()).toBeCloseTo(100);
    expect(b.reserve()).toBeCloseTo(200);
  });

  it('refills over time up to the burst', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, 1, 2);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    clock.advance(1000);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    clock.advance(60_000);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
  });

  it('rejects a rate or burst that could never admit anything', () => {
    const clock = new FakeClock();
    expect(() => new TokenBucket(clock, 0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(clock, 1, 0)).toThrow(RangeError);
  });
});

describe('MaxOfRateLimiter / defaultControllerRateLimiter', () => {
  it('takes the longer of backoff and bucket delays', () => {
    const clock = new FakeClock();
    const rl = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000), new BucketRateLimiter<string>(clock, 10, 1));
    expect(rl.when('a')).toBe(5); // bucket has its one token
    expect(rl.when('b')).toBeCloseTo(100); // bucket empty: 100 ms beats b's 5 ms
    expect(rl.numRequeues('a')).toBe(1);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
  });

  it('allows a burst of 100 retries at per-item backoff, then 10 per second overall', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter<string>(clock);
    for (let i = 0; i < 100; i++) expect(rl.when(`k${i}`)).toBe(5);
    expect(rl.when('k100')).toBeCloseTo(100);
    expect(rl.when('k101')).toBeCloseTo(200);
  });
});
