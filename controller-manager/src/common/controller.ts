// What every controller is to the manager, and the loop that runs one: wait for caches, then workers over its queue.
import { runWorkers, type Logger, type SharedIndexInformer, type WorkQueue, type ObjectLike } from '@keelson/client';

/** One controller: built with no I/O, run until the signal aborts. */
export interface Controller {
  /** The name used by `--controllers`, in logs and as the workqueue name (`replicaset`). */
  readonly name: string;
  /** Waits for the informers it reads to sync, then works its queue until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export interface RunLoopOptions {
  name: string;
  queue: WorkQueue<string>;
  workers: number;
  informers: readonly SharedIndexInformer<ObjectLike>[];
  sync: (key: string) => Promise<void>;
  logger: Logger;
}

/**
 * The body of every controller's `run`: waits for its informers (their factory is started by
 * the manager), runs `workers` workers until `signal` aborts, then shuts the queue down.
 * Keys still queued at shutdown are dropped, not synced: a stopping (or deposed) controller
 * must not write any more.
 */
export async function runLoop(o: RunLoopOptions, signal: AbortSignal): Promise<void> {
  const stop = (): void => o.queue.shutDown();
  if (signal.aborted) {
    stop();
    return;
  }
  signal.addEventListener('abort', stop, { once: true });
  try {
    const synced = await Promise.all(o.informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      stop();
      return;
    }
    o.logger.info('controller started', { controller: o.name, workers: o.workers });
    await runWorkers(o.queue, o.workers, async (key) => {
      if (signal.aborted) return;
      await o.sync(key);
    }, { logger: o.logger });
    o.logger.info('controller stopped', { controller: o.name });
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
