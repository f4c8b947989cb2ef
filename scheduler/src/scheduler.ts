// The Scheduler: informer handlers that feed the queue and cache, and the loop that schedules one pod at a time and binds in the background.
import { performance } from 'node:perf_hooks';
import { ConflictError, NotFoundError, isStatusError, type Namespace, type Node, type ObjectReference, type Pod, type PodCondition } from '@keelson/api';
import { deletedObject, type Clock, type EventRecorder, type Lister, type SharedIndexInformer } from '@keelson/client';
import type { PodWriter } from './api';
import { SchedulerCache } from './cache/cache';
import { assignedPodAdded, assignedPodDeleted, assumedPodForgotten, nodeAdded, nodeUpdated } from './cluster-events';
import type { FitError } from './framework/fit-error';
import { Framework } from './framework/framework';
import { podInfo } from './framework/pod-info';
import type { Plugins } from './framework/types';
import type { Logger } from './log';
import type { AttemptResult, SchedulerMetrics } from './metrics';
import { defaultPlugins } from './plugins/registry';
import { SchedulingQueue, type QueuedPodInfo } from './queue/scheduling-queue';

/** The annotation holding the per-node reasons of the last failed attempt (for `keelctl why`). */
export const nodeReasonsAnnotation = 'scheduler.keelson.io/node-reasons';

/** Nodes named per reason in that annotation; the count covers the rest. */
export const maxNodesPerReason = 20;

/** Tries of a patch that keeps meeting conflicts. */
const maxPatchAttempts = 5;

/** Event notes are cut to this length, as Kubernetes does. */
const maxEventMessage = 1024;

export interface SchedulerDeps {
  schedulerName: string;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<Node>;
  namespaces?: SharedIndexInformer<Namespace>;
  writer: PodWriter;
  recorder: EventRecorder;
  metrics: SchedulerMetrics;
  logger: Logger;
  clock: Clock;
  random: () => number;
  plugins?: Plugins;
  /** Runs after a node is chosen and before the binding (Kubernetes' PreBind): e.g. tell WaitForFirstConsumer claims the node. */
  preBind?: (pod: Pod, node: string) => Promise<void>;
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  unschedulableFlushIntervalMs?: number;
  /** Bindings in flight before the loop waits for one to finish. */
  maxInFlightBindings?: number;
  /** Lets I/O callbacks (watch events, binding answers) run between cycles; default setImmediate. */
  yieldToEventLoop?: () => Promise<void>;
}

/** The per-node reasons of a failed attempt, as stored in the annotation. */
export interface NodeReasons {
  nodes: number;
  reasons: { plugin: string; reason: string; count: number; nodes: string[] }[];
}

export function nodeReasonsOf(err: FitError): NodeReasons {
  const groups = new Map<string, { plugin: string; reason: string; count: number; nodes: string[] }>();
  for (const [node, { plugin, status }] of err.diagnosis.nodeStatuses) {
    for (const reason of status.reasons) {
      let g = groups.get(reason);
      if (g === undefined) {
        g = { plugin, reason, count: 0, nodes: [] };
        groups.set(reason, g);
      }
      g.count++;
      if (g.nodes.length < maxNodesPerReason) g.nodes.push(node);
    }
  }
  for (const g of groups.values()) g.nodes.sort();
  return { nodes: err.numAllNodes, reasons: [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)) };
}

function referenceOf(pod: Pod): ObjectReference {
  const m = pod.metadata ?? {};
  return { kind: 'Pod', apiVersion: 'v1', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion ?? '' };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const setImmediatePromise = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `quiet`: requeue only; tell the user nothing (the outcome of the attempt is not known). */
type Failure = { kind: 'unschedulable'; error: FitError } | { kind: 'error'; message: string; quiet?: boolean };

/**
 * One scheduler profile. The constructor registers informer handlers and does no I/O; `run`
 * schedules until its signal aborts (leadership lost, or shutdown) and may be called again.
 *
 *   pod informer ─► pending? queue.add/update/delete ─┐        node informer ─► cache + queue.moveAll
 *                └► bound?   cache.add/update/remove ─┤
 *                                                     ▼
 *   run: pop ─► podInfo ─► framework.schedule(snapshot) ─┬─ fit: cache.assume ─► bind (background)
 *                                                        │        ok: finishBinding, Scheduled event
 *                                                        │        failed: forget, requeue, SchedulerError
 *                                                        └─ no fit: queue.addUnschedulable, FailedScheduling
 *                                                                   event, PodScheduled=False, node reasons
 */
export class Scheduler {
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly framework: Framework;
  private readonly podLister: Lister<Pod>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly maxInFlight: number;
  private readonly yieldToEventLoop: () => Promise<void>;
  private readonly pendingWrites = new Set<Promise<void>>();
  /** The last write queued per pod UID. */
  private readonly podWrites = new Map<string, Promise<void>>();
  /** Pods this scheduler has put node reasons on. */
  private readonly annotated = new Set<string>();
  private inFlight = 0;
  /** Per-pod debug lines cost a call into winston each even when filtered out. */
  private readonly debug: boolean;
  private slotWaiters: (() => void)[] = [];

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.logger;
    this.debug = deps.logger.isDebugEnabled();
    this.clock = deps.clock;
    this.maxInFlight = deps.maxInFlightBindings ?? 64;
    this.yieldToEventLoop = deps.yieldToEventLoop ?? setImmediatePromise;
    this.podLister = deps.pods.lister;
    const nsLister = deps.namespaces?.lister;
    this.cache = new SchedulerCache((ns) => nsLister?.get(undefined, ns)?.metadata?.labels);
    this.queue = new SchedulingQueue({
      clock: deps.clock,
      ...(deps.podInitialBackoffMs !== undefined ? { initialBackoffMs: deps.podInitialBackoffMs } : {}),
      ...(deps.podMaxBackoffMs !== undefined ? { maxBackoffMs: deps.podMaxBackoffMs } : {}),
      ...(deps.podMaxInUnschedulablePodsDurationMs !== undefined ? { maxInUnschedulableMs: deps.podMaxInUnschedulablePodsDurationMs } : {}),
      ...(deps.unschedulableFlushIntervalMs !== undefined ? { unschedulableFlushIntervalMs: deps.unschedulableFlushIntervalMs } : {}),
      ignoredAnnotations: [nodeReasonsAnnotation],
    });
    this.framework = new Framework(deps.plugins ?? defaultPlugins(), { percentageOfNodesToScore: deps.percentageOfNodesToScore ?? 0, random: deps.random });
    deps.nodes.addEventHandler({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoff(nodeAdded);
      },
      onUpdate: (oldNode, node) => {
        this.cache.updateNode(node);
        const event = nodeUpdated(oldNode, node);
        if (event !== undefined) this.queue.moveAllToActiveOrBackoff(event);
      },
      onDelete: (obj) => this.cache.removeNode(deletedObject(obj)),
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (oldPod, pod) => this.onPodUpdate(oldPod, pod),
      onDelete: (obj) => this.onPodDelete(deletedObject(obj)),
    });
  }

  /** Schedules pods until `signal` aborts; in-flight bindings carry on (see drain). */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.start();
    this.log.info('scheduling', { scheduler: this.deps.schedulerName });
    while (!signal.aborted) {
      if (this.inFlight >= this.maxInFlight) {
        await this.bindingSlot(signal);
        continue;
      }
      const qpi = await this.queue.pop(signal);
      if (qpi === undefined) break;
      try {
        this.scheduleOne(qpi);
      } catch (e: unknown) {
        this.log.error('scheduling cycle failed', { pod: qpi.key, error: errorText(e) });
        this.recordFailure(qpi, this.queue.schedulingCycle(), { kind: 'error', message: errorText(e) });
      }
      await this.yieldToEventLoop();
    }
  }

  /** Resolves when a binding finishes (a slot is free) or `signal` aborts. */
  private bindingSlot(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.slotWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves once every binding and status write started so far has settled. */
  async drain(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.allSettled([...this.pendingWrites]);
  }

  /** Bindings in flight. */
  bindingsInFlight(): number {
    return this.inFlight;
  }

  /** One scheduling cycle for one pod: synchronous up to the binding, which runs in the background. */
  scheduleOne(qpi: QueuedPodInfo): void {
    const pod = qpi.pod;
    if (pod.metadata?.deletionTimestamp != null || this.cache.hasPod(qpi.uid)) return;
    const start = this.clock.now();
    const cycle = this.queue.schedulingCycle();
    // Sub-millisecond, so measured on the high-resolution timer (instrumentation only; decisions use the clock).
    const t0 = performance.now();
    const pi = podInfo(pod);
    const result = this.framework.schedule(pi, this.cache.snapshot());
    this.deps.metrics.algorithmDuration.observe((performance.now() - t0) / 1000);
    if (result.kind !== 'scheduled') {
      this.observeAttempt(result.kind, start);
      this.recordFailure(qpi, cycle, result);
      return;
    }
    this.cache.assumePod(pi, result.node);
    if (this.debug) this.log.debug('assumed', { pod: qpi.key, node: result.node, evaluatedNodes: result.evaluatedNodes, feasibleNodes: result.feasibleNodes });
    this.inFlight++;
    this.track(
      (this.deps.preBind !== undefined ? this.deps.preBind(pod, result.node) : Promise.resolve())
        .then(() => this.deps.writer.bind(pi.namespace, pi.name, pi.uid, result.node))
        .then(
        () => this.bound(qpi, result.node, start),
        (e: unknown) => this.bindFailed(qpi, cycle, result.node, start, e),
      ),
      () => {
        this.inFlight--;
        for (const w of this.slotWaiters.splice(0)) w();
      },
    );
  }

  private bound(qpi: QueuedPodInfo, node: string, start: number): void {
    this.cache.finishBinding(qpi.uid);
    const now = this.clock.now();
    this.observeAttempt('scheduled', start);
    const m = this.deps.metrics;
    m.podSchedulingSLI.observe({ attempts: String(qpi.attempts) }, (now - qpi.enqueuedAt) / 1000);
    m.podSchedulingAttempts.observe(qpi.attempts);
    this.deps.recorder.eventf(referenceOf(qpi.pod), 'Normal', 'Scheduled', 'Successfully assigned %s to %s', qpi.key, node);
    if (this.debug) this.log.debug('bound', { pod: qpi.key, node, attempts: qpi.attempts });
    // Reasons from an earlier failed attempt would now mislead.
    const latest = this.podLister.get(qpi.pod.metadata?.namespace, qpi.pod.metadata?.name ?? '');
    if (this.annotated.has(qpi.uid) || latest?.metadata?.annotations?.[nodeReasonsAnnotation] !== undefined) {
      this.annotated.delete(qpi.uid);
      const [namespace, name] = [qpi.pod.metadata?.namespace ?? '', qpi.pod.metadata?.name ?? ''];
      this.writeInOrder(qpi.uid, () => this.patch(() => this.deps.writer.patchPod(namespace, name, { metadata: { annotations: { [nodeReasonsAnnotation]: null } } }), qpi.key, 'clear node reasons'));
    }
  }

  private bindFailed(qpi: QueuedPodInfo, cycle: number, node: string, start: number, e: unknown): void {
    this.cache.forgetPod(qpi.uid);
    this.queue.moveAllToActiveOrBackoff(assumedPodForgotten);
    this.observeAttempt('error', start);
    // No answer (a timeout, a dropped connection) may still mean the binding was made: requeue
    // without writing PodScheduled=False over what may already be True; the watch will tell.
    const answered = isStatusError(e);
    this.log.warn('binding failed', { pod: qpi.key, node, error: errorText(e), answered });
    this.recordFailure(qpi, cycle, { kind: 'error', message: `binding rejected: ${errorText(e)}`, quiet: !answered });
  }

  /**
   * After a failed attempt: requeue the pod as it is now (unless it was deleted or bound
   * meanwhile), and tell the user — an event, the PodScheduled condition and, for a fit
   * failure, the per-node reasons.
   */
  private recordFailure(qpi: QueuedPodInfo, cycle: number, failure: Failure): void {
    const ns = qpi.pod.metadata?.namespace ?? '';
    const name = qpi.pod.metadata?.name ?? '';
    const latest = this.podLister.get(ns, name);
    if (latest === undefined || latest.metadata?.uid !== qpi.uid) {
      this.log.debug('pod gone; not requeued', { pod: qpi.key });
      return;
    }
    if (latest.spec?.nodeName) {
      this.log.debug('pod bound meanwhile; not requeued', { pod: qpi.key, node: latest.spec.nodeName });
      return;
    }
    const plugins = failure.kind === 'unschedulable' ? new Set(failure.error.diagnosis.unschedulablePlugins) : new Set<string>();
    this.queue.addUnschedulable({ ...qpi, pod: latest, unschedulablePlugins: plugins }, cycle);
    if (failure.kind === 'error' && failure.quiet === true) return;
    const reason = failure.kind === 'unschedulable' ? 'Unschedulable' : 'SchedulerError';
    const message = failure.kind === 'unschedulable' ? failure.error.message : failure.message;
    this.log.info('unable to schedule pod', { pod: qpi.key, reason, message });
    this.deps.recorder.event(referenceOf(latest), 'Warning', 'FailedScheduling', message.length > maxEventMessage ? `${message.slice(0, maxEventMessage - 3)}...` : message);
    const m = latest.metadata ?? {};
    const writes = [this.conditionPatch(latest, reason, message), failure.kind === 'unschedulable' ? this.nodeReasonsPatch(latest, failure.error) : undefined];
    const [status, meta] = writes;
    if (meta !== undefined) this.annotated.add(qpi.uid);
    this.writeInOrder(qpi.uid, async () => {
      if (status !== undefined) await this.patch(() => this.deps.writer.patchStatus(m.namespace ?? '', m.name ?? '', status), qpi.key, 'write the PodScheduled condition');
      if (meta !== undefined) await this.patch(() => this.deps.writer.patchPod(m.namespace ?? '', m.name ?? '', meta), qpi.key, 'write node reasons');
    });
  }

  /** Writes about one pod go one after the other, in the order they were decided: patches at once would only race. */
  private writeInOrder(uid: string, write: () => Promise<void>): void {
    const previous = this.podWrites.get(uid) ?? Promise.resolve();
    const next = previous.then(write, write);
    this.podWrites.set(uid, next);
    this.track(next, () => {
      if (this.podWrites.get(uid) === next) this.podWrites.delete(uid);
    });
  }

  /** PodScheduled=False with the reason and message, unless the pod already says exactly that. */
  private conditionPatch(pod: Pod, reason: string, message: string): object | undefined {
    const old = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (old !== undefined && old.status === 'False' && old.reason === reason && old.message === message) return undefined;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    return { status: { conditions: [condition] } };
  }

  private nodeReasonsPatch(pod: Pod, err: FitError): object | undefined {
    const value = JSON.stringify(nodeReasonsOf(err));
    if (pod.metadata?.annotations?.[nodeReasonsAnnotation] === value) return undefined;
    return { metadata: { annotations: { [nodeReasonsAnnotation]: value } } };
  }

  private observeAttempt(result: AttemptResult, start: number): void {
    const profile = this.deps.schedulerName;
    this.deps.metrics.scheduleAttempts.inc({ result, profile });
    this.deps.metrics.attemptDuration.observe({ result, profile }, (this.clock.now() - start) / 1000);
  }

  /**
   * A patch of a pod that may have gone meanwhile (NotFound is fine). A patch carries no
   * resourceVersion, so a conflict only means another write got in first: try again.
   */
  private async patch(write: () => Promise<void>, pod: string, what: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (e: unknown) {
        if (e instanceof NotFoundError) return;
        if (e instanceof ConflictError && attempt < maxPatchAttempts) continue;
        this.log.warn(`could not ${what}`, { pod, error: errorText(e) });
        return;
      }
    }
  }

  /** Keeps a background write for drain(); its failures were handled where it was made. */
  private track(p: Promise<void>, then?: () => void): void {
    const tracked = p
      .catch((e: unknown) => {
        this.log.error('background write failed', { error: errorText(e) });
      })
      .finally(() => {
        this.pendingWrites.delete(tracked);
        then?.();
      });
    this.pendingWrites.add(tracked);
  }

  // ---- informer handlers (they only update the queue and the cache)

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || 'default-scheduler') === this.deps.schedulerName;
  }

  private onPodAdd(pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.cache.addPod(pod);
      this.queue.moveAllToActiveOrBackoff(assignedPodAdded(pod));
      return;
    }
    if (!this.responsibleFor(pod) || pod.metadata?.deletionTimestamp != null) return;
    if (this.cache.isAssumed(pod.metadata?.uid ?? '')) return;
    this.queue.add(pod);
  }

  private onPodUpdate(oldPod: Pod, pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (pod.spec?.nodeName) {
      if (!oldPod.spec?.nodeName) this.queue.delete(uid);
      const labelsChanged = JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
      this.cache.updatePod(pod);
      if (!oldPod.spec?.nodeName || labelsChanged) this.queue.moveAllToActiveOrBackoff(assignedPodAdded(pod));
      return;
    }
    if (!this.responsibleFor(pod) || pod.metadata?.deletionTimestamp != null) {
      this.queue.delete(uid);
      return;
    }
    if (this.cache.isAssumed(uid)) return;
    this.queue.update(oldPod, pod);
  }

  private onPodDelete(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.queue.delete(uid);
    this.annotated.delete(uid);
    if (!this.cache.hasPod(uid)) return;
    this.cache.removePod(uid);
    this.queue.moveAllToActiveOrBackoff(assignedPodDeleted);
  }
}
