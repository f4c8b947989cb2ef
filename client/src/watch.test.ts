// Watch over a scripted transport: line parsing, resume from the last resourceVersion, backoff, 410, stop.
import { ForbiddenError, type ConfigMap } from '@keelson/api';
import { FakeClock, flushMicrotasks } from './clock';
import { TransportError, WatchDecodeError, WatchExpiredError } from './errors';
import type { ClientConfig } from './kubeconfig';
import { RestClient } from './rest';
import { FakeStream, FakeTransport, type FakeReply } from './testing';
import type { HttpRequest } from './transport';
import { backoffDelay, splitLines, type RetryInfo, type WatchEvent } from './watch';

const config: ClientConfig = { server: 'http://api.test', namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' };

const cm = (name: string, rv: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'n', resourceVersion: rv } });
const bookmark = (rv: string): object => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: rv } });
const status = (code: number, reason: string, message: string): object => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

/** A transport whose i-th request gets replies[i]; watch streams are created per request and exposed. */
function scripted(replies: ((req: HttpRequest) => FakeReply)[]): { client: RestClient; transport: FakeTransport; clock: FakeClock } {
  const transport = new FakeTransport((req, i) => {
    const r = replies[i];
    if (r === undefined) return { hang: true };
    return r(req);
  });
  const clock = new FakeClock();
  return { client: new RestClient({ config, transport, clock, timeoutMs: 0 }), transport, clock };
}

/** Collects events from a watch in the background. */
function collect<T>(w: AsyncIterable<WatchEvent<T>>): { events: WatchEvent<T>[]; done: Promise<unknown> } {
  const events: WatchEvent<T>[] = [];
  const done = (async () => {
    for await (const ev of w) events.push(ev);
    return 'ended';
  })().catch((e: unknown) => e);
  return { events, done };
}

const names = (events: WatchEvent<ConfigMap>[]): string[] => events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}@${e.object.metadata?.resourceVersion ?? ''}`);

describe('splitLines', () => {
  it('reassembles lines split across chunks, skipping blanks, keeping a last unterminated line', async () => {
    const s = new FakeStream().push('{"a"').push(':1}\n\n{"b":2}\r\n{"c"').push(':3}');
    s.end();
    const lines: string[] = [];
    for await (const l of splitLines(s)) lines.push(l);
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, plus jitter', () => {
    const b = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(b, n, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(b, 1, () => 0.999)).toBe(150);
  });
});

describe('Watch', () => {
  it('streams events with watch=true, bookmarks and selectors in the query', async () => {
    const stream = new FakeStream();
    const { client, transport } = scripted([() => ({ stream })]);
    const w = client.resource('v1', 'ConfigMap').namespace('n').watch({ resourceVersion: '10', labelSelector: { app: 'web' }, name: 'a', timeoutSeconds: 60 });
    const { events, done } = collect(w);
    stream.event('ADDED', cm('a', '11')).event('MODIFIED', cm('a', '12'));
    stream.push(JSON.stringify({ type: 'DELETED', object: cm('a', '13') }).slice(0, 20));
    await flushMicrotasks();
    stream.push(`${JSON.stringify({ type: 'DELETED', object: cm('a', '13') }).slice(20)}\n`);
    stream.event('BOOKMARK', bookmark('20'));
    await flushMicrotasks();
    expect(names(events)).toEqual(['ADDED a@11', 'MODIFIED a@12', 'DELETED a@13', 'BOOKMARK @20']);
    expect(w.resourceVersion).toBe('20');
    expect(Object.fromEntries(transport.url(0).searchParams)).toEqual({
      watch: 'true',
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name=a',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '60',
      resourceVersion: '10',
    });
    w.stop();
    expect(await done).toBe('ended');
    expect(stream.cancelled).toBe(true);
  });

  it('resumes from the last resourceVersion (bookmarks included) after the stream ends or breaks', async () => {
    const s1 = new FakeStream();
    const s2 = new FakeStream();
    const s3 = new FakeStream();
    const { client, transport, clock } = scripted([() => ({ stream: s1 }), () => ({ stream: s2 }), () => ({ stream: s3 })]);
    const retries: RetryInfo[] = [];
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '5', backoff: { initialMs: 100, jitter: 0 }, onRetry: (r) => retries.push(r) });
    const { events, done } = collect(w);
    s1.event('ADDED', cm('a', '6')).event('BOOKMARK', bookmark('9'));
    s1.end();
    await clock.advanceAsync(100);
    s2.event('MODIFIED', cm('a', '10'));
    await flushMicrotasks();
    s2.fail();
    await clock.advanceAsync(100);
    s3.event('ADDED', cm('b', '11'));
    await flushMicrotasks();
    expect(names(events)).toEqual(['ADDED a@6', 'BOOKMARK @9', 'MODIFIED a@10', 'ADDED b@11']);
    expect(transport.requests.map((_r, i) => transport.url(i).searchParams.get('resourceVersion'))).toEqual(['5', '9', '10']);
    expect(retries.map((r) => [r.reason, r.attempt, r.delayMs, r.resourceVersion])).toEqual([
      ['ended', 1, 100, '9'],
      ['failed', 1, 100, '10'],
    ]);
    expect(retries[1]!.error).toBeInstanceOf(TransportError);
    w.stop();
    await done;
  });

  it('backs off exponentially while reconnects fail, and resets after an event', async () => {
    const refused = (): FakeReply => ({ error: new TransportError('GET', 'http://api.test/api/v1/configmaps', 'connect ECONNREFUSED') });
    const s1 = new FakeStream();
    const s2 = new FakeStream();
    const { client, transport, clock } = scripted([() => ({ stream: s1 }), refused, refused, refused, () => ({ status: 503, body: status(503, 'ServiceUnavailable', 'etcd down') }), () => ({ stream: s2 })]);
    const retries: RetryInfo[] = [];
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '1', backoff: { initialMs: 100, maxMs: 500, factor: 2, jitter: 0 }, onRetry: (r) => retries.push(r) });
    const { events, done } = collect(w);
    s1.event('ADDED', cm('a', '2'));
    await flushMicrotasks();
    s1.fail();
    await flushMicrotasks();
    expect(retries.map((r) => r.delayMs)).toEqual([100]);
    await clock.advanceAsync(99);
    expect(transport.requests).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(transport.requests).toHaveLength(2);
    await clock.advanceAsync(200 + 400 + 500 + 500);
    expect(transport.requests).toHaveLength(6);
    expect(retries.map((r) => r.delayMs)).toEqual([100, 200, 400, 500, 500]);
    s2.event('MODIFIED', cm('a', '3'));
    await flushMicrotasks();
    s2.end();
    await flushMicrotasks();
    expect(retries.map((r) => r.delayMs)).toEqual([100, 200, 400, 500, 500, 100]);
    expect(names(events)).toEqual(['ADDED a@2', 'MODIFIED a@3']);
    expect(transport.requests.map((_r, i) => transport.url(i).searchParams.get('resourceVersion'))).toEqual(['1', '2', '2', '2', '2', '2']);
    w.stop();
    await done;
  });

  it('throws WatchExpiredError on an HTTP 410 when resuming', async () => {
    const s1 = new FakeStream();
    const { client, clock } = scripted([() => ({ stream: s1 }), () => ({ status: 410, body: status(410, 'Expired', 'too old resource version: 6 (40)') })]);
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '5', backoff: { initialMs: 10, jitter: 0 } });
    const { done } = collect(w);
    s1.event('ADDED', cm('a', '6'));
    s1.end();
    await clock.advanceAsync(10);
    const err = await done;
    expect(err).toBeInstanceOf(WatchExpiredError);
    expect((err as WatchExpiredError).resourceVersion).toBe('6');
    expect((err as WatchExpiredError).oldest).toBe(40);
  });

  it('throws WatchExpiredError on an ERROR event carrying 410', async () => {
    const s1 = new FakeStream();
    const { client } = scripted([() => ({ stream: s1 })]);
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '3' });
    const { done } = collect(w);
    s1.event('ERROR', status(410, 'Expired', 'too old resource version: 3 (12)'));
    const err = await done;
    expect(err).toBeInstanceOf(WatchExpiredError);
    expect((err as WatchExpiredError).resourceVersion).toBe('3');
    expect(s1.cancelled).toBe(true);
  });

  it('reconnects after a retryable ERROR event, and stops on one retrying cannot fix', async () => {
    const s1 = new FakeStream();
    const s2 = new FakeStream();
    const { client, transport, clock } = scripted([() => ({ stream: s1 }), () => ({ stream: s2 })]);
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '3', backoff: { initialMs: 10, jitter: 0 } });
    const { done } = collect(w);
    s1.event('ERROR', status(500, 'InternalError', 'Internal error occurred: storage watch hiccup'));
    await clock.advanceAsync(10);
    expect(transport.requests).toHaveLength(2);
    s2.event('ERROR', status(403, 'Forbidden', 'configmaps is forbidden'));
    const err = await done;
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('does not retry a 4xx answer', async () => {
    const { client, transport } = scripted([() => ({ status: 403, body: status(403, 'Forbidden', 'watch is forbidden') })]);
    const { done } = collect(client.resource('v1', 'Pod').watch());
    expect(await done).toBeInstanceOf(ForbiddenError);
    expect(transport.requests).toHaveLength(1);
  });

  it('fails on a line that is not a watch event', async () => {
    const s1 = new FakeStream();
    const { client } = scripted([() => ({ stream: s1 })]);
    const { done } = collect(client.resource('v1', 'Pod').watch());
    s1.push('{"kind":"Pod"}\n');
    const err = await done;
    expect(err).toBeInstanceOf(WatchDecodeError);
    expect((err as WatchDecodeError).line).toBe('{"kind":"Pod"}');
  });

  it('sends sendInitialEvents only until the first event, then plain resumes', async () => {
    const s1 = new FakeStream();
    const s2 = new FakeStream();
    const { client, transport, clock } = scripted([() => ({ stream: s1 }), () => ({ stream: s2 })]);
    const w = client.resource('v1', 'ConfigMap').watch({ resourceVersion: '', sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', backoff: { initialMs: 1, jitter: 0 } });
    const { done } = collect(w);
    s1.event('ADDED', cm('a', '4')).event('BOOKMARK', { ...bookmark('4'), metadata: { resourceVersion: '4', annotations: { 'k8s.io/initial-events-end': 'true' } } });
    s1.end();
    await clock.advanceAsync(1);
    expect(Object.fromEntries(transport.url(0).searchParams)).toMatchObject({ sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' });
    expect(transport.url(0).searchParams.has('resourceVersion')).toBe(false);
    expect(transport.url(1).searchParams.has('sendInitialEvents')).toBe(false);
    expect(transport.url(1).searchParams.get('resourceVersion')).toBe('4');
    w.stop();
    await done;
  });

  it('gives up after maxRetries consecutive failures with the last error', async () => {
    const refused = (): FakeReply => ({ error: new TransportError('GET', 'x', 'connect ECONNREFUSED') });
    const { client, transport, clock } = scripted([refused, refused, refused]);
    const { done } = collect(client.resource('v1', 'Pod').watch({ maxRetries: 2, backoff: { initialMs: 5, jitter: 0 } }));
    await clock.advanceAsync(5 + 10);
    const err = await done;
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(transport.requests).toHaveLength(3);
  });

  it('stops while waiting to reconnect, cancelling the timer; and breaking out of the loop closes the stream', async () => {
    const s1 = new FakeStream();
    const { client, clock } = scripted([() => ({ stream: s1 })]);
    const w = client.resource('v1', 'Pod').watch({ backoff: { initialMs: 1000 } });
    const { done } = collect(w);
    s1.end();
    await flushMicrotasks();
    expect(clock.pendingTimers()).toBe(1);
    w.stop();
    expect(await done).toBe('ended');
    expect(clock.pendingTimers()).toBe(0);

    const s2 = new FakeStream();
    const { client: c2 } = scripted([() => ({ stream: s2 })]);
    const w2 = c2.resource('v1', 'ConfigMap').watch();
    s2.event('ADDED', cm('a', '1'));
    for await (const ev of w2) {
      expect(ev.type).toBe('ADDED');
      break;
    }
    expect(s2.cancelled).toBe(true);
    expect(() => w2[Symbol.asyncIterator]()).toThrow('a Watch can be iterated only once');
  });

  it('ends at once when the caller\'s signal is already aborted or aborts later', async () => {
    const s1 = new FakeStream();
    const { client } = scripted([() => ({ stream: s1 })]);
    const abort = new AbortController();
    const { events, done } = collect(client.resource('v1', 'ConfigMap').watch({ signal: abort.signal }));
    s1.event('ADDED', cm('a', '1'));
    await flushMicrotasks();
    abort.abort();
    expect(await done).toBe('ended');
    expect(events).toHaveLength(1);
  });
});
