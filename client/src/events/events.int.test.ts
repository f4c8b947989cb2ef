// The event recorder writing real core/v1 Events to a real API server (sqlite and etcd), through a raw-HTTP EventSink.
import { AlreadyExistsError, ConflictError, NotFoundError, StatusError, type ConfigMap, type Event, type Status, type StatusReason } from '@keelson/api';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import type { Logger } from '../workqueue';
import { EventBroadcaster } from './broadcaster';
import type { EventSink } from './types';

/** The typed error for a failed response, as the REST client will throw it. */
function statusError(code: number, body: string): StatusError {
  let status: Partial<Status> = {};
  try {
    status = JSON.parse(body) as Partial<Status>;
  } catch {
    // Not a Status body: keep the text as the message.
  }
  const name = status.details?.name;
  const target = { resource: 'events', ...(name !== undefined ? { name } : {}) };
  if (code === 404) return new NotFoundError(target, status.message);
  if (code === 409 && status.reason === 'AlreadyExists') return new AlreadyExistsError(target, status.message);
  if (code === 409) return new ConflictError(target, status.message ?? 'conflict');
  return new StatusError(code, (status.reason ?? 'InternalError') as StatusReason, status.message ?? body);
}

async function call<T>(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const init: RequestInit = { method, headers: { 'content-type': contentType, accept: 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw statusError(res.status, text);
  return JSON.parse(text) as T;
}

function httpEventSink(url: string): EventSink {
  return {
    create: (event) => call<Event>(url, 'POST', `/api/v1/namespaces/${event.metadata.namespace ?? 'default'}/events`, event),
    patch: (ns, name, patch) => call<Event>(url, 'PATCH', `/api/v1/namespaces/${ns}/events/${name}`, patch, 'application/merge-patch+json'),
  };
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, error: (m, meta) => errors.push(`${m} ${JSON.stringify(meta)}`), warn: (m, meta) => errors.push(`${m} ${JSON.stringify(meta)}`), info: () => undefined, debug: () => undefined };
}

describe.each(testBackends())('event recorder on $name', ({ uri }) => {
  let srv: TestServer;
  let ns: string;
  let cm: ConfigMap;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  beforeEach(async () => {
    ns = uniqueName('ev');
    await call(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    cm = await call<ConfigMap>(srv.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
  });

  async function events(): Promise<Event[]> {
    return (await call<{ items: Event[] }>(srv.url, 'GET', `/api/v1/namespaces/${ns}/events`)).items;
  }

  it('writes an Event about the object and counts identical repeats on it', async () => {
    const logger = recordingLogger();
    const broadcaster = new EventBroadcaster({ sink: httpEventSink(srv.url), host: 'node-1', logger });
    const recorder = broadcaster.newRecorder({ component: 'configmap-checker' });
    for (let i = 0; i < 3; i++) recorder.event(cm, 'Warning', 'BadValue', 'key a is not a word');
    recorder.event(cm, 'Normal', 'Checked', 'all keys checked');
    await broadcaster.flush();
    expect(logger.errors).toEqual([]);

    const list = await events();
    expect(list).toHaveLength(2);
    const bad = list.find((e) => e.reason === 'BadValue');
    expect(bad).toMatchObject({
      type: 'Warning',
      count: 3,
      message: 'key a is not a word',
      involvedObject: { kind: 'ConfigMap', apiVersion: 'v1', namespace: ns, name: 'settings', uid: cm.metadata?.uid, resourceVersion: cm.metadata?.resourceVersion },
      source: { component: 'configmap-checker', host: 'node-1' },
      reportingComponent: 'configmap-checker',
      reportingInstance: 'node-1',
    });
    expect(bad?.metadata.name).toMatch(/^settings\.[0-9a-f]+$/);
    expect(bad?.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(list.find((e) => e.reason === 'Checked')?.count).toBe(1);
    broadcaster.shutdown();
  });

  it('combines similar events into one "(combined from similar events)" Event', async () => {
    const logger = recordingLogger();
    const broadcaster = new EventBroadcaster({ sink: httpEventSink(srv.url), host: 'node-1', logger, correlator: { maxSimilarEvents: 3 } });
    const recorder = broadcaster.newRecorder({ component: 'configmap-checker' });
    for (let i = 1; i <= 5; i++) recorder.event(cm, 'Warning', 'BadValue', `key k${i} is bad`);
    await broadcaster.flush();
    expect(logger.errors).toEqual([]);

    const list = await events();
    expect(list.map((e) => e.message).sort()).toEqual(['(combined from similar events): key k5 is bad', 'key k1 is bad', 'key k2 is bad']);
    expect(list.find((e) => e.message?.startsWith('(combined'))?.count).toBe(3);
    broadcaster.shutdown();
  });
});
