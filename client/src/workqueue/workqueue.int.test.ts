// The workqueue driving a reconcile loop against a real API server (sqlite and etcd): conflicts are retried with backoff until they win.
import { ConflictError, StatusError, type ConfigMap, type Status, type StatusReason } from '@keelson/api';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { Registry } from 'prom-client';
import type { Logger } from './log';
import { WorkQueue } from './queue';
import { ItemExponentialFailureRateLimiter } from './ratelimiter';
import { runWorkers } from './worker';

async function call<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', accept: 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  if (res.ok) return JSON.parse(text) as T;
  const status = JSON.parse(text) as Partial<Status>;
  if (res.status === 409 && status.reason === 'Conflict') throw new ConflictError({ resource: 'configmaps' }, status.message ?? 'conflict');
  throw new StatusError(res.status, (status.reason ?? 'InternalError') as StatusReason, status.message ?? text);
}

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

describe.each(testBackends())('workqueue reconciling on $name', ({ uri }) => {
  let srv: TestServer;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  it('retries keys whose compare-and-swap write lost, until every object is reconciled', async () => {
    const ns = uniqueName('wq');
    await call(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const names = Array.from({ length: 6 }, (_, i) => `cm-${i}`);
    for (const name of names) await call(srv.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name }, data: { want: name.toUpperCase() } });

    const registry = new Registry();
    const queue = new WorkQueue<string>({ name: 'configmap-upper', registry, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000) });
    const attempts = new Map<string, number>();
    const inFlight = new Set<string>();
    let overlapped = false;

    // Reconcile: copy data.want into data.done. The first attempt per key is raced by another
    // writer between our read and our write, so its update fails with 409 Conflict.
    const reconcile = async (key: string): Promise<void> => {
      if (inFlight.has(key)) overlapped = true;
      inFlight.add(key);
      try {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        const path = `/api/v1/namespaces/${ns}/configmaps/${key.split('/')[1] ?? ''}`;
        const cm = await call<ConfigMap>(srv.url, 'GET', path);
        if (n === 1) await call(srv.url, 'PUT', path, { ...cm, data: { ...cm.data, touchedBy: 'someone-else' } });
        await call(srv.url, 'PUT', path, { ...cm, data: { ...cm.data, done: cm.data?.['want'] ?? '' } });
      } finally {
        inFlight.delete(key);
      }
    };

    for (const name of names) {
      queue.add(`${ns}/${name}`);
      queue.add(`${ns}/${name}`); // deduped: already queued
    }
    let reconciled = 0;
    const allDone = new Promise<void>((resolve) => {
      const workers = runWorkers(
        queue,
        3,
        async (key) => {
          await reconcile(key);
          if (++reconciled === names.length) resolve();
        },
        { logger: quiet },
      );
      void workers.then(resolve);
    });
    await allDone;
    expect(queue.waitingCount() + queue.len()).toBe(0);
    await queue.shutDownWithDrain();

    expect(overlapped).toBe(false);
    for (const name of names) {
      const cm = await call<ConfigMap>(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
      expect(cm.data).toMatchObject({ done: name.toUpperCase(), touchedBy: 'someone-else' });
      expect(attempts.get(`${ns}/${name}`)).toBe(2);
      expect(queue.numRequeues(`${ns}/${name}`)).toBe(0);
    }
    const metrics = await registry.metrics();
    expect(metrics).toContain('workqueue_adds_total{name="configmap-upper"} 12');
    expect(metrics).toContain('workqueue_retries_total{name="configmap-upper"} 6');
  });
});
