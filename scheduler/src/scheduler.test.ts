// The Scheduler over fake informers and a fake API writer: binding, assumed-pod accounting, failures (condition, event, node reasons), requeues.
import type { Node, Pod } from '@keelson/api';
import { ConflictError } from '@keelson/api';
import { FakeClock, FakeEventRecorder, SharedIndexInformer, flushMicrotasks } from '@keelson/client';
import type { PodWriter } from './api';
import { createLogger } from './log';
import { createMetrics } from './metrics';
import { Scheduler, nodeReasonsAnnotation } from './scheduler';
import { FakeListerWatcher, makeNode, makePod } from './testing';

/** Records what the scheduler writes; binding can be made to fail; a successful binding shows up in the watch when `echo` is on. */
class FakeWriter implements PodWriter {
  binds: string[] = [];
  statusPatches: { pod: string; patch: object }[] = [];
  podPatches: { pod: string; patch: object }[] = [];
  failBinds = 0;
  /** What a failing binding throws; a ConflictError (an answer from the server) by default. */
  bindError: (name: string) => Error = (name) => new ConflictError({ resource: 'pods', name }, 'injected');
  echo = true;
  /** While set, bindings wait for it to resolve. */
  hold: Promise<void> | undefined;
  started = 0;

  constructor(
    private readonly podsLW: FakeListerWatcher<Pod>,
    private readonly informer: () => SharedIndexInformer<Pod>,
  ) {}

  async bind(namespace: string, name: string, _uid: string, nodeName: string): Promise<void> {
    this.started++;
    if (this.hold !== undefined) await this.hold;
    if (this.failBinds > 0) {
      this.failBinds--;
      throw this.bindError(name);
    }
    this.binds.push(`${namespace}/${name}→${nodeName}`);
    const pod = this.informer().lister.get(namespace, name);
    if (this.echo && pod !== undefined) this.podsLW.emit('MODIFIED', { ...pod, spec: { ...pod.spec!, nodeName } });
  }

  async patchStatus(namespace: string, name: string, patch: object): Promise<void> {
    this.statusPatches.push({ pod: `${namespace}/${name}`, patch });
  }

  async patchPod(namespace: string, name: string, patch: object): Promise<void> {
    this.podPatches.push({ pod: `${namespace}/${name}`, patch });
  }
}

async function until(cond: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !cond(); i++) await flushMicrotasks(1);
  if (!cond()) throw new Error('condition not reached');
}

async function setup(nodes: Node[], pods: Pod[] = [], maxInFlightBindings?: number) {
  const clock = new FakeClock(1_700_000_000_000);
  const quiet = createLogger('error', true);
  const nodesLW = new FakeListerWatcher<Node>(nodes);
  const podsLW = new FakeListerWatcher<Pod>(pods);
  const podInformer = new SharedIndexInformer<Pod>(podsLW, { clock, logger: quiet });
  const nodeInformer = new SharedIndexInformer<Node>(nodesLW, { clock, logger: quiet });
  const writer = new FakeWriter(podsLW, () => podInformer);
  const recorder = new FakeEventRecorder();
  const sched = new Scheduler({
    schedulerName: 'default-scheduler',
    pods: podInformer,
    nodes: nodeInformer,
    writer,
    recorder,
    metrics: createMetrics(() => ({ active: 0, backoff: 0, unschedulable: 0 }), undefined, false),
    logger: quiet,
    clock,
    random: () => 0,
    yieldToEventLoop: () => flushMicrotasks(1),
    ...(maxInFlightBindings !== undefined ? { maxInFlightBindings } : {}),
  });
  const abort = new AbortController();
  const informers = [podInformer.run(abort.signal), nodeInformer.run(abort.signal)];
  await podInformer.waitForSync();
  await nodeInformer.waitForSync();
  const loop = sched.run(abort.signal);
  const stop = async (): Promise<void> => {
    abort.abort();
    await loop;
    await sched.drain();
    await Promise.all(informers);
  };
  return { clock, sched, writer, recorder, podsLW, nodesLW, stop, podInformer };
}

describe('Scheduler', () => {
  it('binds a pending pod, records Scheduled, and holds it assumed until the watch shows it bound', async () => {
    const t = await setup([makeNode('n1', { cpu: '1' }), makeNode('n2', { cpu: '4' })]);
    t.writer.echo = false;
    const pod = makePod('web', { cpu: '500m' });
    t.podsLW.emit('ADDED', pod);
    await until(() => t.writer.binds.length === 1);
    expect(t.writer.binds).toEqual(['default/web→n2']);
    await until(() => t.recorder.events.length === 1);
    expect(t.recorder.events).toEqual(['Normal Scheduled Successfully assigned default/web to n2']);
    expect(t.sched.cache.isAssumed(pod.metadata!.uid!)).toBe(true);
    t.podsLW.emit('MODIFIED', { ...pod, spec: { ...pod.spec!, nodeName: 'n2' } });
    await until(() => !t.sched.cache.isAssumed(pod.metadata!.uid!));
    expect(t.sched.cache.getNode('n2')?.requested.milliCPU).toBe(500);
    await t.stop();
  });

  it('keeps at most maxInFlightBindings bindings in flight', async () => {
    const t = await setup([makeNode('n1', { cpu: '8' })], [], 2);
    let release = (): void => undefined;
    t.writer.hold = new Promise((resolve) => {
      release = resolve;
    });
    for (let i = 0; i < 5; i++) t.podsLW.emit('ADDED', makePod(`p${i}`, { cpu: '100m' }));
    await until(() => t.writer.started === 2);
    await flushMicrotasks(10);
    expect(t.writer.started).toBe(2);
    expect(t.sched.queue.counts().active).toBe(3);
    release();
    await until(() => t.writer.binds.length === 5);
    await t.stop();
  });

  it('never overcommits a node while bindings are unconfirmed', async () => {
    const t = await setup([makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' })]);
    t.writer.echo = false;
    for (let i = 0; i < 10; i++) t.podsLW.emit('ADDED', makePod(`p${i}`, { cpu: '300m' }));
    await until(() => t.writer.binds.length === 6 && t.sched.queue.counts().unschedulable === 4);
    const perNode = (n: string) => t.writer.binds.filter((b) => b.endsWith(`→${n}`)).length;
    expect([perNode('a'), perNode('b')]).toEqual([3, 3]);
    await t.stop();
  });

  it('reports a pod no node fits: condition, event and per-node reasons; retries it when a node is added', async () => {
    const taint = { key: 'node-role', value: 'control-plane', effect: 'NoSchedule' };
    const t = await setup([makeNode('w1', { cpu: '1' }), makeNode('w2', { cpu: '1' }), makeNode('cp', { cpu: '8', taints: [taint] })]);
    t.podsLW.emit('ADDED', makePod('big', { cpu: '2' }));
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role: control-plane}, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    await until(() => t.writer.statusPatches.length === 1 && t.writer.podPatches.length === 1);
    expect(t.recorder.events).toEqual([`Warning FailedScheduling ${message}`]);
    expect(t.writer.statusPatches[0]).toMatchObject({
      pod: 'default/big',
      patch: { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] } },
    });
    const annotation = (t.writer.podPatches[0]?.patch as { metadata: { annotations: Record<string, string> } }).metadata.annotations[nodeReasonsAnnotation];
    expect(JSON.parse(annotation ?? '')).toEqual({
      nodes: 3,
      reasons: [
        { plugin: 'NodeResourcesFit', reason: 'Insufficient cpu', count: 2, nodes: ['w1', 'w2'] },
        { plugin: 'TaintToleration', reason: 'node(s) had untolerated taint {node-role: control-plane}', count: 1, nodes: ['cp'] },
      ],
    });
    expect(t.sched.queue.counts().unschedulable).toBe(1);
    t.clock.advance(1000);
    t.nodesLW.emit('ADDED', makeNode('w3', { cpu: '4' }));
    await until(() => t.writer.binds.length === 1);
    expect(t.writer.binds).toEqual(['default/big→w3']);
    await t.stop();
  });

  it('forgets the pod when its binding fails, reports SchedulerError, and retries after backoff', async () => {
    const t = await setup([makeNode('n1', { cpu: '1' })]);
    t.writer.failBinds = 1;
    const pod = makePod('p', { cpu: '800m' });
    t.podsLW.emit('ADDED', pod);
    await until(() => t.sched.queue.counts().backoff === 1);
    expect(t.sched.cache.hasPod(pod.metadata!.uid!)).toBe(false);
    await until(() => t.writer.statusPatches.length === 1);
    expect(t.writer.statusPatches[0]?.patch).toMatchObject({ status: { conditions: [{ reason: 'SchedulerError', message: expect.stringContaining('binding rejected') }] } });
    t.clock.advance(1000);
    await until(() => t.writer.binds.length === 1);
    expect(t.writer.binds).toEqual(['default/p→n1']);
    await t.stop();
  });

  it('requeues without reporting when a binding got no answer (it may have been made)', async () => {
    const t = await setup([makeNode('n1', { cpu: '1' })]);
    t.writer.failBinds = 1;
    t.writer.bindError = () => new Error('no response within 30000ms');
    t.podsLW.emit('ADDED', makePod('p', { cpu: '800m' }));
    await until(() => t.sched.queue.counts().backoff === 1);
    await flushMicrotasks(5);
    expect(t.writer.statusPatches).toEqual([]);
    expect(t.recorder.events).toEqual([]);
    t.clock.advance(1000);
    await until(() => t.writer.binds.length === 1);
    await t.stop();
  });

  it('leaves alone pods of other schedulers, pods being deleted, and pods already bound (but counts the bound ones)', async () => {
    const t = await setup([makeNode('n1', { cpu: '1' })]);
    t.podsLW.emit('ADDED', makePod('other', { spec: { schedulerName: 'someone-else' } }));
    const gone = makePod('gone');
    t.podsLW.emit('ADDED', { ...gone, metadata: { ...gone.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } });
    t.podsLW.emit('ADDED', makePod('pinned', { node: 'n1', cpu: '700m' }));
    t.podsLW.emit('ADDED', makePod('fits', { cpu: '300m' }));
    t.podsLW.emit('ADDED', makePod('too-big', { cpu: '301m' }));
    await until(() => t.writer.binds.length === 1 && t.sched.queue.counts().unschedulable === 1);
    expect(t.writer.binds).toEqual(['default/fits→n1']);
    await t.stop();
  });

  it('frees resources when a bound pod is deleted and retries the pods waiting for them', async () => {
    const blocker = makePod('blocker', { node: 'n1', cpu: '1' });
    const t = await setup([makeNode('n1', { cpu: '1' })], [blocker]);
    t.podsLW.emit('ADDED', makePod('waiting', { cpu: '1' }));
    await until(() => t.sched.queue.counts().unschedulable === 1);
    t.clock.advance(1000);
    t.podsLW.emit('DELETED', blocker);
    await until(() => t.writer.binds.length === 1);
    expect(t.writer.binds).toEqual(['default/waiting→n1']);
    await t.stop();
  });
});
