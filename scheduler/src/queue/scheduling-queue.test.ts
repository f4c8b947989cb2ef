// The scheduling queue: priority order, backoff on a fake clock, unschedulable pods moved by the events that concern them, periodic retry.
import { FakeClock } from '@keelson/client';
import { makePod } from '../testing';
import { SchedulingQueue, type ClusterEvent, type QueuedPodInfo } from './scheduling-queue';

function setup() {
  const clock = new FakeClock(1_000_000);
  const queue = new SchedulingQueue({ clock, ignoredAnnotations: ['scheduler.keelson.io/node-reasons'] });
  queue.start();
  return { clock, queue };
}

async function popName(q: SchedulingQueue): Promise<string | undefined> {
  return (await q.pop())?.pod.metadata?.name;
}

/** Pops, then reports the attempt as rejected by `plugins`. */
async function failWith(q: SchedulingQueue, ...plugins: string[]): Promise<QueuedPodInfo> {
  const qpi = await q.pop();
  if (qpi === undefined) throw new Error('queue empty');
  q.addUnschedulable({ ...qpi, unschedulablePlugins: new Set(plugins) }, q.schedulingCycle());
  return qpi;
}

const nodeAdded: ClusterEvent = { label: 'NodeAdd', plugins: 'all' };

describe('SchedulingQueue', () => {
  it('pops by priority, then by arrival', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('low-early', { priority: 0 }));
    clock.advance(1);
    queue.add(makePod('high', { priority: 100 }));
    clock.advance(1);
    queue.add(makePod('low-late', { priority: 0 }));
    queue.add(makePod('mid', { priority: 50 }));
    expect([await popName(queue), await popName(queue), await popName(queue), await popName(queue)]).toEqual(['high', 'mid', 'low-early', 'low-late']);
  });

  it('makes a waiting pop resolve when a pod arrives, and resolve undefined when its signal aborts', async () => {
    const { queue } = setup();
    const waiting = queue.pop();
    queue.add(makePod('late'));
    expect((await waiting)?.pod.metadata?.name).toBe('late');
    const abort = new AbortController();
    const aborted = queue.pop(abort.signal);
    abort.abort();
    expect(await aborted).toBeUndefined();
    queue.add(makePod('kept'));
    expect(await popName(queue)).toBe('kept');
  });

  it('parks an unschedulable pod until an event concerning its plugins moves it', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('p'));
    await failWith(queue, 'NodeResourcesFit');
    expect(queue.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    expect(queue.moveAllToActiveOrBackoff({ label: 'NodeUpdate', plugins: new Set(['TaintToleration']) })).toBe(0);
    clock.advance(2000);
    expect(queue.moveAllToActiveOrBackoff({ label: 'NodeUpdate', plugins: new Set(['NodeResourcesFit']) })).toBe(1);
    expect(queue.counts().active).toBe(1);
  });

  it('sends a pod moved during its backoff through the backoff queue, released by the clock', async () => {
    const { clock, queue } = setup();
    const pod = makePod('p');
    queue.add(pod);
    await failWith(queue, 'NodeResourcesFit');
    queue.moveAllToActiveOrBackoff(nodeAdded);
    expect(queue.where(pod.metadata!.uid!)).toBe('backoff');
    clock.advance(999);
    expect(queue.where(pod.metadata!.uid!)).toBe('backoff');
    clock.advance(1);
    expect(queue.where(pod.metadata!.uid!)).toBe('active');
  });

  it('doubles the backoff with each attempt, up to 10 s', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('p'));
    const expiries: number[] = [];
    for (let i = 0; i < 6; i++) {
      const q = await queue.pop();
      if (q === undefined) throw new Error('empty');
      queue.addUnschedulable({ ...q, unschedulablePlugins: new Set() }, queue.schedulingCycle());
      const wait = queue.backoffExpiry({ ...q, timestamp: clock.now() }) - clock.now();
      expiries.push(wait);
      clock.advance(wait - 1);
      expect(queue.counts().backoff).toBe(1);
      clock.advance(1);
      expect(queue.counts().active).toBe(1);
    }
    expect(expiries).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('puts a pod that failed with an error, or while an event arrived during its cycle, in backoff', async () => {
    const { queue } = setup();
    queue.add(makePod('err'));
    await failWith(queue);
    expect(queue.counts().backoff).toBe(1);
    const { queue: q2 } = setup();
    q2.add(makePod('raced'));
    const qpi = await q2.pop();
    q2.moveAllToActiveOrBackoff(nodeAdded); // e.g. a node appeared while the cycle ran
    q2.addUnschedulable({ ...qpi!, unschedulablePlugins: new Set(['NodeResourcesFit']) }, q2.schedulingCycle());
    expect(q2.counts()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  });

  it('retries pods left unschedulable for 5 minutes', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('p'));
    await failWith(queue, 'NodeAffinity');
    clock.advance(4 * 60_000 + 30_000);
    expect(queue.counts().unschedulable).toBe(1);
    clock.advance(30_000);
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it("retries an unschedulable pod whose spec changed, but not one whose status or the scheduler's annotation changed", async () => {
    const { clock, queue } = setup();
    const pod = makePod('p');
    queue.add(pod);
    await failWith(queue, 'NodeAffinity');
    clock.advance(5000);
    const statusOnly = { ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    queue.update(pod, statusOnly);
    const annotated = { ...statusOnly, metadata: { ...statusOnly.metadata, annotations: { 'scheduler.keelson.io/node-reasons': '{}' } } };
    queue.update(statusOnly, annotated);
    expect(queue.counts().unschedulable).toBe(1);
    const relabelled = { ...annotated, spec: { ...annotated.spec!, nodeSelector: { disk: 'ssd' } } };
    queue.update(annotated, relabelled);
    expect(queue.counts().active).toBe(1);
    expect((await queue.pop())?.pod.spec?.nodeSelector).toEqual({ disk: 'ssd' });
  });

  it('applies a concerns() check per pod', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('a', { labels: { want: 'yes' } }));
    queue.add(makePod('b'));
    await failWith(queue, 'InterPodAffinity');
    await failWith(queue, 'InterPodAffinity');
    clock.advance(5000);
    const moved = queue.moveAllToActiveOrBackoff({ label: 'AssignedPodAdd', plugins: new Set(['InterPodAffinity']), concerns: (q) => q.pod.metadata?.labels?.['want'] === 'yes' });
    expect(moved).toBe(1);
    expect(await popName(queue)).toBe('a');
  });

  it('forgets deleted pods wherever they wait', async () => {
    const { queue } = setup();
    const a = makePod('a');
    const b = makePod('b');
    queue.add(a);
    queue.add(b);
    await failWith(queue, 'NodeAffinity');
    queue.delete(a.metadata!.uid!);
    queue.delete(b.metadata!.uid!);
    expect(queue.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });

  it('counts attempts and remembers when the pod first entered the queue', async () => {
    const { clock, queue } = setup();
    queue.add(makePod('p'));
    const enteredAt = clock.now();
    clock.advance(10);
    await failWith(queue);
    clock.advance(1000);
    const second = await queue.pop();
    expect(second).toMatchObject({ attempts: 2, enqueuedAt: enteredAt, initialAttemptTimestamp: enteredAt + 10 });
  });

  it('stops handing out pods once closed', async () => {
    const { queue } = setup();
    const waiting = queue.pop();
    queue.close();
    expect(await waiting).toBeUndefined();
    queue.add(makePod('p'));
    expect(await queue.pop()).toBeUndefined();
  });
});
