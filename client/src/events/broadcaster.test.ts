// Event recording against an in-memory sink: the Event written, counting repeats, combining similar events, spam filter, failures.
import { InvalidError, type Event, type Pod } from '@keelson/api';
import { FakeClock } from '../clock';
import type { Logger } from '../workqueue';
import { EventBroadcaster } from './broadcaster';
import { FakeEventRecorder, FakeEventSink } from './fake';
import type { EventBroadcasterOptions } from './types';

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name: 'web-1', uid: 'a1b2', resourceVersion: '42' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
};

function setup(extra: Partial<EventBroadcasterOptions> = {}) {
  const clock = new FakeClock(Date.UTC(2024, 0, 1));
  const sink = extra.sink instanceof FakeEventSink ? extra.sink : new FakeEventSink();
  const logger = recordingLogger();
  const broadcaster = new EventBroadcaster({ sink, clock, logger, host: 'node-1', random: () => 0.5, ...extra });
  const recorder = broadcaster.newRecorder({ component: 'kubelet' });
  return { clock, sink, logger, broadcaster, recorder };
}

function only(events: Event[]): Event {
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('EventBroadcaster', () => {
  it('writes a core/v1 Event about the object, named <object>.<hex nanoseconds>', async () => {
    const { sink, broadcaster, recorder } = setup();
    recorder.event(pod, 'Normal', 'Pulled', 'Successfully pulled image "nginx"');
    await broadcaster.flush();
    const ev = only(sink.list());
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'shop', name: `web-1.${(BigInt(Date.UTC(2024, 0, 1)) * 1_000_000n).toString(16)}` },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'web-1', uid: 'a1b2', resourceVersion: '42' },
      type: 'Normal',
      reason: 'Pulled',
      message: 'Successfully pulled image "nginx"',
      count: 1,
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:00Z',
      source: { component: 'kubelet', host: 'node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
  });

  it('puts events about cluster-scoped objects in the default namespace, and accepts a reference', async () => {
    const { sink, broadcaster, recorder } = setup();
    recorder.event({ kind: 'Node', name: 'node-1', uid: 'n1' }, 'Warning', 'NodeNotReady', 'Node node-1 status is now: NodeNotReady');
    await broadcaster.flush();
    const ev = only(sink.list());
    expect(ev.metadata.namespace).toBe('default');
    expect(ev.involvedObject).toEqual({ kind: 'Node', name: 'node-1', uid: 'n1' });
  });

  it('gives events recorded in the same millisecond distinct names', async () => {
    const { sink, broadcaster, recorder } = setup();
    recorder.event(pod, 'Normal', 'Created', 'Created container web');
    recorder.event(pod, 'Normal', 'Started', 'Started container web');
    await broadcaster.flush();
    const names = sink.list().map((e) => e.metadata.name);
    expect(new Set(names).size).toBe(2);
  });

  it('counts identical events within the window on one Event, patching count and lastTimestamp', async () => {
    const { clock, sink, broadcaster, recorder } = setup();
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await broadcaster.flush();
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    }
    await broadcaster.flush();
    const ev = only(sink.list());
    expect(ev.count).toBe(5);
    expect(ev.firstTimestamp).toBe('2024-01-01T00:00:00Z');
    expect(ev.lastTimestamp).toBe('2024-01-01T00:02:00Z');
    expect(sink.calls).toEqual([
      `create shop/${ev.metadata.name}`,
      `patch shop/${ev.metadata.name} count=2`,
      `patch shop/${ev.metadata.name} count=3`,
      `patch shop/${ev.metadata.name} count=4`,
      `patch shop/${ev.metadata.name} count=5`,
    ]);
  });

  it('starts a new Event for a repeat that comes after the window', async () => {
    const { clock, sink, broadcaster, recorder } = setup();
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock.advance(11 * 60 * 1000);
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await broadcaster.flush();
    expect(sink.list().map((e) => e.count)).toEqual([1, 1]);
  });

  it('combines similar events (same reason, other messages) past the threshold into one Event', async () => {
    const { sink, broadcaster, recorder } = setup();
    for (let i = 1; i <= 12; i++) recorder.event(pod, 'Warning', 'FailedMount', `volume v${i} not ready`);
    await broadcaster.flush();
    const events = sink.list();
    expect(events).toHaveLength(10);
    expect(events.slice(0, 9).map((e) => e.message)).toEqual(Array.from({ length: 9 }, (_, i) => `volume v${i + 1} not ready`));
    expect(events[9]).toMatchObject({ message: '(combined from similar events): volume v12 not ready', count: 3, reason: 'FailedMount', type: 'Warning' });
    expect(sink.calls.slice(-2)).toEqual([`patch shop/${events[9]!.metadata.name} count=2`, `patch shop/${events[9]!.metadata.name} count=3`]);
  });

  it('does not combine events with different reasons', async () => {
    const { sink, broadcaster, recorder } = setup();
    for (let i = 1; i <= 12; i++) recorder.event(pod, 'Normal', `Reason${i}`, 'same message');
    await broadcaster.flush();
    expect(sink.list().filter((e) => e.message?.startsWith('(combined'))).toHaveLength(0);
    expect(sink.list()).toHaveLength(12);
  });

  it('lets one source write at most a burst of 25 events about one object, then one per 5 minutes', async () => {
    const { clock, sink, broadcaster, recorder } = setup();
    const other: Pod = { ...pod, metadata: { ...pod.metadata, name: 'web-2', uid: 'c3d4' } };
    for (let i = 0; i < 30; i++) recorder.event(pod, 'Normal', `R${i}`, 'm');
    recorder.event(other, 'Normal', 'R', 'm');
    await broadcaster.flush();
    expect(sink.list().filter((e) => e.involvedObject.name === 'web-1')).toHaveLength(25);
    expect(sink.list().filter((e) => e.involvedObject.name === 'web-2')).toHaveLength(1);
    clock.advance(5 * 60 * 1000);
    recorder.event(pod, 'Normal', 'Late1', 'm');
    recorder.event(pod, 'Normal', 'Late2', 'm');
    await broadcaster.flush();
    expect(sink.list().filter((e) => e.involvedObject.name === 'web-1').map((e) => e.reason)).toContain('Late1');
    expect(sink.list().filter((e) => e.involvedObject.name === 'web-1')).toHaveLength(26);
  });

  it('keeps counting filtered repeats, so the next written patch carries the true count', async () => {
    const { clock, sink, broadcaster, recorder } = setup({ correlator: { spamBurst: 2 } });
    for (let i = 0; i < 5; i++) recorder.event(pod, 'Warning', 'BackOff', 'Back-off');
    await broadcaster.flush();
    expect(only(sink.list()).count).toBe(2);
    clock.advance(5 * 60 * 1000);
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off');
    await broadcaster.flush();
    expect(only(sink.list()).count).toBe(6);
  });

  it('formats eventf messages', async () => {
    const { sink, broadcaster, recorder } = setup();
    recorder.eventf(pod, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', 'shop', 'web-1', 'node-1');
    await broadcaster.flush();
    expect(only(sink.list()).message).toBe('Successfully assigned shop/web-1 to node-1');
  });

  it('never throws into the caller: bad objects, bad types and sink failures are logged', async () => {
    const sink = new FakeEventSink(() => {
      throw new InvalidError({ kind: 'Event', name: 'x' }, [{ type: 'FieldValueRequired', field: 'involvedObject.namespace' }]);
    });
    const { broadcaster, recorder, logger } = setup({ sink });
    expect(() => recorder.event({ metadata: { name: 'no-kind' } }, 'Normal', 'R', 'm')).not.toThrow();
    expect(() => recorder.event(pod, 'Fatal' as 'Normal', 'R', 'm')).not.toThrow();
    expect(() => recorder.event(pod, 'Normal', 'R', 'm')).not.toThrow();
    await broadcaster.flush();
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'could not record event',
      'could not record event',
      'server rejected event (will not retry)',
    ]);
    expect(sink.list()).toHaveLength(0);
  });

  it('retries transport failures with a delay until the write succeeds', async () => {
    let failures = 2;
    const sink = new FakeEventSink(() => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED');
    });
    const { clock, broadcaster, recorder, logger } = setup({ sink });
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await clock.advanceAsync(0);
    expect(sink.list()).toHaveLength(0);
    await clock.advanceAsync(5_000); // first retry: jittered to half of 10 s
    expect(sink.list()).toHaveLength(0);
    await clock.advanceAsync(10_000);
    await broadcaster.flush();
    expect(only(sink.list()).reason).toBe('Pulled');
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('gives up after maxTries', async () => {
    const sink = new FakeEventSink(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const { clock, broadcaster, recorder, logger } = setup({ sink, maxTries: 3 });
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await clock.advanceAsync(60_000);
    await broadcaster.flush();
    expect(logger.lines.at(-1)).toEqual({ level: 'error', message: 'unable to write event, giving up' });
  });

  it('creates the Event again, keeping its count, when the one being patched was deleted', async () => {
    const { sink, broadcaster, recorder } = setup();
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off');
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off');
    await broadcaster.flush();
    const first = only(sink.list());
    sink.delete('shop', first.metadata.name!);
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off');
    await broadcaster.flush();
    const again = only(sink.list());
    expect(again.metadata.name).toBe(first.metadata.name);
    expect(again.count).toBe(3);
  });

  it('bounds the queue: events beyond it are dropped with a warning while the writer is stuck', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    const sink = new FakeEventSink(() => stuck);
    const { broadcaster, recorder, logger } = setup({ sink, maxQueuedEvents: 3 });
    for (let i = 0; i < 10; i++) recorder.event(pod, 'Normal', `R${i}`, 'm');
    // One is being written, three wait, six were dropped.
    expect(broadcaster.queued()).toBe(3);
    expect(logger.lines.filter((l) => l.message === 'event queue is full, dropping events')).toHaveLength(1);
    release();
    await broadcaster.flush();
    expect(sink.list().map((e) => e.reason)).toEqual(['R0', 'R1', 'R2', 'R3']);
  });

  it('drops queued events and records nothing after shutdown', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    const sink = new FakeEventSink(() => stuck);
    const { broadcaster, recorder } = setup({ sink });
    recorder.event(pod, 'Normal', 'R0', 'm');
    recorder.event(pod, 'Normal', 'R1', 'm');
    broadcaster.shutdown();
    recorder.event(pod, 'Normal', 'R2', 'm');
    release();
    await broadcaster.flush();
    expect(sink.list().map((e) => e.reason)).toEqual(['R0']);
  });
});

describe('FakeEventRecorder', () => {
  it('keeps "<type> <reason> <message>" lines', () => {
    const r = new FakeEventRecorder();
    r.event(pod, 'Normal', 'Scheduled', 'assigned');
    r.eventf(pod, 'Warning', 'Failed', 'error: %s', 'boom');
    expect(r.events).toEqual(['Normal Scheduled assigned', 'Warning Failed error: boom']);
  });
});
