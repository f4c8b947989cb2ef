// Retry rate limiters for the workqueue (per-item exponential backoff, overall token bucket), as client-go's.
import type { Clock } from '../clock';

/** Decides how long an item waits before its next retry. */
export interface RateLimiter<T> {
  /** Records a failure of `item` and returns how many milliseconds it should wait. */
  when(item: T): number;
  /** Clears `item`'s failure history (it succeeded, or was given up on). */
  forget(item: T): void;
  /** How many failures of `item` are on record. */
  numRequeues(item: T): number;
}

/**
 * A token bucket as golang.org/x/time/rate's Limiter: refills at `ratePerSecond` up to `burst`;
 * `reserve` always takes a token (going into debt) and says how long to wait for it; `tryTake`
 * takes one only if available.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`token bucket rate must be > 0, got ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`token bucket burst must be >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token, waiting for it if needed: returns the milliseconds until it is available. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }

  /** Takes a token if one is available now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.last = now;
  }
}

/** `base * 2^failures`, capped at `max` (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(
    readonly baseDelayMs: number,
    readonly maxDelayMs: number,
  ) {}

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff < this.maxDelayMs ? backoff : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** One token bucket for every item: bounds the overall retry rate (client-go BucketRateLimiter). */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;

  constructor(clock: Clock, ratePerSecond: number, burst: number) {
    this.bucket = new TokenBucket(clock, ratePerSecond, burst);
  }

  when(_item: T): number {
    return this.bucket.reserve();
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay any of its limiters asks for (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: T): number {
    // Every limiter sees every failure, so each keeps its own state.
    return Math.max(...this.limiters.map((l) => l.when(item)));
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-item backoff 5 ms → 1000 s, and at most 10 retries
 * a second overall with bursts of 100.
 */
export function defaultControllerRateLimiter<T>(clock: Clock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1000 * 1000),
    new BucketRateLimiter<T>(clock, 10, 100),
  );
}
