// Integration-test stand-in for the scheduler and kubelets of several Nodes: binds pending pods where their node affinity and taints allow, runs them, confirms deletions.
import { isStatusError, type Node, type Pod, type PodCondition } from '@keelson/api';
import { SharedInformerFactory, WorkQueue, keyOf, runWorkers, splitKey, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import { timestamp } from '../common/time';
import { findUntoleratedTaint, matchesNodeAffinity } from './predicates';

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export interface MultiNodeAgentOptions {
  /** Only pods of this namespace. */
  namespace: string;
  /** How long a bound pod takes to become Running and Ready. Default 0. */
  startDelayMs?: number;
  logger?: Logger;
}

/**
 * What the scheduler's NodeName/NodeAffinity/TaintToleration filters and each node's kubelet
 * would do for pods of one namespace, without containers:
 *
 *   unbound pod ─► the first Node (by name) its nodeSelector, required node affinity and
 *                  NoSchedule/NoExecute tolerations admit ─► POST pods/{name}/binding
 *   bound, not Running ─► after startDelayMs: PUT pods/{name}/status Running + Ready
 *   being deleted ─► DELETE with gracePeriodSeconds 0 (the kubelet's confirmation)
 */
export class MultiNodeAgent {
  private readonly factory: SharedInformerFactory;
  private readonly nodeFactory: SharedInformerFactory;
  private readonly queue = new WorkQueue<string>({ name: 'multi-node-agent' });
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly o: MultiNodeAgentOptions,
  ) {
    this.factory = new SharedInformerFactory(client, { namespace: o.namespace });
    this.nodeFactory = new SharedInformerFactory(client);
    this.pods = this.factory.forKind('v1', 'Pod');
    this.nodes = this.nodeFactory.forKind('v1', 'Node');
    this.pods.addEventHandler({
      onAdd: (p) => this.queue.add(keyOf(p)),
      onUpdate: (_o, p) => this.queue.add(keyOf(p)),
    });
    // A node joining may make a pending pod schedulable.
    this.nodes.addEventHandler({ onAdd: () => this.requeuePending(), onUpdate: () => this.requeuePending() });
  }

  async start(): Promise<void> {
    this.factory.start(this.abort.signal);
    this.nodeFactory.start(this.abort.signal);
    await this.factory.waitForCacheSync(this.abort.signal);
    await this.nodeFactory.waitForCacheSync(this.abort.signal);
    this.running = runWorkers(this.queue, 4, (key) => this.sync(key), { logger: this.o.logger ?? quiet });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await this.running;
    await this.factory.shutdown();
    await this.nodeFactory.shutdown();
  }

  private requeuePending(): void {
    for (const p of this.pods.lister.list()) if ((p.spec?.nodeName ?? '') === '') this.queue.add(keyOf(p));
  }

  /** The node the scheduler's filters would pick: the first by name that admits the pod. */
  private pick(pod: Pod): string | undefined {
    const tolerations = pod.spec?.tolerations ?? [];
    const fits = this.nodes.lister
      .list()
      .filter((n) => matchesNodeAffinity(pod.spec, n) && findUntoleratedTaint(n.spec?.taints ?? [], tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') === undefined)
      .map((n) => n.metadata?.name ?? '')
      .sort();
    return fits[0];
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
      const bound = pod.spec?.nodeName ?? '';
      if (bound === '') {
        const target = this.pick(pod);
        if (target === undefined) return;
        await api.createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name, uid: pod.metadata?.uid }, target: { kind: 'Node', name: target } });
        return;
      }
      if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      const delay = this.o.startDelayMs ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fresh = this.pods.lister.get(namespace, name);
      if (fresh === undefined || fresh.metadata?.deletionTimestamp !== undefined || this.abort.signal.aborted) return;
      const now = timestamp(Date.now());
      const conditions: PodCondition[] = [
        ...(fresh.status?.conditions ?? []).filter((c) => c.type === 'PodScheduled'),
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ];
      const containers = (fresh.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } }));
      await api.updateStatus({ ...fresh, status: { ...fresh.status, phase: 'Running', hostIP: '10.0.0.1', podIP: '10.244.0.10', startTime: now, conditions, containerStatuses: containers } });
    } catch (e: unknown) {
      // Raced with another writer or the pod went away: the informer brings the next state.
      if (isStatusError(e, 'NotFound') || isStatusError(e, 'Conflict')) return;
      throw e;
    }
  }
}
