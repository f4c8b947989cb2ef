// The one conformance suite every Storage backend (etcd, sqlite, memory) must pass; backend tests call it.
import { randomUUID } from 'node:crypto';
import { ExpiredError } from '@keelson/api';
import type { KubeObject, StoredObject } from '@keelson/api';
import { FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError } from './types';
import type { Storage, StorageEvent, StorageEventType, StorageProgressEvent, StorageWatch, StorageWatchEvent } from './types';

export interface StorageFactory {
  open(): Promise<Storage>;
  /** reopen the same store after close (persistence test); absent for memory */
  reopen?(): Promise<Storage>;
  /**
   * Whether `store` answers `requestProgress()` within a test's wait. Default yes; an etcd that
   * cannot order a progress answer with the events answers only with its periodic notification.
   */
  answersProgress?(store: Storage): boolean;
}

/** How long a test waits for an asynchronous watch event before failing. */
const EVENT_WAIT_MS = 5000;
const TEST_TIMEOUT_MS = 30_000;

/**
 * Registers the conformance tests for one backend. Every test writes under its own random
 * prefix and assumes nothing about revision numbers beyond "global and increasing", so the
 * suite also runs against a shared store such as a real etcd.
 */
export function describeStorageConformance(name: string, factory: StorageFactory): void {
  describe(`Storage conformance: ${name}`, () => {
    let store: Storage;
    let openStore: Storage | undefined;
    let prefix: string;
    let watches: StorageWatch[];

    const key = (path: string): string => `${prefix}${path}`;
    const watch = (under: string, fromRevision: number, signal?: AbortSignal): WatchReader => {
      const w = store.watch(under, signal === undefined ? { fromRevision } : { fromRevision, signal });
      watches.push(w);
      return new WatchReader(w);
    };

    beforeEach(async () => {
      store = await factory.open();
      openStore = store;
      prefix = `/registry/conformance-${randomUUID()}/`;
      watches = [];
    });

    afterEach(async () => {
      for (const w of watches) w.stop();
      if (openStore !== undefined) await openStore.close();
      openStore = undefined;
    });

    const scenario = (title: string, fn: () => Promise<void>): void => it(title, fn, TEST_TIMEOUT_MS);

    describe('create and get', () => {
      scenario('creates, reads back, and refuses a second create of the same key', async () => {
        const k = key('configmaps/default/a');
        expect(await store.get(k)).toBeUndefined();

        const created = await store.create(k, configMap('a', { x: '1' }));
        expect(created).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '1' } });
        expect(await store.get(k)).toEqual(created);

        const err = await rejection(store.create(k, configMap('a', { x: '2' })), KeyExistsError);
        expect(err.key).toBe(k);
        expect(await store.get(k)).toEqual(created);
      });

      scenario('sets resourceVersion on read to the revision of the last change, ignoring the one written', async () => {
        const before = await store.currentRevision();
        const input = configMap('a');
        input.metadata = { ...input.metadata, resourceVersion: '987654321' };

        const a = await store.create(key('cm/a'), input);
        expect(input.metadata.resourceVersion).toBe('987654321');
        expect(a.metadata.resourceVersion).toMatch(/^[1-9][0-9]*$/);
        expect(revisionOf(a)).toBeGreaterThan(before);

        const b = await store.create(key('cm/b'), configMap('b'));
        expect(revisionOf(b)).toBeGreaterThan(revisionOf(a));

        const a2 = await store.update(key('cm/a'), input);
        expect(revisionOf(a2)).toBeGreaterThan(revisionOf(b));
        expect(await store.get(key('cm/a'))).toEqual(a2);
        // b was not touched, so it keeps the revision of its own last change.
        expect(await store.get(key('cm/b'))).toEqual(b);
      });

      scenario('lets exactly one of 20 concurrent creates of one key win', async () => {
        const k = key('cm/contended');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.create(k, configMap('contended', { by: String(i) }))),
        );
        const won = fulfilled(results);
        expect(won).toHaveLength(1);
        for (const reason of rejected(results)) expect(reason).toBeInstanceOf(KeyExistsError);
        expect(await store.get(k)).toEqual(won[0]);
      });
    });

    describe('update', () => {
      scenario('compare-and-swap: the expected revision wins, a stale one conflicts, a missing key is not found', async () => {
        const k = key('cm/a');
        const created = await store.create(k, configMap('a', { v: '0' }));

        const updated = await store.update(k, configMap('a', { v: '1' }), { expectedRevision: revisionOf(created) });
        expect(updated.data).toEqual({ v: '1' });
        expect(revisionOf(updated)).toBeGreaterThan(revisionOf(created));

        const conflict = await rejection(
          store.update(k, configMap('a', { v: 'stale' }), { expectedRevision: revisionOf(created) }),
          RevisionConflictError,
        );
        expect(conflict).toMatchObject({ key: k, expected: revisionOf(created), actual: revisionOf(updated) });
        expect(await store.get(k)).toEqual(updated);

        const missing = key('cm/missing');
        await rejection(store.update(missing, configMap('missing'), { expectedRevision: revisionOf(created) }), KeyNotFoundError);
        await rejection(store.update(missing, configMap('missing')), KeyNotFoundError);
        expect(await store.get(missing)).toBeUndefined();
      });

      scenario('updates unconditionally without a precondition', async () => {
        const k = key('cm/a');
        await store.create(k, configMap('a', { v: '0' }));
        let last: StoredObject | undefined;
        for (let i = 1; i <= 3; i++) last = await store.update(k, configMap('a', { v: String(i) }));
        expect(last?.data).toEqual({ v: '3' });
        expect(await store.get(k)).toEqual(last);
      });

      scenario('lets exactly one of 20 concurrent updates with the same expected revision win', async () => {
        const k = key('cm/contended');
        const created = await store.create(k, configMap('contended', { by: 'none' }));
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.update(k, configMap('contended', { by: String(i) }), { expectedRevision: revisionOf(created) }),
          ),
        );
        const won = fulfilled(results);
        expect(won).toHaveLength(1);
        const lost = rejected(results);
        expect(lost).toHaveLength(19);
        for (const reason of lost) expect(reason).toBeInstanceOf(RevisionConflictError);
        expect(await store.get(k)).toEqual(won[0]);
      });
    });

    describe('delete', () => {
      scenario('deletes without a precondition and returns the last state at the deletion revision', async () => {
        const k = key('cm/a');
        await store.create(k, configMap('a', { v: '0' }));
        const updated = await store.update(k, configMap('a', { v: '1' }));

        const deleted = await store.delete(k);
        expect(deleted).toMatchObject({ metadata: { name: 'a' }, data: { v: '1' } });
        expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(updated));
        expect(await store.currentRevision()).toBeGreaterThanOrEqual(revisionOf(deleted));
        expect(await store.get(k)).toBeUndefined();

        await rejection(store.delete(k), KeyNotFoundError);
        await rejection(store.update(k, configMap('a')), KeyNotFoundError);
      });

      scenario('deletes with a precondition only when the object is unchanged, and allows a re-create', async () => {
        const k = key('cm/a');
        const first = await store.create(k, configMap('a', { life: '1' }));
        await store.delete(k, { expectedRevision: revisionOf(first) });

        const second = await store.create(k, configMap('a', { life: '2' }));
        expect(revisionOf(second)).toBeGreaterThan(revisionOf(first));
        const conflict = await rejection(store.delete(k, { expectedRevision: revisionOf(first) }), RevisionConflictError);
        expect(conflict).toMatchObject({ expected: revisionOf(first), actual: revisionOf(second) });
        expect(await store.get(k)).toEqual(second);

        const deleted = await store.delete(k, { expectedRevision: revisionOf(second) });
        expect(deleted.data).toEqual({ life: '2' });
        expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(second));
        expect(await store.get(k)).toBeUndefined();
        await rejection(store.delete(key('cm/never'), { expectedRevision: revisionOf(second) }), KeyNotFoundError);
      });
    });

    describe('list', () => {
      scenario('lists by key order, only under the prefix', async () => {
        const created = new Map<string, StoredObject>();
        for (const n of ['c', 'a', 'e', 'b', 'd']) created.set(n, await store.create(key(`pods/a/${n}`), configMap(n)));
        // Neighbours that share the string prefix `pods/a` but not the directory `pods/a/`.
        await store.create(key('pods/ab/a'), configMap('ab-a'));
        await store.create(key('pods/a'), configMap('bare-a'));
        await store.create(key('pods/b/a'), configMap('b-a'));
        await store.delete(key('pods/a/d'));

        const list = await store.list(key('pods/a/'));
        expect(list.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'e']);
        // Each item carries the revision of its own last change, not the list's revision.
        expect(list.items).toEqual(['a', 'b', 'c', 'e'].map((n) => created.get(n)));
        expect(list.revision).toBeGreaterThanOrEqual(Math.max(...list.items.map(revisionOf)));
        expect(list.continue).toBeUndefined();

        expect((await store.list(key('pods/ab/'))).items.map((o) => o.metadata.name)).toEqual(['ab-a']);
        expect((await store.list(key('nothing/'))).items).toEqual([]);
      });

      scenario('lists as of an older revision', async () => {
        const x1 = await store.create(key('cm/x'), configMap('x', { v: '1' }));
        const y = await store.create(key('cm/y'), configMap('y'));
        const then = revisionOf(y);
        const x2 = await store.update(key('cm/x'), configMap('x', { v: '2' }));
        await store.delete(key('cm/y'));
        const z = await store.create(key('cm/z'), configMap('z'));

        const old = await store.list(key('cm/'), { revision: then });
        expect(old.revision).toBe(then);
        expect(old.items).toEqual([x1, y]);
        const now = await store.list(key('cm/'));
        expect(now.items).toEqual([x2, z]);
        expect(now.revision).toBeGreaterThanOrEqual(revisionOf(z));

        const future = (await store.currentRevision()) + 1_000_000;
        await rejection(store.list(key('cm/'), { revision: future }), FutureRevisionError);
      });

      scenario('pages with limit and continue, every page at the first page’s revision despite writes between pages', async () => {
        const names = ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6'];
        for (const n of [...names].reverse()) await store.create(key(`cm/${n}`), configMap(n, { v: 'original' }));

        const page1 = await store.list(key('cm/'), { limit: 3 });
        expect(page1.items.map((o) => o.metadata.name)).toEqual(['item-0', 'item-1', 'item-2']);
        expect(page1.continue).toEqual(expect.any(String));
        if (page1.remainingItemCount !== undefined) expect(page1.remainingItemCount).toBe(4);

        // Writes between pages must not show on later pages of the same list.
        await store.update(key('cm/item-4'), configMap('item-4', { v: 'changed' }));
        await store.delete(key('cm/item-5'));
        await store.delete(key('cm/item-1'));
        await store.create(key('cm/item-3a'), configMap('item-3a'));

        const page2 = await store.list(key('cm/'), { limit: 3, continue: page1.continue });
        expect(page2.revision).toBe(page1.revision);
        expect(page2.items.map((o) => o.metadata.name)).toEqual(['item-3', 'item-4', 'item-5']);
        expect(page2.items[1]?.data).toEqual({ v: 'original' });
        expect(page2.continue).toEqual(expect.any(String));
        if (page2.remainingItemCount !== undefined) expect(page2.remainingItemCount).toBe(1);

        const page3 = await store.list(key('cm/'), { limit: 3, continue: page2.continue });
        expect(page3.revision).toBe(page1.revision);
        expect(page3.items.map((o) => o.metadata.name)).toEqual(['item-6']);
        expect(page3.continue).toBeUndefined();

        const whole = await store.list(key('cm/'), { revision: page1.revision });
        expect([...page1.items, ...page2.items, ...page3.items]).toEqual(whole.items);

        const unpaged = await store.list(key('cm/'), { limit: 100 });
        expect(unpaged.items.map((o) => o.metadata.name)).toEqual(['item-0', 'item-2', 'item-3', 'item-3a', 'item-4', 'item-6']);
        expect(unpaged.continue).toBeUndefined();
      });
    });

    describe('watch', () => {
      scenario('delivers every change under the prefix in revision order with no gap, DELETED with prevObject', async () => {
        const w = watch(key('cm/'), await store.currentRevision());

        const a = await store.create(key('cm/a'), configMap('a', { v: '1' }));
        await store.create(key('other/x'), configMap('x'));
        const b = await store.create(key('cm/b'), configMap('b'));
        const a2 = await store.update(key('cm/a'), configMap('a', { v: '2' }), { expectedRevision: revisionOf(a) });
        const aGone = await store.delete(key('cm/a'));
        const burst = await Promise.all(
          Array.from({ length: 30 }, (_, i) => store.create(key(`cm/burst-${String(i).padStart(2, '0')}`), configMap(`burst-${i}`))),
        );

        const events = await w.take(4 + burst.length);
        expect(events.slice(0, 4).map(summary)).toEqual([
          ['ADDED', key('cm/a'), revisionOf(a)],
          ['ADDED', key('cm/b'), revisionOf(b)],
          ['MODIFIED', key('cm/a'), revisionOf(a2)],
          ['DELETED', key('cm/a'), revisionOf(aGone)],
        ]);
        expect(events[0]?.object).toEqual(a);
        expect(events[0]?.prevObject).toBeUndefined();
        expect(events[2]?.object).toEqual(a2);
        expect(events[2]?.prevObject).toEqual(a);
        expect(events[3]?.object).toEqual(aGone);
        expect(events[3]?.prevObject).toEqual(a2);

        const burstEvents = events.slice(4);
        expect(burstEvents.map((e) => e.revision)).toEqual(burst.map(revisionOf).sort((x, y) => x - y));
        for (const e of burstEvents) {
          expect(e.type).toBe('ADDED');
          expect(e.object).toEqual(burst.find((o) => revisionOf(o) === e.revision));
        }
        for (const e of events) expect(e.object.metadata.resourceVersion).toBe(String(e.revision));

        // Nothing else arrives before a later write (the write outside the prefix did not leak).
        const sentinel = await store.create(key('cm/zz-sentinel'), configMap('sentinel'));
        expect((await w.take(1)).map(summary)).toEqual([['ADDED', key('cm/zz-sentinel'), revisionOf(sentinel)]]);
      });

      scenario('resumes after a reconnect from the last seen revision with exactly the remaining events', async () => {
        const start = await store.currentRevision();
        const revisions: number[] = [];
        const record = async (write: Promise<StoredObject>): Promise<void> => {
          revisions.push(revisionOf(await write));
        };
        for (const n of ['a', 'b', 'c', 'd']) await record(store.create(key(`cm/${n}`), configMap(n)));
        await record(store.update(key('cm/a'), configMap('a', { v: '2' })));
        await record(store.delete(key('cm/b')));

        const first = watch(key('cm/'), start);
        const seen = await first.take(4);
        first.stop();
        expect(await first.next()).toEqual({ done: true, value: undefined });
        const lastSeen = seen[3]?.revision ?? -1;

        // Changes made while disconnected.
        await record(store.update(key('cm/c'), configMap('c', { v: '2' })));
        await record(store.delete(key('cm/d')));

        const second = watch(key('cm/'), lastSeen);
        const rest = await second.take(revisions.length - seen.length);
        expect([...seen, ...rest].map((e) => e.revision)).toEqual(revisions);

        const sentinel = await store.create(key('cm/zz-sentinel'), configMap('sentinel'));
        expect((await second.take(1))[0]?.revision).toBe(revisionOf(sentinel));
      });

      scenario('replays history from an old revision, then continues live', async () => {
        const start = await store.currentRevision();
        const a = await store.create(key('cm/a'), configMap('a', { v: '1' }));
        const a2 = await store.update(key('cm/a'), configMap('a', { v: '2' }));
        const b = await store.create(key('cm/b'), configMap('b'));
        const aGone = await store.delete(key('cm/a'), { expectedRevision: revisionOf(a2) });

        const w = watch(key('cm/'), start);
        const history = await w.take(4);
        expect(history.map(summary)).toEqual([
          ['ADDED', key('cm/a'), revisionOf(a)],
          ['MODIFIED', key('cm/a'), revisionOf(a2)],
          ['ADDED', key('cm/b'), revisionOf(b)],
          ['DELETED', key('cm/a'), revisionOf(aGone)],
        ]);
        expect(history[1]?.prevObject).toEqual(a);
        expect(history[3]?.object).toEqual(aGone);
        expect(history[3]?.prevObject).toEqual(a2);

        const again = await store.create(key('cm/a'), configMap('a', { v: '3' }));
        const live = await w.take(1);
        expect(live.map(summary)).toEqual([['ADDED', key('cm/a'), revisionOf(again)]]);
        expect(live[0]?.prevObject).toBeUndefined();

        // Starting exactly at a revision excludes that revision.
        const fromB = watch(key('cm/'), revisionOf(b));
        expect((await fromB.take(2)).map((e) => e.revision)).toEqual([revisionOf(aGone), revisionOf(again)]);
      });

      scenario('a watch from a future revision waits for it, beside a watch from now', async () => {
        const now = await store.currentRevision();
        const future = now + 3;
        const fromNow = watch(key('cm/'), now);
        const fromFuture = watch(key('cm/'), future);
        const written: StoredObject[] = [];
        // Six writes take at least six revisions, so at least the last three land after `future`.
        for (let i = 0; i < 6; i++) written.push(await store.create(key(`cm/${i}`), configMap(String(i))));
        const revisions = written.map(revisionOf);
        const later = revisions.filter((r) => r > future);

        expect((await fromNow.take(revisions.length)).map((e) => e.revision)).toEqual(revisions);
        expect((await fromFuture.take(later.length)).map((e) => e.revision)).toEqual(later);
        const sentinel = await store.create(key('cm/zz-sentinel'), configMap('sentinel'));
        expect((await fromFuture.take(1))[0]?.revision).toBe(revisionOf(sentinel));
      });

      scenario('answers requestProgress, after writes only under another prefix, with a PROGRESS after every change it covers', async () => {
        const w = watch(key('a/'), await store.currentRevision());
        const a1 = await store.create(key('a/1'), configMap('1'));
        let lastB = a1;
        for (let i = 0; i < 3; i++) lastB = await store.create(key(`b/${i}`), configMap(`b${i}`));

        if (factory.answersProgress?.(store) === false) {
          // No answer it could not order: the changes flow on, and no PROGRESS comes before them.
          w.requestProgress();
          const sentinel = await store.create(key('a/zz-sentinel'), configMap('sentinel'));
          expect((await w.take(2)).map(summary)).toEqual([
            ['ADDED', key('a/1'), revisionOf(a1)],
            ['ADDED', key('a/zz-sentinel'), revisionOf(sentinel)],
          ]);
          return;
        }

        // Changes under A race the request; each must land on its own side of the answer.
        const burst = Array.from({ length: 10 }, (_, i) => store.create(key(`a/burst-${i}`), configMap(`burst-${i}`)));
        w.requestProgress();
        const burstRevisions = (await Promise.all(burst)).map(revisionOf).sort((x, y) => x - y);
        const { before, progress } = await w.untilProgress();

        expect(progress.revision).toBeGreaterThanOrEqual(revisionOf(lastB));
        expect(before[0]).toMatchObject({ type: 'ADDED', key: key('a/1'), object: a1 });
        const covered = burstRevisions.filter((r) => r <= progress.revision);
        expect(before.map((e) => e.revision)).toEqual([revisionOf(a1), ...covered]);
        // After it: exactly the changes it does not cover, then a later write; nothing at or below it.
        const uncovered = burstRevisions.filter((r) => r > progress.revision);
        expect((await w.take(uncovered.length)).map((e) => e.revision)).toEqual(uncovered);
        const sentinel = await store.create(key('a/zz-sentinel'), configMap('sentinel'));
        expect((await w.take(1)).map(summary)).toEqual([['ADDED', key('a/zz-sentinel'), revisionOf(sentinel)]]);

        // Asked again with nothing new under A: a PROGRESS at least as new as the last write anywhere.
        const lastAnywhere = await store.create(key('b/zz'), configMap('b-zz'));
        w.requestProgress();
        const again = await w.untilProgress();
        expect(again.before).toEqual([]);
        expect(again.progress.revision).toBeGreaterThanOrEqual(revisionOf(lastAnywhere));

        // A watch that has ended ignores the request.
        w.stop();
        w.requestProgress();
        expect(await w.next()).toEqual({ done: true, value: undefined });
      });

      scenario('answers a requestProgress made while the watch replays history only after all of it', async () => {
        const start = await store.currentRevision();
        const written: number[] = [];
        for (let i = 0; i < 200; i += 50) {
          const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => store.create(key(`a/${i + j}`), configMap(`a-${i + j}`))));
          written.push(...batch.map(revisionOf));
        }
        written.sort((x, y) => x - y);
        // etcd replays a watch from the past before it counts as caught up; an etcd that answered
        // a progress request then (3.4.23 does) would claim revisions whose events come later.
        const w = watch(key('a/'), start);
        w.requestProgress();

        if (factory.answersProgress?.(store) === false) {
          expect((await w.take(written.length)).map((e) => e.revision)).toEqual(written);
          const sentinel = await store.create(key('a/zz-sentinel'), configMap('sentinel'));
          expect((await w.take(1)).map((e) => e.revision)).toEqual([revisionOf(sentinel)]);
          return;
        }
        const { before, progress } = await w.untilProgress();
        expect(progress.revision).toBeGreaterThanOrEqual(written[written.length - 1] ?? 0);
        expect(before.map((e) => e.revision)).toEqual(written);
      });

      scenario('ends iteration on stop() and when the signal aborts', async () => {
        const controller = new AbortController();
        const w = watch(key('cm/'), await store.currentRevision(), controller.signal);
        const pending = w.next();
        const a = await store.create(key('cm/a'), configMap('a'));
        expect(summary(expectEvent(await pending))).toEqual(['ADDED', key('cm/a'), revisionOf(a)]);

        const waiting = w.next();
        controller.abort();
        expect(await waiting).toEqual({ done: true, value: undefined });

        // A signal aborted before the watch starts ends it at once, even with changes to replay.
        const beforeB = await store.currentRevision();
        await store.create(key('cm/b'), configMap('b'));
        const aborted = new AbortController();
        aborted.abort();
        expect(await watch(key('cm/'), beforeB, aborted.signal).next()).toEqual({ done: true, value: undefined });

        const stopped = watch(key('cm/'), await store.currentRevision());
        const idle = stopped.next();
        stopped.stop();
        expect(await idle).toEqual({ done: true, value: undefined });
      });
    });

    describe('revisions and compaction', () => {
      scenario('currentRevision grows with every write', async () => {
        const r0 = await store.currentRevision();
        const a = await store.create(key('cm/a'), configMap('a'));
        expect(revisionOf(a)).toBeGreaterThan(r0);
        const r1 = await store.currentRevision();
        expect(r1).toBeGreaterThanOrEqual(revisionOf(a));
        const gone = await store.delete(key('cm/a'));
        expect(revisionOf(gone)).toBeGreaterThan(r1);
        expect(await store.currentRevision()).toBeGreaterThanOrEqual(revisionOf(gone));
      });

      scenario('compaction expires older lists and watches but keeps the current state', async () => {
        const a1 = await store.create(key('cm/a'), configMap('a', { v: '1' }));
        const a2 = await store.update(key('cm/a'), configMap('a', { v: '2' }));
        const b = await store.create(key('cm/b'), configMap('b'));
        await store.create(key('cm/c'), configMap('c', { v: '1' }));
        await store.update(key('cm/c'), configMap('c', { v: '2' }));
        await store.delete(key('cm/c'));

        const compactAt = await store.currentRevision();
        await store.compact(compactAt);

        await rejection(store.list(key('cm/'), { revision: revisionOf(a1) }), ExpiredError);
        await rejection(watch(key('cm/'), revisionOf(a1)).next(), ExpiredError);

        // The newest state survives, and a deleted key stays deleted.
        expect((await store.list(key('cm/'))).items).toEqual([a2, b]);
        expect((await store.list(key('cm/'), { revision: compactAt })).items).toEqual([a2, b]);
        expect(await store.get(key('cm/a'))).toEqual(a2);
        expect(await store.get(key('cm/c'))).toBeUndefined();

        // Watching from the compacted revision on works, with prevObject for the change.
        const w = watch(key('cm/'), compactAt);
        const a3 = await store.update(key('cm/a'), configMap('a', { v: '3' }), { expectedRevision: revisionOf(a2) });
        const c = await store.create(key('cm/c'), configMap('c', { v: 'again' }));
        const events = await w.take(2);
        expect(events.map(summary)).toEqual([
          ['MODIFIED', key('cm/a'), revisionOf(a3)],
          ['ADDED', key('cm/c'), revisionOf(c)],
        ]);
        expect(events[0]?.prevObject).toEqual(a2);
      });
    });

    // Only stores that can be reopened (not memory://) have a restart to survive.
    const reopen = factory.reopen?.bind(factory);
    if (reopen) it(
      'survives a restart: objects, revisions and history',
      async () => {
        const start = await store.currentRevision();
        const a1 = await store.create(key('cm/a'), configMap('a', { v: '1' }));
        const a2 = await store.update(key('cm/a'), configMap('a', { v: '2' }));
        const b = await store.create(key('cm/b'), configMap('b'));
        const bGone = await store.delete(key('cm/b'));
        const c = await store.create(key('cm/c'), configMap('c'));
        const before = await store.currentRevision();

        await store.close();
        openStore = undefined;
        store = await reopen();
        openStore = store;

        expect(await store.get(key('cm/a'))).toEqual(a2);
        expect(await store.get(key('cm/b'))).toBeUndefined();
        expect(await store.get(key('cm/c'))).toEqual(c);
        expect(await store.currentRevision()).toBeGreaterThanOrEqual(before);
        expect((await store.list(key('cm/'), { revision: revisionOf(b) })).items).toEqual([a2, b]);

        const history = await watch(key('cm/'), start).take(5);
        expect(history.map(summary)).toEqual([
          ['ADDED', key('cm/a'), revisionOf(a1)],
          ['MODIFIED', key('cm/a'), revisionOf(a2)],
          ['ADDED', key('cm/b'), revisionOf(b)],
          ['DELETED', key('cm/b'), revisionOf(bGone)],
          ['ADDED', key('cm/c'), revisionOf(c)],
        ]);

        const d = await store.create(key('cm/d'), configMap('d'));
        expect(revisionOf(d)).toBeGreaterThan(before);
        await rejection(store.create(key('cm/a'), configMap('a')), KeyExistsError);
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/**
 * Reads a watch one event at a time with bounded waits; never sleeps. `take` expects changes
 * only (a PROGRESS nobody asked for fails it); `untilProgress` reads up to the next PROGRESS.
 */
export class WatchReader {
  private readonly iterator: AsyncIterator<StorageWatchEvent>;
  private pending: Promise<IteratorResult<StorageWatchEvent>> | undefined;
  readonly watch: StorageWatch;

  constructor(watch: StorageWatch) {
    this.watch = watch;
    this.iterator = watch[Symbol.asyncIterator]();
  }

  /**
   * The next iteration result (an event, or done), failing after `timeoutMs`. A result that
   * arrives after a timeout is kept for the next call, so no event is lost.
   */
  async next(timeoutMs = EVENT_WAIT_MS): Promise<IteratorResult<StorageWatchEvent>> {
    const pending = (this.pending ??= this.iterator.next());
    try {
      const result = await withTimeout(pending, timeoutMs, () => `no watch event within ${timeoutMs} ms`);
      this.pending = undefined;
      return result;
    } catch (error: unknown) {
      if (!(error instanceof WaitTimeoutError)) this.pending = undefined;
      throw error;
    }
  }

  /** Exactly the next `n` events, failing if they do not all arrive within `timeoutMs`. */
  async take(n: number, timeoutMs = EVENT_WAIT_MS): Promise<StorageEvent[]> {
    const deadline = Date.now() + timeoutMs;
    const events: StorageEvent[] = [];
    while (events.length < n) {
      let result: IteratorResult<StorageWatchEvent>;
      try {
        result = await this.next(deadline - Date.now());
      } catch (error: unknown) {
        throw new Error(`received ${events.length} of ${n} watch events: ${JSON.stringify(events.map(summary))}`, {
          cause: error,
        });
      }
      if (result.done) throw new Error(`watch ended after ${events.length} of ${n} events`);
      if (result.value.type === 'PROGRESS') {
        throw new Error(`unexpected PROGRESS at ${result.value.revision} after ${JSON.stringify(events.map(summary))}`);
      }
      events.push(result.value);
    }
    return events;
  }

  /** The changes before the next PROGRESS, and that PROGRESS; fails after `timeoutMs`. */
  async untilProgress(timeoutMs = EVENT_WAIT_MS): Promise<{ before: StorageEvent[]; progress: StorageProgressEvent }> {
    const deadline = Date.now() + timeoutMs;
    const before: StorageEvent[] = [];
    for (;;) {
      let result: IteratorResult<StorageWatchEvent>;
      try {
        result = await this.next(deadline - Date.now());
      } catch (error: unknown) {
        throw new Error(`no PROGRESS, after ${JSON.stringify(before.map(summary))}`, { cause: error });
      }
      if (result.done) throw new Error(`watch ended before a PROGRESS, after ${JSON.stringify(before.map(summary))}`);
      if (result.value.type === 'PROGRESS') return { before, progress: result.value };
      before.push(result.value);
    }
  }

  requestProgress(): void {
    this.watch.requestProgress();
  }

  stop(): void {
    this.watch.stop();
  }
}

function configMap(name: string, data: Record<string, string> = {}): KubeObject & { metadata: { name: string } } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

function revisionOf(obj: StoredObject): number {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined || !/^[0-9]+$/.test(rv)) throw new Error(`object has no valid resourceVersion: ${String(rv)}`);
  return Number(rv);
}

function summary(event: StorageEvent): [StorageEventType, string, number] {
  return [event.type, event.key, event.revision];
}

function expectEvent(result: IteratorResult<StorageWatchEvent>): StorageEvent {
  if (result.done) throw new Error('watch ended where an event was expected');
  if (result.value.type === 'PROGRESS') throw new Error(`unexpected PROGRESS at ${result.value.revision}`);
  return result.value;
}

function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

function rejected<T>(results: PromiseSettledResult<T>[]): unknown[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
}

/** Awaits `promise` expecting it to reject with an instance of `type`, and returns the error. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error: unknown) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${type.name}, but it resolved to ${JSON.stringify(value)}`);
}

class WaitTimeoutError extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(message())), Math.max(ms, 0));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
