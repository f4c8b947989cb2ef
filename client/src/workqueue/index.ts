// Public surface of the workqueue: the queue, its rate limiters and metrics, the worker loop, and the injected logger.
export { WorkQueue, completeWorkQueueConfig, type QueueKey, type WorkQueueOptions, type WorkQueueConfig } from './queue';
export {
  TokenBucket,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from './ratelimiter';
export { workqueueMetrics, type WorkqueueMetrics } from './metrics';
export { runWorker, runWorkers, type WorkerOptions } from './worker';
export { consoleLogger, errorText, type Logger } from './log';
