// run(options, signal): the scheduler as a component — informers, leader election, the HTTP server, a ready promise.
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '@keelson/api';
import { EventBroadcaster, LeaderElector, RestClient, SharedIndexInformer, clientVersion, sleep, systemClock } from '@keelson/client';
import { restEventSink, restLeaseClient, restPodWriter } from './api';
import { completeConfig, type SchedulerOptions } from './config';
import { startHttpServer, type HttpServer } from './http';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { Scheduler } from './scheduler';
import { defaultPlugins } from './plugins/registry';
import { claimsToAnnotate, selectedNodeAnnotation, volumeBinding, type VolumeLister } from './plugins/volume-binding';
import type { ClusterEvent } from './queue/scheduling-queue';

export interface RunningScheduler {
  /** Resolves once the caches are synced and /healthz answers; rejects if the scheduler cannot start. */
  ready: Promise<void>;
  /** Resolves when the scheduler has stopped (after the signal aborts) and its bindings have settled. */
  done: Promise<void>;
  /** `http://host:port` of /healthz, /readyz and /metrics, once ready. */
  url(): string;
  /** The scheduler itself, once ready (for tests and tools). */
  scheduler(): Scheduler | undefined;
  /** Whether this instance is scheduling now (always, without leader election, once ready). */
  isLeader(): boolean;
}

/** Terminated pods hold no resources: the scheduler does not watch them (as Kubernetes' scheduler does not). */
export const activePodsSelector = 'status.phase!=Succeeded,status.phase!=Failed';

const eventFlushMs = 5_000;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Starts the scheduler; it runs until `signal` aborts. Without leader election it schedules
 * as soon as its caches are synced; with it, only while it holds the Lease (and campaigns
 * again if it loses it). Nothing starts on import.
 */
export function run(options: SchedulerOptions, signal: AbortSignal): RunningScheduler {
  let url = '';
  let scheduler: Scheduler | undefined;
  let leading = false;
  let settleReady: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // Callers that only await `done` must not see an unhandled rejection.
  ready.catch(() => undefined);

  const done = (async (): Promise<void> => {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    if (signal.aborted) stop.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let log: Logger | undefined;
    let client: RestClient | undefined;
    let ownClient = false;
    let http: HttpServer | undefined;
    let broadcaster: EventBroadcaster | undefined;
    const informerRuns: Promise<void>[] = [];
    let isReady = false;
    try {
      const config = completeConfig(options);
      log = config.logger ?? createLogger(config.logLevel, config.quiet);
      const logger = log;
      client = config.client;
      if (client === undefined) {
        client = RestClient.fromKubeconfig({ ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}), userAgent: `keelson-scheduler/${clientVersion}`, clock: config.clock });
        ownClient = true;
      }
      const informerOptions = { clock: config.clock, random: config.random, logger };
      const pods = new SharedIndexInformer<Pod>(client.resource('v1', 'Pod'), { ...informerOptions, name: 'pods', fieldSelector: activePodsSelector });
      const nodes = new SharedIndexInformer<Node>(client.resource('v1', 'Node'), { ...informerOptions, name: 'nodes' });
      const namespaces = new SharedIndexInformer<Namespace>(client.resource('v1', 'Namespace'), { ...informerOptions, name: 'namespaces' });
      const claims = new SharedIndexInformer<PersistentVolumeClaim>(client.resource('v1', 'PersistentVolumeClaim'), { ...informerOptions, name: 'persistentvolumeclaims' });
      const pvs = new SharedIndexInformer<PersistentVolume>(client.resource('v1', 'PersistentVolume'), { ...informerOptions, name: 'persistentvolumes' });
      const classes = new SharedIndexInformer<StorageClass>(client.resource('storage.k8s.io/v1', 'StorageClass'), { ...informerOptions, name: 'storageclasses' });
      const volumes: VolumeLister = {
        claim: (ns, name) => claims.lister.get(ns, name),
        volume: (name) => pvs.lister.get(undefined, name),
        storageClass: (name) => classes.lister.get(undefined, name),
      };
      const claimClient = client.resource('v1', 'PersistentVolumeClaim');
      broadcaster = new EventBroadcaster({ sink: config.eventSink ?? restEventSink(client), clock: config.clock, logger, random: config.random });
      let pending = (): Record<'active' | 'backoff' | 'unschedulable', number> => ({ active: 0, backoff: 0, unschedulable: 0 });
      const metrics = createMetrics(() => pending(), config.registry);
      const s = new Scheduler({
        schedulerName: config.schedulerName,
        pods,
        nodes,
        namespaces,
        writer: restPodWriter(client, config.schedulerName),
        recorder: broadcaster.newRecorder({ component: config.schedulerName }),
        metrics,
        logger,
        clock: config.clock,
        random: config.random,
        percentageOfNodesToScore: config.percentageOfNodesToScore,
        podInitialBackoffMs: config.podInitialBackoffMs,
        podMaxBackoffMs: config.podMaxBackoffMs,
        podMaxInUnschedulablePodsDurationMs: config.podMaxInUnschedulablePodsDurationMs,
        unschedulableFlushIntervalMs: config.unschedulableFlushIntervalMs,
        maxInFlightBindings: config.maxInFlightBindings,
        plugins: config.plugins ?? (() => {
          const d = defaultPlugins();
          return { ...d, filters: [...d.filters, volumeBinding(volumes)] };
        })(),
        preBind: async (pod, node) => {
          for (const claim of claimsToAnnotate(pod, volumes)) {
            await claimClient.namespace(claim.metadata?.namespace ?? 'default').patch(claim.metadata?.name ?? '', 'merge', { metadata: { annotations: { [selectedNodeAnnotation]: node } } });
          }
        },
      });
      // A claim bound or a volume provisioned may make a waiting pod schedulable.
      const volumeEvent: ClusterEvent = { label: 'PersistentVolumeChange', plugins: new Set(['VolumeBinding']) };
      for (const inf of [claims, pvs, classes] as SharedIndexInformer<PersistentVolumeClaim | PersistentVolume | StorageClass>[]) {
        inf.addEventHandler({ onAdd: () => s.queue.moveAllToActiveOrBackoff(volumeEvent), onUpdate: () => s.queue.moveAllToActiveOrBackoff(volumeEvent) });
      }
      pending = () => s.queue.counts();
      http = await startHttpServer(config.metricsPort, config.bindAddress, {
        registry: metrics.registry,
        healthy: () => !stop.signal.aborted,
        ready: () => isReady,
      });
      url = http.url;
      for (const inf of [pods, nodes, namespaces, claims, pvs, classes] as SharedIndexInformer<Pod | Node | Namespace | PersistentVolumeClaim | PersistentVolume | StorageClass>[]) {
        informerRuns.push(
          inf.run(stop.signal).catch((e: unknown) => {
            logger.error('informer stopped', { informer: inf.name, error: errorText(e) });
          }),
        );
      }
      const synced = await Promise.all([pods, nodes, namespaces, claims, pvs, classes].map((inf) => (inf as SharedIndexInformer<Pod>).waitForSync(stop.signal)));
      if (!synced.every(Boolean)) throw new Error('the scheduler was stopped before its caches synced');
      scheduler = s;
      isReady = true;
      logger.info('caches synced', { nodes: s.cache.nodeCount(), pending: s.queue.counts().active, url });
      settleReady?.resolve();

      if (!config.leaderElect) {
        leading = true;
        await s.run(stop.signal);
        leading = false;
      } else {
        const leases = restLeaseClient(client);
        while (!stop.signal.aborted) {
          const elector = new LeaderElector({
            client: leases,
            namespace: config.leaseNamespace,
            name: config.leaseName,
            identity: config.identity,
            leaseDurationMs: config.leaseDurationMs,
            renewDeadlineMs: config.renewDeadlineMs,
            retryPeriodMs: config.retryPeriodMs,
            clock: config.clock,
            random: config.random,
            logger,
            callbacks: {
              onStartedLeading: async (leaderSignal) => {
                leading = true;
                logger.info('leading', { identity: config.identity, lease: `${config.leaseNamespace}/${config.leaseName}` });
                await s.run(leaderSignal);
                // The next leader must not overlap with bindings of this term.
                await s.drain();
              },
              onStoppedLeading: () => {
                leading = false;
                if (!stop.signal.aborted) logger.warn('lost leadership; campaigning again', { identity: config.identity });
              },
              onNewLeader: (id) => logger.info('new leader', { leader: id }),
            },
          });
          await elector.run(stop.signal);
        }
      }
    } catch (e: unknown) {
      if (!isReady) settleReady?.reject(e);
      else {
        log?.error('scheduler failed', { error: errorText(e) });
        throw e;
      }
    } finally {
      stop.abort();
      signal.removeEventListener('abort', onAbort);
      scheduler?.queue.close();
      await scheduler?.drain();
      if (broadcaster !== undefined) {
        // Events still queued get a few seconds to be written; the writer retries for minutes otherwise.
        const waited = new AbortController();
        await Promise.race([broadcaster.flush(), sleep(options.clock ?? systemClock, eventFlushMs, waited.signal)]);
        waited.abort();
        broadcaster.shutdown();
      }
      await Promise.all(informerRuns);
      await http?.close();
      if (ownClient) client?.close();
      leading = false;
      log?.info('stopped');
    }
  })();

  return {
    ready,
    done,
    url: () => url,
    scheduler: () => scheduler,
    isLeader: () => leading,
  };
}
