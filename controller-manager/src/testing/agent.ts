// A simulated node for integration tests: binds pending pods to itself, marks them Running and Ready, and confirms graceful deletions.
import { isStatusError, type Pod, type PodCondition } from '@keelson/api';
import { SharedInformerFactory, WorkQueue, keyOf, runWorkers, splitKey, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import { timestamp } from '../common/time';

export interface FakeNodeAgentOptions {
  /** The node pods are bound to. Default `node-1`. */
  nodeName?: string;
  /** Only pods of this namespace. */
  namespace?: string;
  /** Pods for which this returns false are bound and Running but never Ready. */
  becomesReady?: (pod: Pod) => boolean;
  /** How a Running pod ends, asked once per pod: Succeeded, Failed, or keeps running (undefined). */
  outcome?: (pod: Pod) => 'Succeeded' | 'Failed' | undefined;
  logger?: Logger;
}

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/**
 * What the scheduler and a kubelet would do for pods, without containers:
 *
 *   unbound pod ─► POST pods/{name}/binding (spec.nodeName)
 *   bound, not Running ─► PUT pods/{name}/status: Running, Ready (or not, per becomesReady)
 *   being deleted ─► DELETE with gracePeriodSeconds 0 (the kubelet's confirmation)
 *
 * Each step is one write; the next comes when the informer sees its result.
 */
export class FakeNodeAgent {
  readonly nodeName: string;
  private readonly factory: SharedInformerFactory;
  private readonly queue: WorkQueue<string>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly outcomes = new Map<string, 'Succeeded' | 'Failed' | undefined>();

  constructor(
    private readonly client: RestClient,
    private readonly o: FakeNodeAgentOptions = {},
  ) {
    this.nodeName = o.nodeName ?? 'node-1';
    this.factory = new SharedInformerFactory(client, { ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) });
    this.queue = new WorkQueue<string>({ name: `agent-${this.nodeName}` });
    this.pods = this.factory.forKind('v1', 'Pod');
    this.pods.addEventHandler({
      onAdd: (p) => this.queue.add(keyOf(p)),
      onUpdate: (_o, p) => this.queue.add(keyOf(p)),
    });
  }

  async start(): Promise<void> {
    this.factory.start(this.abort.signal);
    await this.factory.waitForCacheSync(this.abort.signal);
    this.running = runWorkers(this.queue, 4, (key) => this.sync(key), { logger: this.o.logger ?? quiet });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await this.running;
    await this.factory.shutdown();
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.get(namespace, name);
    if (pod === undefined || this.abort.signal.aborted) return;
    const api = this.client.resource('v1', 'Pod').namespace(namespace ?? '');
    try {
      if (pod.metadata?.deletionTimestamp !== undefined) {
        if ((pod.metadata.deletionGracePeriodSeconds ?? 0) > 0) await api.delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
        return;
      }
      const node = pod.spec?.nodeName;
      if (node === undefined || node === '') {
        await api.createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name, uid: pod.metadata?.uid }, target: { kind: 'Node', name: this.nodeName } });
        return;
      }
      if (node !== this.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      if (pod.status?.phase === 'Running') {
        await this.finish(pod);
        return;
      }
      const ready = this.o.becomesReady?.(pod) ?? true;
      const now = timestamp(Date.now());
      const conditions: PodCondition[] = [
        ...(pod.status?.conditions ?? []).filter((c) => c.type === 'PodScheduled'),
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      ];
      const containers = (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: now } } }));
      await api.updateStatus({ ...pod, status: { ...pod.status, phase: 'Running', hostIP: '10.0.0.1', podIP: '10.244.0.10', startTime: now, conditions, containerStatuses: containers } });
    } catch (e: unknown) {
      // Raced with another writer or the pod went away: the informer brings the next state.
      if (isStatusError(e, 'NotFound') || isStatusError(e, 'Conflict')) return;
      throw e;
    }
  }

  /** Ends a Running pod the way `outcome` says (decided once per pod). */
  private async finish(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (this.o.outcome === undefined) return;
    if (!this.outcomes.has(uid)) this.outcomes.set(uid, this.o.outcome(pod));
    const phase = this.outcomes.get(uid);
    if (phase === undefined) return;
    const now = timestamp(Date.now());
    const exitCode = phase === 'Succeeded' ? 0 : 1;
    const conditions: PodCondition[] = [
      ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready' && c.type !== 'ContainersReady'),
      { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
      { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
    ];
    const containers = (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode, reason: phase === 'Succeeded' ? 'Completed' : 'Error', finishedAt: now } } }));
    await this.client
      .resource('v1', 'Pod')
      .namespace(pod.metadata?.namespace ?? '')
      .updateStatus({ ...pod, status: { ...pod.status, phase, conditions, containerStatuses: containers } });
  }
}
