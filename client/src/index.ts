// Public surface of @keelson/client (see README.md).

// Kubeconfig: files, KUBECONFIG merging, overrides, in-cluster config → ClientConfig.
export {
  loadClientConfig,
  loadKubeconfig,
  readKubeconfigFile,
  parseKubeconfig,
  mergeKubeconfigs,
  resolveClientConfig,
  inClusterConfig,
  defaultServiceAccountDir,
  type Kubeconfig,
  type KubeconfigCluster,
  type KubeconfigUser,
  type KubeconfigContext,
  type ClientConfig,
  type TlsConfig,
  type AuthConfig,
  type ConfigOverrides,
  type LoadOptions,
} from './kubeconfig';

// REST: the client, per-resource verbs and their options.
export {
  RestClient,
  ResourceClient,
  resourceInfoFor,
  tableAccept,
  patchContentTypes,
  clientVersion,
  type RestClientOptions,
  type RequestSpec,
  type CallOptions,
  type ListOptions,
  type WriteOptions,
  type PatchType,
  type PatchOptions,
  type JsonPatchOperation,
  type DeleteCallOptions,
  type TableOptions,
  type WatchOptions,
} from './rest';
export { labelSelectorString, fieldSelectorString, toLabelSelector, type LabelSelectorInput, type FieldSelectorInput } from './selectors';
export { NodeTransport, readBody, type Transport, type HttpRequest, type HttpResponse, type NodeTransportOptions } from './transport';
export { keyOf, splitKey, makeKey, type ObjectLike, type ObjectList, type KnownKinds, type KindOf } from './types';

// Errors: API failures come back as @keelson/api StatusErrors; these are the client-side ones.
export {
  ClientError,
  TransportError,
  RequestTimeoutError,
  KubeconfigError,
  ClientUsageError,
  WatchDecodeError,
  WatchExpiredError,
  errorFromStatus,
  errorFromResponse,
  reasonForCode,
  isStatus,
  isExpired,
  type RequestTarget,
} from './errors';

// Watch: resuming streams of changes.
export {
  Watch,
  backoffDelay,
  defaultBackoff,
  isRetryableWatchError,
  decodeWatchLine,
  splitLines,
  type WatchEvent,
  type WatchStream,
  type WatchOpener,
  type WatchLoopOptions,
  type BackoffOptions,
  type RetryInfo,
} from './watch';

// Informers: indexed caches, listers, handlers, the shared factory.
export {
  Indexer,
  Lister,
  NamespaceLister,
  deepFreeze,
  defaultIndexers,
  indexByNamespace,
  indexByOwnerUid,
  indexByNodeName,
  namespaceIndex,
  ownerUidIndex,
  nodeNameIndex,
  type IndexFunc,
  type Indexers,
} from './cache';
export {
  SharedIndexInformer,
  DeletedFinalStateUnknown,
  deletedObject,
  type ListerWatcher,
  type EventHandler,
  type HandlerRegistration,
  type InformerOptions,
  type InformerLogger,
} from './informer';
export { SharedInformerFactory, type SharedInformerFactoryOptions } from './factory';

// Time, and test doubles.
export { systemClock, sleep, FakeClock, flushMicrotasks, type Clock, type Timer } from './clock';
export { FakeTransport, FakeStream, TcpProxy, type FakeReply } from './testing';

// Workqueue: dedupe, one worker per key, rate-limited retries, delayed adds; the worker loop.
export {
  WorkQueue,
  runWorker,
  runWorkers,
  workqueueMetrics,
  consoleLogger,
  TokenBucket,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type QueueKey,
  type WorkQueueOptions,
  type WorkQueueConfig,
  type RateLimiter,
  type WorkqueueMetrics,
  type WorkerOptions,
  type Logger,
} from './workqueue';

// Leader election on coordination.k8s.io/v1 Leases.
export {
  LeaderElector,
  LeaderElectionConfigError,
  FakeLeaseClient,
  microTime,
  type LeaseClient,
  type RequestOptions,
  type LeaderCallbacks,
  type LeaderElectionOptions,
  type LeaderElectionConfig,
  type LeaderElectionRecord,
  type LeaseFault,
  type LeaseOperation,
} from './leaderelection';

// Events: recorders over one background writer, with client-go's correlation.
export {
  EventBroadcaster,
  FakeEventRecorder,
  FakeEventSink,
  type EventRecorder,
  type EventSink,
  type EventPatch,
  type EventType,
  type EventSource,
  type EventObject,
  type EventBroadcasterOptions,
  type CorrelatorOptions,
  type EventSinkFault,
} from './events';
