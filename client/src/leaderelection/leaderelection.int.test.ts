// Leader election over real Lease objects on a real API server (sqlite and etcd), through a raw-HTTP LeaseClient.
import { AlreadyExistsError, ConflictError, NotFoundError, StatusError, type Lease, type Status, type StatusReason } from '@keelson/api';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import type { Logger } from '../workqueue';
import { LeaderElector } from './elector';
import type { LeaseClient, RequestOptions } from './types';

/** The typed error for a failed response, as the REST client will throw it. */
function statusError(code: number, body: string): StatusError {
  let status: Partial<Status> = {};
  try {
    status = JSON.parse(body) as Partial<Status>;
  } catch {
    // Not a Status body: keep the text as the message.
  }
  const name = status.details?.name;
  const target = { resource: 'leases', group: 'coordination.k8s.io', ...(name !== undefined ? { name } : {}) };
  if (code === 404) return new NotFoundError(target, status.message);
  if (code === 409 && status.reason === 'AlreadyExists') return new AlreadyExistsError(target, status.message);
  if (code === 409) return new ConflictError(target, status.message ?? 'conflict');
  return new StatusError(code, (status.reason ?? 'InternalError') as StatusReason, status.message ?? body);
}

async function call<T>(url: string, method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', accept: 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (options?.signal) init.signal = options.signal;
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw statusError(res.status, text);
  return JSON.parse(text) as T;
}

function httpLeaseClient(url: string): LeaseClient {
  const base = (ns: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
  return {
    async get(ns, name, o) {
      try {
        return await call<Lease>(url, 'GET', `${base(ns)}/${name}`, undefined, o);
      } catch (err: unknown) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },
    create: (lease, o) => call<Lease>(url, 'POST', base(lease.metadata?.namespace ?? ''), lease, o),
    update: (lease, o) => call<Lease>(url, 'PUT', `${base(lease.metadata?.namespace ?? '')}/${lease.metadata?.name ?? ''}`, lease, o),
  };
}

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

interface Started {
  id: string;
  elector: LeaderElector;
  abort: AbortController;
  done: Promise<void>;
  leading: Promise<number>;
  leaders: string[];
  /** Resolves once this candidate has observed `id` as the leader. */
  sawLeader(id: string): Promise<void>;
}

describe.each(testBackends())('leader election on $name', ({ uri }) => {
  let srv: TestServer;
  let ns: string;
  let client: LeaseClient;
  let running: Started[] = [];

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    client = httpLeaseClient(srv.url);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  afterEach(async () => {
    // Stop candidates a failed assertion left running.
    for (const c of running) c.abort.abort();
    await Promise.all(running.map((c) => c.done));
    running = [];
  });

  beforeEach(async () => {
    ns = uniqueName('le');
    await call(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  function start(id: string, leaseName: string, leaseDurationMs = 5_000): Started {
    const abort = new AbortController();
    const leaders: string[] = [];
    const watchers: { id: string; resolve: () => void }[] = [];
    const sawLeader = (leader: string): Promise<void> =>
      leaders.includes(leader) ? Promise.resolve() : new Promise((resolve) => watchers.push({ id: leader, resolve }));
    let onLead: (at: number) => void = () => undefined;
    const leading = new Promise<number>((resolve) => (onLead = resolve));
    const elector = new LeaderElector({
      client,
      namespace: ns,
      name: leaseName,
      identity: id,
      leaseDurationMs,
      renewDeadlineMs: Math.round(leaseDurationMs * 0.6),
      retryPeriodMs: 200,
      logger: quiet,
      callbacks: {
        onStartedLeading: () => onLead(Date.now()),
        onNewLeader: (l) => {
          leaders.push(l);
          for (const w of watchers.filter((x) => x.id === l)) w.resolve();
        },
      },
    });
    const started = { id, elector, abort, leading, leaders, sawLeader, done: elector.run(abort.signal) };
    running.push(started);
    return started;
  }

  it('the server refuses a stale resourceVersion with ConflictError and a duplicate with AlreadyExistsError', async () => {
    const name = uniqueName('lock');
    const created = await client.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: ns, name }, spec: { holderIdentity: 'x' } });
    await expect(client.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: ns, name } })).rejects.toBeInstanceOf(AlreadyExistsError);
    await client.update({ ...created, spec: { holderIdentity: 'y' } });
    await expect(client.update({ ...created, spec: { holderIdentity: 'z' } })).rejects.toBeInstanceOf(ConflictError);
    expect(await client.get(ns, 'missing')).toBeUndefined();
  });

  it('elects one of two candidates, and hands over at once when the leader releases on shutdown', async () => {
    const leaseName = uniqueName('lock');
    // A long lease: a handover that waited for expiry would take a minute, one by release is quick.
    const a = start('a', leaseName, 60_000);
    const b = start('b', leaseName, 60_000);
    const first = await Promise.race([a.leading.then(() => a), b.leading.then(() => b)]);
    const second = first === a ? b : a;

    const held = await client.get(ns, leaseName);
    expect(held?.spec).toMatchObject({ holderIdentity: first.id, leaseDurationSeconds: 60, leaseTransitions: 0 });
    expect(held?.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(held?.spec?.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(second.elector.isLeader()).toBe(false);
    await second.sawLeader(first.id);

    const releasedAt = Date.now();
    first.abort.abort();
    await first.done;
    const takenAt = await second.leading;
    // Far sooner than the 60 s lease would take to expire (generous for a loaded machine).
    expect(takenAt - releasedAt).toBeLessThan(20_000);
    expect(first.elector.isLeader()).toBe(false);
    const after = await client.get(ns, leaseName);
    expect(after?.spec).toMatchObject({ holderIdentity: second.id, leaseTransitions: 1 });
    expect(second.leaders).toEqual([first.id, second.id]);

    second.abort.abort();
    await second.done;
    expect((await client.get(ns, leaseName))?.spec?.holderIdentity).toBeUndefined();
  });
});
