// Public surface of @keelson/controller-manager (see README.md).

// The process: options → config, run(config, signal).
export { run, buildControllers, eventSink, leaseClient, LeaderElectionLostError, type RunningControllerManager, type Lifecycle } from './manager';
export {
  completeConfig,
  enabledControllers,
  allControllers,
  ControllerManagerConfigError,
  type ControllerManagerOptions,
  type ControllerManagerConfig,
  type ControllerName,
  type LeaderElectionOptions,
  type LogLevel,
} from './options';

// The controllers, each usable on its own.
export type { Controller } from './common/controller';
export { ReplicaSetController, type ReplicaSetControllerOptions } from './replicaset/controller';
export { DeploymentController, type DeploymentControllerOptions } from './deployment/controller';
export { GarbageCollector, type GarbageCollectorOptions } from './garbagecollector/controller';
export { NamespaceController, type NamespaceControllerOptions } from './namespace/controller';
export { EndpointsController, type EndpointsControllerOptions } from './endpoints/controller';
export { EndpointSliceController, type EndpointSliceControllerOptions } from './endpointslice/controller';
export { JobController, type JobControllerOptions } from './job/controller';
export { TTLAfterFinishedController, type TTLAfterFinishedOptions } from './ttlafterfinished/controller';
export { CronJobController, type CronJobControllerOptions } from './cronjob/controller';
export { parseSchedule, ScheduleError, type Schedule } from './cronjob/schedule';
export { NodeLifecycleController, type NodeLifecycleControllerOptions } from './nodelifecycle/controller';
export { parseDurationMs, DurationError } from './nodelifecycle/duration';
export { NodeIpamController, type NodeIpamControllerOptions } from './nodeipam/controller';
export { CidrSet, CidrError, CidrExhaustedError, parseCidr, formatCidr } from './nodeipam/cidr';

// A simulated node (binds pods to itself, marks them Running and Ready, confirms deletions) for tests and benchmarks.
export * as testing from './testing/agent';

// Shared pieces other workload controllers (and the scheduler and kubelet tests) reuse.
export { ControllerExpectations, expectationsTimeoutMs } from './common/expectations';
export { computeHash } from './common/hash';
export { isPodActive, isPodReady, isPodAvailable } from './common/pods';
export {
  revisionAnnotation,
  revisionHistoryAnnotation,
  changeCauseAnnotation,
  rollbackToAnnotation,
  podTemplateHashLabel,
  resolveFenceposts,
} from './deployment/util';
