// Integration-test harness: a real API server, a scheduler of its own (unique name) and Nodes of its own (unique label), and waits driven by watches.
import type { Event, Node, Pod } from '@keelson/api';
import { startTestServer, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient, SharedIndexInformer } from '@keelson/client';
import { run, type RunningScheduler } from './run';
import { nodeReasonsAnnotation, type NodeReasons } from './scheduler';
import type { SchedulerOptions } from './config';
import { makeNode, makePod, type NodeSpecOptions, type PodSpecOptions } from './testing';

export function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
}

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/**
 * One test's world. Tests share etcd (and so its cluster-scoped Nodes) with every other
 * integration test, so each harness labels its Nodes `keelson-test/suite=<id>`, gives its
 * pods a nodeSelector on that label and a schedulerName of its own: its scheduler ignores
 * everybody else's pods, and its pods never land on anybody else's nodes.
 */
export class Harness {
  readonly suite = uniqueName('sched');
  readonly ns = this.suite;
  readonly client: RestClient;
  running: RunningScheduler | undefined;
  private readonly schedulerAbort = new AbortController();
  private readonly watchAbort = new AbortController();
  private readonly nodes: string[] = [];
  readonly pods: SharedIndexInformer<Pod>;
  readonly events: SharedIndexInformer<Event>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly server: TestServer) {
    this.client = clientFor(server.url);
    this.pods = new SharedIndexInformer<Pod>(this.client.resource('v1', 'Pod').namespace(this.ns), { logger: quietLogger });
    this.events = new SharedIndexInformer<Event>(this.client.resource('v1', 'Event').namespace(this.ns), { logger: quietLogger });
    const poke = { onAdd: () => this.poke(), onUpdate: () => this.poke(), onDelete: () => this.poke() };
    this.pods.addEventHandler(poke);
    this.events.addEventHandler(poke);
  }

  get schedulerName(): string {
    return `${this.suite}-scheduler`;
  }

  async start(options: SchedulerOptions = {}): Promise<void> {
    await this.client.resource('v1', 'Namespace').create({ metadata: { name: this.ns } });
    void this.pods.run(this.watchAbort.signal);
    void this.events.run(this.watchAbort.signal);
    await this.pods.waitForSync();
    await this.events.waitForSync();
    this.running = this.startScheduler(options);
    await this.running.ready;
  }

  startScheduler(options: SchedulerOptions = {}, abort = this.schedulerAbort): RunningScheduler {
    return run({ client: this.client, schedulerName: this.schedulerName, metricsPort: 0, quiet: process.env['SCHED_TEST_LOG'] === undefined, logLevel: 'debug', ...options }, abort.signal);
  }

  /** Stops the scheduler `start` ran (the harness's other resources stay). */
  async stopScheduler(): Promise<void> {
    this.schedulerAbort.abort();
    await this.running?.done;
  }

  async stop(): Promise<void> {
    await this.stopScheduler();
    this.watchAbort.abort();
    for (const name of this.nodes) {
      await this.client.resource('v1', 'Node').delete(name).catch(() => undefined);
    }
    this.client.close();
  }

  async node(name: string, o: NodeSpecOptions = {}): Promise<Node> {
    const full = `${this.suite}-${name}`;
    const n = makeNode(full, { ...o, labels: { ...(o.labels ?? {}), 'keelson-test/suite': this.suite } });
    this.nodes.push(full);
    return this.client.resource('v1', 'Node').create(n);
  }

  nodeName(short: string): string {
    return `${this.suite}-${short}`;
  }

  async pod(name: string, o: PodSpecOptions = {}): Promise<Pod> {
    const p = makePod(name, { ...o, namespace: this.ns, forApi: true });
    p.spec = { ...p.spec!, schedulerName: this.schedulerName, nodeSelector: { ...(p.spec?.nodeSelector ?? {}), 'keelson-test/suite': this.suite } };
    if (o.node !== undefined) p.spec.nodeName = this.nodeName(o.node);
    return this.client.resource('v1', 'Pod').namespace(this.ns).create(p);
  }

  /** The pod as last seen in the watch. */
  get(name: string): Pod | undefined {
    return this.pods.lister.get(this.ns, name);
  }

  /** The short name of the node a pod is bound to, or undefined. */
  boundTo(name: string): string | undefined {
    const node = this.get(name)?.spec?.nodeName;
    return node === undefined ? undefined : node.slice(this.suite.length + 1);
  }

  scheduledCondition(name: string): { status: string; reason?: string; message?: string } | undefined {
    return (this.get(name)?.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  }

  /** Resolves once `cond` holds, re-checked on every pod or event change (no polling); rejects after `timeoutMs`. */
  until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  untilBound(...names: string[]): Promise<void> {
    return this.until(() => names.every((n) => this.boundTo(n) !== undefined), `${names.join(', ')} bound`);
  }

  untilUnschedulable(name: string): Promise<void> {
    return this.until(() => this.scheduledCondition(name)?.reason === 'Unschedulable', `${name} reported unschedulable`);
  }

  /**
   * The per-node reasons of the pod's last failed attempt, counted over this harness's nodes
   * only (other suites' nodes may be rejected for reasons of their own), once written.
   */
  async ownReasons(name: string): Promise<Record<string, number>> {
    const annotation = (): string | undefined => this.get(name)?.metadata?.annotations?.[nodeReasonsAnnotation];
    await this.until(() => annotation() !== undefined, `${name}'s node reasons`);
    const reasons = JSON.parse(annotation() ?? '{}') as NodeReasons;
    const out: Record<string, number> = {};
    for (const r of reasons.reasons) {
      const mine = r.nodes.filter((n) => n.startsWith(`${this.suite}-`)).length;
      if (mine > 0) out[r.reason] = mine;
    }
    return out;
  }

  eventsFor(name: string, reason: string): Event[] {
    return this.events.lister.list().filter((e) => e.involvedObject.name === name && e.reason === reason);
  }

  /** The node part of Kubernetes' message, with this suite's node names shortened. */
  short(text: string): string {
    return text.split(`${this.suite}-`).join('');
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }
}

export async function withServer(uri: () => { uri: string; cleanup: () => void }): Promise<TestServer> {
  const storage = uri();
  return startTestServer(storage.uri, storage.cleanup);
}
