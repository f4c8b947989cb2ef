// Slow start: run a number of calls in batches of 1, 2, 4, … so a call that fails fails fast and rarely.
import { toError } from './errors';

/**
 * Runs `fn` `count` times, in batches that double from `initialBatchSize` (each batch runs
 * concurrently). Stops after the first batch with a failure. Returns how many calls succeeded
 * and the first error, if any (controller.slowStartBatch).
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error: Error | undefined }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: Error | undefined;
    let failed = false;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else if (!failed) {
        failed = true;
        error = toError(r.reason);
      }
    }
    if (failed) return { successes, error };
    remaining -= batch;
  }
  return { successes, error: undefined };
}
