// The standard worker loop over a workqueue: get → handle → forget or retry with backoff → done.
import { consoleLogger, errorText, type Logger } from './log';
import type { QueueKey, WorkQueue } from './queue';

export interface WorkerOptions {
  logger?: Logger;
  /** Give up on a key (forget it, log) after this many consecutive failures; retries forever when unset. */
  maxRetries?: number;
}

/**
 * Processes keys until the queue shuts down. A handler that resolves forgets the key's failure
 * history; one that throws requeues the key with backoff (level-triggered: the next attempt
 * re-reads state).
 */
export async function runWorker<T extends QueueKey>(queue: WorkQueue<T>, handle: (key: T) => Promise<void>, options: WorkerOptions = {}): Promise<void> {
  const logger = options.logger ?? consoleLogger;
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    try {
      await handle(key);
      queue.forget(key);
    } catch (err: unknown) {
      const retries = queue.numRequeues(key);
      if (options.maxRetries !== undefined && retries >= options.maxRetries) {
        logger.error('dropping key out of the queue after repeated failures', { queue: queue.name, key: String(key), retries, error: errorText(err) });
        queue.forget(key);
      } else {
        logger.warn('error syncing key, requeuing with backoff', { queue: queue.name, key: String(key), retries, error: errorText(err) });
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
  }
}

/** `count` workers over one queue; resolves when all have stopped (after the queue shuts down). */
export async function runWorkers<T extends QueueKey>(queue: WorkQueue<T>, count: number, handle: (key: T) => Promise<void>, options: WorkerOptions = {}): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => runWorker(queue, handle, options)));
}
