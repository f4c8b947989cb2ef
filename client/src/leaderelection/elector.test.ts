// Leader election over an in-memory Lease store with compare-and-swap, driven by a fake clock.
import { InternalError, type Lease } from '@keelson/api';
import { FakeClock, flushMicrotasks } from '../clock';
import type { Logger } from '../workqueue';
import { LeaderElector } from './elector';
import { FakeLeaseClient } from './fake';
import type { LeaderElectionOptions, LeaseClient } from './types';

const ns = 'kube-system';
const name = 'kube-controller-manager';
const microTimeRe = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function quietLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, error: (m) => errors.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined };
}

interface Candidate {
  id: string;
  elector: LeaderElector;
  /** `started@<ms>`, `stopped@<ms>`, `leader:<id>` in order. */
  events: string[];
  startedAt?: number;
  stoppedAt?: number;
  signal?: AbortSignal;
  abort: AbortController;
  done: Promise<void>;
  finished: boolean;
}

function candidate(id: string, client: LeaseClient, clock: FakeClock, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const abort = new AbortController();
  const c: Partial<Candidate> & { events: string[] } = { id, events: [], abort, finished: false };
  c.elector = new LeaderElector({
    client,
    namespace: ns,
    name,
    identity: id,
    clock,
    random: () => 0,
    logger: quietLogger(),
    callbacks: {
      onStartedLeading: (signal) => {
        c.startedAt = clock.now();
        c.signal = signal;
        c.events.push('started');
      },
      onStoppedLeading: () => {
        c.stoppedAt = clock.now();
        c.events.push('stopped');
      },
      onNewLeader: (leader) => c.events.push(`leader:${leader}`),
    },
    ...extra,
  });
  c.done = c.elector.run(abort.signal).then(() => {
    c.finished = true;
  });
  return c as Candidate;
}

function lease(store: FakeLeaseClient): Lease {
  const l = store.peek(ns, name);
  if (!l) throw new Error('no lease stored');
  return l;
}

describe('LeaderElector', () => {
  it('elects exactly one leader among three candidates racing for a new lease', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    const cs = ['a', 'b', 'c'].map((id) => candidate(id, store, clock));
    for (let i = 0; i < 120; i++) {
      await clock.advanceAsync(500);
      expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
    }
    const leaders = cs.filter((c) => c.events.includes('started'));
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!;
    expect(lease(store).spec).toMatchObject({ holderIdentity: leader.id, leaseTransitions: 0, leaseDurationSeconds: 15 });
    for (const c of cs) {
      expect(c.events.filter((e) => e.startsWith('leader:'))).toEqual([`leader:${leader.id}`]);
      expect(c.elector.leader()).toBe(leader.id);
    }
    // All three raced to create it; two lost on AlreadyExists.
    expect(store.calls.filter((c) => c.startsWith('create'))).toHaveLength(3);
    for (const c of cs) c.abort.abort();
    await clock.advanceAsync(0);
    await Promise.all(cs.map((c) => c.done));
  });

  it('lets only one of three candidates take over an expired lease at the same instant (compare-and-swap)', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    store.force({ metadata: { namespace: ns, name }, spec: { holderIdentity: 'old', leaseDurationSeconds: 15, leaseTransitions: 4 } });
    const cs = ['a', 'b', 'c'].map((id) => candidate(id, store, clock));
    await clock.advanceAsync(14_000);
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(0);
    for (let i = 0; i < 60; i++) {
      // Fire every candidate's due timer in one turn, so their get → update calls interleave.
      clock.advance(1_000);
      await flushMicrotasks();
      expect(cs.filter((c) => c.elector.isLeader()).length).toBeLessThanOrEqual(1);
    }
    const leaders = cs.filter((c) => c.events.includes('started'));
    expect(leaders).toHaveLength(1);
    expect(lease(store).spec).toMatchObject({ holderIdentity: leaders[0]!.id, leaseTransitions: 5 });
    for (const c of cs) c.abort.abort();
    await clock.advanceAsync(0);
    await Promise.all(cs.map((c) => c.done));
  });

  it('writes a coordination.k8s.io/v1 Lease with MicroTime stamps, renewing every retryPeriod and keeping acquireTime', async () => {
    const clock = new FakeClock(Date.UTC(2024, 0, 1));
    const store = new FakeLeaseClient();
    const a = candidate('a', store, clock);
    await clock.advanceAsync(0);
    const first = lease(store);
    expect(first).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: ns, name } });
    expect(first.spec?.acquireTime).toBe('2024-01-01T00:00:00.000000Z');
    expect(first.spec?.renewTime).toMatch(microTimeRe);
    await clock.advanceAsync(6_000);
    const later = lease(store);
    expect(later.spec?.acquireTime).toBe(first.spec?.acquireTime);
    expect(later.spec?.renewTime).toBe('2024-01-01T00:00:06.000000Z');
    expect(Number(later.metadata?.resourceVersion)).toBe(Number(first.metadata?.resourceVersion) + 3);
    a.abort.abort();
    await clock.advanceAsync(0);
    await a.done;
  });

  it('takes over an abandoned lease only after leaseDuration, and the old leader stops before that', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    let partitioned = false;
    const a = candidate(
      'a',
      store.withFault(() => {
        if (partitioned) throw new Error('connect ECONNREFUSED');
      }),
      clock,
    );
    await clock.advanceAsync(0);
    expect(a.elector.isLeader()).toBe(true);
    const b = candidate('b', store, clock);
    await clock.advanceAsync(5_000);
    partitioned = true;
    const lastRenew = Date.parse(lease(store).spec!.renewTime!);

    await clock.advanceAsync(lastRenew + 14_000 - clock.now());
    expect(b.elector.isLeader()).toBe(false);
    // The old leader gave up at its renew deadline, with its work's signal aborted.
    expect(a.stoppedAt).toBe(lastRenew + 10_000);
    expect(a.signal?.aborted).toBe(true);
    expect(a.finished).toBe(true);

    await clock.advanceAsync(10_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(b.startedAt).toBeGreaterThanOrEqual(lastRenew + 15_000);
    expect(b.startedAt).toBeLessThanOrEqual(lastRenew + 19_000);
    expect(lease(store).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(b.events).toEqual(['leader:a', 'leader:b', 'started']);
    b.abort.abort();
    await clock.advanceAsync(0);
    await b.done;
  });

  it('stops leading when renewals keep failing past renewDeadline', async () => {
    const clock = new FakeClock();
    let failing = false;
    const store = new FakeLeaseClient((op) => {
      if (failing && op !== 'get') throw new InternalError('etcdserver: request timed out');
    });
    const logger = quietLogger();
    const a = candidate('a', store, clock, { logger });
    await clock.advanceAsync(2_000);
    failing = true;
    const lastRenew = Date.parse(lease(store).spec!.renewTime!);
    await clock.advanceAsync(lastRenew + 9_999 - clock.now());
    expect(a.elector.isLeader()).toBe(true);
    await clock.advanceAsync(1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['leader:a', 'started', 'stopped']);
    expect(a.signal?.aborted).toBe(true);
    await a.done;
    expect(logger.errors.length).toBeGreaterThan(0);
    // Lost, not shut down: no release is attempted; the lease still names a until it expires.
    expect(lease(store).spec?.holderIdentity).toBe('a');
  });

  it('gives up at the deadline even when a renewal request hangs, aborting it', async () => {
    const clock = new FakeClock();
    let hang = false;
    let aborted = 0;
    const store = new FakeLeaseClient();
    const client: LeaseClient = {
      get: (n, m, o) => store.get(n, m, o),
      create: (l, o) => store.create(l, o),
      update: (l, o) =>
        hang
          ? new Promise<Lease>((_, reject) =>
              o?.signal?.addEventListener('abort', () => {
                aborted++;
                reject(new Error('aborted'));
              }),
            )
          : store.update(l, o),
    };
    const a = candidate('a', client, clock);
    await clock.advanceAsync(2_000);
    hang = true;
    await clock.advanceAsync(10_000);
    expect(a.events).toEqual(['leader:a', 'started', 'stopped']);
    expect(aborted).toBe(1);
    await a.done;
  });

  it('loses leadership at once, without waiting for the deadline, when another holder shows up', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    const a = candidate('a', store, clock);
    await clock.advanceAsync(1_000);
    const l = lease(store);
    store.force({ ...l, spec: { ...l.spec, holderIdentity: 'intruder', renewTime: l.spec!.renewTime! } });
    await clock.advanceAsync(1_000);
    expect(a.events).toEqual(['leader:a', 'started', 'leader:intruder', 'stopped']);
    expect(lease(store).spec?.holderIdentity).toBe('intruder');
    await a.done;
  });

  it('releases the lease on shutdown after its work stopped, so a waiting candidate takes over at once', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    let workDone = false;
    let releaseSawWorkDone: boolean | undefined;
    const aAbort = new AbortController();
    const aStopped: string[] = [];
    const a = new LeaderElector({
      client: store.withFault((op) => {
        if (op === 'update' && aAbort.signal.aborted) releaseSawWorkDone = workDone;
      }),
      namespace: ns,
      name,
      identity: 'a',
      clock,
      random: () => 0,
      logger: quietLogger(),
      callbacks: {
        onStartedLeading: async (signal) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          await Promise.resolve();
          workDone = true;
        },
        onStoppedLeading: () => aStopped.push('stopped'),
      },
    });
    const aDone = a.run(aAbort.signal);
    await clock.advanceAsync(0);
    const b = candidate('b', store, clock);
    await clock.advanceAsync(10_000);
    expect(b.elector.isLeader()).toBe(false);

    const releasedAt = clock.now();
    aAbort.abort();
    await clock.advanceAsync(0);
    await aDone;
    expect(aStopped).toEqual(['stopped']);
    expect(releaseSawWorkDone).toBe(true);
    expect(lease(store).spec?.holderIdentity).toBeUndefined();
    expect(lease(store).spec?.leaseDurationSeconds).toBe(1);

    await clock.advanceAsync(2_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(b.startedAt! - releasedAt).toBeLessThanOrEqual(2_000);
    expect(lease(store).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
    b.abort.abort();
    await clock.advanceAsync(0);
    await b.done;
  });

  it('returns without callbacks or writes when stopped before ever leading', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    const a = candidate('a', store, clock);
    await clock.advanceAsync(0);
    const bWrites: string[] = [];
    const b = candidate(
      'b',
      store.withFault((op) => {
        if (op !== 'get') bWrites.push(op);
      }),
      clock,
    );
    await clock.advanceAsync(3_000);
    b.abort.abort();
    await clock.advanceAsync(0);
    await b.done;
    expect(b.events).toEqual(['leader:a']);
    expect(bWrites).toEqual([]);
    expect(lease(store).spec?.holderIdentity).toBe('a');
    a.abort.abort();
    await clock.advanceAsync(0);
    await a.done;
  });

  it('keeps leading when onStartedLeading throws, logging the error', async () => {
    const clock = new FakeClock();
    const store = new FakeLeaseClient();
    const logger = quietLogger();
    const abort = new AbortController();
    const a = new LeaderElector({
      client: store,
      namespace: ns,
      name,
      identity: 'a',
      clock,
      logger,
      callbacks: {
        onStartedLeading: () => {
          throw new Error('controller crashed');
        },
      },
    });
    const done = a.run(abort.signal);
    await clock.advanceAsync(5_000);
    expect(a.isLeader()).toBe(true);
    expect(logger.errors).toContain('onStartedLeading failed');
    abort.abort();
    await clock.advanceAsync(0);
    await done;
  });

  it('rejects timings that would let two candidates lead at once', () => {
    const base = { client: new FakeLeaseClient(), namespace: ns, name, identity: 'a', callbacks: { onStartedLeading: () => undefined } };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow('leaseDuration must be greater than renewDeadline');
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow('renewDeadline must be greater than retryPeriod*1.2');
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 15_500 })).toThrow('whole number of seconds');
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow('identity must be set');
  });

  it('refuses to run twice at once', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const a = new LeaderElector({ client: new FakeLeaseClient(), namespace: ns, name, identity: 'a', clock, logger: quietLogger(), callbacks: { onStartedLeading: () => undefined } });
    const done = a.run(abort.signal);
    await expect(a.run(abort.signal)).rejects.toThrow('already running');
    abort.abort();
    await clock.advanceAsync(0);
    await done;
  });
});
