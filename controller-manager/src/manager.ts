// The controller-manager process: one client, one informer factory, leader election, every enabled controller, /healthz and /metrics.
import { setMaxListeners } from 'node:events';
import { isStatusError } from '@keelson/api';
import {
  EventBroadcaster,
  LeaderElector,
  RestClient,
  SharedInformerFactory,
  type EventSink,
  type LeaseClient,
} from '@keelson/client';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger as WinstonLogger } from 'winston';
import type { Controller } from './common/controller';
import { errorText } from './common/errors';
import { DaemonSetController } from './daemonset/controller';
import { DeploymentController } from './deployment/controller';
import { EndpointsController } from './endpoints/controller';
import { EndpointSliceController } from './endpointslice/controller';
import { GarbageCollector } from './garbagecollector/controller';
import { JobController } from './job/controller';
import { CronJobController } from './cronjob/controller';
import { NodeLifecycleController } from './nodelifecycle/controller';
import { NodeIpamController } from './nodeipam/controller';
import { TTLAfterFinishedController } from './ttlafterfinished/controller';
import { createLogger } from './log';
import { NamespaceController } from './namespace/controller';
import { completeConfig, type ControllerManagerConfig, type ControllerManagerOptions, type ControllerName } from './options';
import { ReplicaSetController } from './replicaset/controller';
import { LocalPathProvisioner } from './volume/localpath/controller';
import { PersistentVolumeBinder } from './volume/persistentvolume/controller';
import { startStatusServer, type StatusServer } from './server';
import { StatefulSetController } from './statefulset/controller';

/** Where the process is in its life. */
export type Lifecycle = 'starting' | 'campaigning' | 'leading' | 'stopping' | 'stopped' | 'failed';

/** Leadership ended while the process was meant to keep running; Kubernetes components exit then. */
export class LeaderElectionLostError extends Error {
  constructor(identity: string) {
    super(`leader election lost by ${identity}`);
    this.name = 'LeaderElectionLostError';
  }
}

export interface RunningControllerManager {
  /** Resolves once /healthz and /metrics answer (and rejects if the process cannot start). */
  ready: Promise<void>;
  /** Resolves once this instance leads (or needs no election), its caches synced and its controllers run. */
  started: Promise<void>;
  /** Resolves after `signal` aborts and everything stopped; rejects with LeaderElectionLostError if leadership is lost. */
  done: Promise<void>;
  /** `http://host:port` of the status endpoints, once ready. */
  url(): string;
  state(): Lifecycle;
  readonly config: ControllerManagerConfig;
  readonly registry: Registry;
}

/** An EventSink over the REST client. */
export function eventSink(client: RestClient): EventSink {
  const events = client.resource('v1', 'Event');
  return {
    create: (event) => events.create(event),
    patch: (namespace, name, patch) => events.namespace(namespace).patch(name, 'merge', patch),
  };
}

/** A LeaseClient over the REST client: a missing Lease reads as undefined. */
export function leaseClient(client: RestClient): LeaseClient {
  const leases = client.resource('coordination.k8s.io/v1', 'Lease');
  return {
    get: async (namespace, name, options) => {
      try {
        return await leases.namespace(namespace).get(name, options);
      } catch (e: unknown) {
        if (isStatusError(e, 'NotFound')) return undefined;
        throw e;
      }
    },
    create: (lease, options) => leases.create(lease, options),
    update: (lease, options) => leases.update(lease, options),
  };
}

/**
 * Builds the enabled controllers over one factory. Constructors do no I/O: they ask the
 * factory for the informers they read and register their handlers.
 */
export function buildControllers(config: ControllerManagerConfig, client: RestClient, factory: SharedInformerFactory, broadcaster: EventBroadcaster, logger: WinstonLogger, registry: Registry): Controller[] {
  const clock = config.clock ?? client.clock;
  const child = (name: ControllerName): WinstonLogger => logger.child({ controller: name });
  const builders: Record<ControllerName, () => Controller> = {
    replicaset: () =>
      new ReplicaSetController({
        client,
        replicaSets: factory.forKind('apps/v1', 'ReplicaSet'),
        pods: factory.forKind('v1', 'Pod'),
        recorder: broadcaster.newRecorder({ component: 'replicaset-controller' }),
        logger: child('replicaset'),
        clock,
        registry,
        workers: config.workers.replicaset,
      }),
    deployment: () =>
      new DeploymentController({
        client,
        deployments: factory.forKind('apps/v1', 'Deployment'),
        replicaSets: factory.forKind('apps/v1', 'ReplicaSet'),
        pods: factory.forKind('v1', 'Pod'),
        recorder: broadcaster.newRecorder({ component: 'deployment-controller' }),
        logger: child('deployment'),
        clock,
        registry,
        workers: config.workers.deployment,
      }),
    garbagecollector: () => new GarbageCollector({ client, factory, logger: child('garbagecollector'), clock, registry, workers: config.workers.garbagecollector }),
    namespace: () =>
      new NamespaceController({
        client,
        namespaces: factory.forKind('v1', 'Namespace'),
        logger: child('namespace'),
        clock,
        registry,
        workers: config.workers.namespace,
        recheckMs: config.namespaceRecheckMs,
      }),
    endpoint: () =>
      new EndpointsController({
        client,
        services: factory.forKind('v1', 'Service'),
        pods: factory.forKind('v1', 'Pod'),
        endpoints: factory.forKind('v1', 'Endpoints'),
        logger: child('endpoint'),
        clock,
        registry,
        workers: config.workers.endpoint,
      }),
    endpointslice: () =>
      new EndpointSliceController({
        client,
        services: factory.forKind('v1', 'Service'),
        pods: factory.forKind('v1', 'Pod'),
        slices: factory.forKind('discovery.k8s.io/v1', 'EndpointSlice'),
        logger: child('endpointslice'),
        clock,
        registry,
        workers: config.workers.endpointslice,
      }),
    job: () =>
      new JobController({
        client,
        jobs: factory.forKind('batch/v1', 'Job'),
        pods: factory.forKind('v1', 'Pod'),
        recorder: broadcaster.newRecorder({ component: 'job-controller' }),
        logger: child('job'),
        clock,
        registry,
        workers: config.workers.job,
        backoffBaseMs: config.jobBackoffBaseMs,
      }),
    daemonset: () =>
      new DaemonSetController({
        client,
        daemonSets: factory.forKind('apps/v1', 'DaemonSet'),
        pods: factory.forKind('v1', 'Pod'),
        nodes: factory.forKind('v1', 'Node'),
        revisions: factory.forKind('apps/v1', 'ControllerRevision'),
        recorder: broadcaster.newRecorder({ component: 'daemonset-controller' }),
        logger: child('daemonset'),
        clock,
        registry,
        workers: config.workers.daemonset,
      }),
    statefulset: () =>
      new StatefulSetController({
        client,
        statefulSets: factory.forKind('apps/v1', 'StatefulSet'),
        pods: factory.forKind('v1', 'Pod'),
        claims: factory.forKind('v1', 'PersistentVolumeClaim'),
        revisions: factory.forKind('apps/v1', 'ControllerRevision'),
        recorder: broadcaster.newRecorder({ component: 'statefulset-controller' }),
        logger: child('statefulset'),
        clock,
        registry,
        workers: config.workers.statefulset,
      }),
    'ttl-after-finished': () =>
      new TTLAfterFinishedController({ client, jobs: factory.forKind('batch/v1', 'Job'), logger: child('ttl-after-finished'), clock, registry, workers: config.workers['ttl-after-finished'] }),
    'node-lifecycle': () =>
      new NodeLifecycleController({
        client,
        nodes: factory.forKind('v1', 'Node'),
        leases: factory.forKind('coordination.k8s.io/v1', 'Lease'),
        pods: factory.forKind('v1', 'Pod'),
        recorder: broadcaster.newRecorder({ component: 'node-controller' }),
        logger: child('node-lifecycle'),
        clock,
        registry,
        workers: config.workers['node-lifecycle'],
        gracePeriodMs: config.nodeMonitorGracePeriodMs,
        monitorPeriodMs: config.nodeMonitorPeriodMs,
        defaultTolerationSeconds: { notReady: config.defaultNotReadyTolerationSeconds, unreachable: config.defaultUnreachableTolerationSeconds },
      }),
    nodeipam: () =>
      new NodeIpamController({
        client,
        nodes: factory.forKind('v1', 'Node'),
        recorder: broadcaster.newRecorder({ component: 'node-ipam-controller' }),
        logger: child('nodeipam'),
        clock,
        registry,
        workers: config.workers.nodeipam,
        clusterCidr: config.clusterCidr,
        nodeCidrMaskSize: config.nodeCidrMaskSize,
      }),
    cronjob: () =>
      new CronJobController({
        client,
        cronJobs: factory.forKind('batch/v1', 'CronJob'),
        jobs: factory.forKind('batch/v1', 'Job'),
        recorder: broadcaster.newRecorder({ component: 'cronjob-controller' }),
        logger: child('cronjob'),
        clock,
        registry,
        workers: config.workers.cronjob,
      }),
    'persistentvolume-binder': () =>
      new PersistentVolumeBinder({
        client,
        volumes: factory.forKind('v1', 'PersistentVolume'),
        claims: factory.forKind('v1', 'PersistentVolumeClaim'),
        classes: factory.forKind('storage.k8s.io/v1', 'StorageClass'),
        recorder: broadcaster.newRecorder({ component: 'persistentvolume-controller' }),
        logger: child('persistentvolume-binder'),
        clock,
        registry,
        workers: config.workers['persistentvolume-binder'],
      }),
    'local-path-provisioner': () =>
      new LocalPathProvisioner({
        client,
        claims: factory.forKind('v1', 'PersistentVolumeClaim'),
        volumes: factory.forKind('v1', 'PersistentVolume'),
        classes: factory.forKind('storage.k8s.io/v1', 'StorageClass'),
        nodes: factory.forKind('v1', 'Node'),
        recorder: broadcaster.newRecorder({ component: 'keelson.io/local-path' }),
        logger: child('local-path-provisioner'),
        clock,
        registry,
        workers: config.workers['local-path-provisioner'],
        baseDir: config.localPathDir,
        ...(config.localPathNodeName !== undefined ? { nodeName: config.localPathNodeName } : {}),
      }),
  };
  return config.controllers.map((name) => builders[name]());
}

/**
 * Starts the controller-manager; it stops when `signal` aborts.
 *
 *   status server (/healthz /readyz /metrics) ─► ready
 *   leader election on Lease kube-system/kube-controller-manager (when --leader-elect)
 *     └ leading: factory + controllers ─► start informers ─► caches synced ─► started
 *                 workers run until leadership ends or the signal aborts
 *   leadership lost ─► done rejects (the process exits, as Kubernetes components do)
 */
export function run(options: ControllerManagerOptions, signal: AbortSignal): RunningControllerManager {
  const config = completeConfig(options);
  const logger = config.logger ?? createLogger(config.logLevel);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const leaderGauge = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', labelNames: ['name'], registers: [registry] });
  let lifecycle: Lifecycle = 'starting';
  let server: StatusServer | undefined;
  let elector: LeaderElector | undefined;
  let controllersStarted = false;
  let markStarted: () => void = () => undefined;
  let failStarted: (e: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStarted = reject;
  });
  // Nobody may wait on `started`; its rejection is reported through `done`.
  started.catch(() => undefined);

  const ownsClient = config.client === undefined;
  let client: RestClient | undefined;

  const ready = (async () => {
    client = config.client ?? RestClient.fromKubeconfig({ ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}), userAgent: 'keelson-controller-manager/0.1.0' });
    server = await startStatusServer(config.port, config.bindAddress, registry, {
      unhealthy: () => (lifecycle === 'failed' ? 'leader election lost' : undefined),
      unready: () => (controllersStarted || (config.leaderElect && lifecycle === 'campaigning') ? undefined : `state ${lifecycle}`),
    });
    logger.info('controller-manager serving', { url: server.url, controllers: config.controllers, leaderElect: config.leaderElect });
  })();

  /** Runs every controller until `leading` aborts. */
  const runControllers = async (outer: AbortSignal): Promise<void> => {
    if (client === undefined) return;
    // Every informer and controller listens on this signal: more than Node's default of 10.
    const stop = new AbortController();
    setMaxListeners(1000, stop.signal);
    const onStop = (): void => stop.abort();
    if (outer.aborted) stop.abort();
    else outer.addEventListener('abort', onStop, { once: true });
    const leading = stop.signal;
    lifecycle = 'leading';
    leaderGauge.set({ name: config.leaderElection.name }, 1);
    const factory = new SharedInformerFactory(client, { resyncPeriodMs: config.resyncPeriodMs, logger, ...(config.clock ? { clock: config.clock } : {}) });
    const broadcaster = new EventBroadcaster({ sink: eventSink(client), logger, ...(config.clock ? { clock: config.clock } : {}) });
    try {
      const controllers = buildControllers(config, client, factory, broadcaster, logger, registry);
      factory.start(leading);
      const runs = controllers.map((c) =>
        c.run(leading).catch((e: unknown) => {
          logger.error('controller failed', { controller: c.name, error: errorText(e) });
        }),
      );
      if (await factory.waitForCacheSync(leading)) {
        controllersStarted = true;
        logger.info('caches synced; controllers running', { controllers: controllers.map((c) => c.name) });
        markStarted();
      }
      await Promise.all(runs);
    } finally {
      outer.removeEventListener('abort', onStop);
      controllersStarted = false;
      leaderGauge.set({ name: config.leaderElection.name }, 0);
      await factory.shutdown();
      broadcaster.shutdown();
    }
  };

  const done = (async () => {
    try {
      await ready;
    } catch (e: unknown) {
      lifecycle = 'failed';
      failStarted(e);
      if (ownsClient) client?.close();
      await server?.close();
      throw e;
    }
    let lost = false;
    try {
      if (client === undefined) return;
      if (config.leaderElect) {
        lifecycle = 'campaigning';
        const le = config.leaderElection;
        elector = new LeaderElector({
          client: leaseClient(client),
          namespace: le.namespace,
          name: le.name,
          identity: le.identity,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          logger,
          ...(config.clock ? { clock: config.clock } : {}),
          callbacks: {
            onStartedLeading: (leading) => runControllers(leading),
            onNewLeader: (identity) => logger.info('new leader', { lease: `${le.namespace}/${le.name}`, leader: identity }),
          },
        });
        await elector.run(signal);
        lost = !signal.aborted;
      } else {
        await runControllers(signal);
      }
    } finally {
      lifecycle = lost ? 'failed' : 'stopping';
      failStarted(new Error('the controller-manager stopped before its controllers started'));
      if (ownsClient) client?.close();
      await server?.close();
      if (!lost) lifecycle = 'stopped';
    }
    if (lost) {
      logger.error('leader election lost', { identity: config.leaderElection.identity });
      throw new LeaderElectionLostError(config.leaderElection.identity);
    }
  })();

  return {
    ready,
    started,
    done,
    url: () => server?.url ?? '',
    state: () => lifecycle,
    config,
    registry,
  };
}
