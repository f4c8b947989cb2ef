// Public surface of @keelson/scheduler (see README.md).
export { run, activePodsSelector, type RunningScheduler } from './run';
export { completeConfig, SchedulerConfigError, type SchedulerOptions, type SchedulerConfig } from './config';
export { Scheduler, nodeReasonsAnnotation, nodeReasonsOf, type SchedulerDeps, type NodeReasons } from './scheduler';
export { restPodWriter, restLeaseClient, restEventSink, type PodWriter } from './api';
export { SchedulingQueue, type QueuedPodInfo, type ClusterEvent, type SubQueue, type SchedulingQueueOptions } from './queue/scheduling-queue';
export { SchedulerCache } from './cache/cache';
export { Framework, numFeasibleNodesToFind, noNodesAvailable, type ScheduleResult, type FrameworkOptions } from './framework/framework';
export { FitError, fitErrorMessage, reasonHistogram, type Diagnosis } from './framework/fit-error';
export { NodeInfo } from './framework/node-info';
export { podInfo, type PodInfo, type AffinityTerm, type WeightedAffinityTerm, type HostPort } from './framework/pod-info';
export { podRequests, type Resources, type Allocatable } from './framework/resources';
export { ListSnapshot } from './framework/snapshot';
export {
  unschedulable,
  unresolvable,
  maxNodeScore,
  type Status,
  type StatusCode,
  type PluginStatus,
  type Snapshot,
  type FilterPlugin,
  type NodeFilter,
  type ScorePlugin,
  type NodeScorer,
  type Plugins,
} from './framework/types';
export { defaultPlugins } from './plugins/registry';
export { createMetrics, type SchedulerMetrics } from './metrics';
export { createLogger, type Logger, type LogLevel } from './log';
