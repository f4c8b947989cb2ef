// Public surface of the watch cache: Kubernetes' cacher for Keelson, serving list and watch from memory.
export { WatchCache, completeWatchCacheConfig } from './cache';
export { WatchCacheSet, type WatchCacheSetOptions } from './set';
export { systemTimerClock, ManualTimerClock } from './clock';
export {
  TooLargeResourceVersionError,
  CacheNotReadyError,
  CacheStoppedError,
  WatcherTerminatedError,
  type WatcherTerminationReason,
} from './errors';
export {
  INITIAL_EVENTS_END_ANNOTATION,
  type CacheListOptions,
  type CacheListResult,
  type CacheWatchEvent,
  type CacheWatchEventType,
  type CacheWatchOptions,
  type CacheWatcher,
  type ObjectFilter,
  type Timer,
  type TimerClock,
  type WatchCacheConfig,
  type WatchCacheLogEntry,
  type WatchCacheLogLevel,
  type WatchCacheLogger,
  type WatchCacheMetrics,
  type WatchCacheOptions,
  type WatchCacheState,
} from './types';
