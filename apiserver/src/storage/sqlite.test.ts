// Runs the storage conformance suite against the SQLite file backend, plus two stores sharing one file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpiredError } from '@keelson/api';
import type { KubeObject, StoredObject } from '@keelson/api';
import { describeStorageConformance, WatchReader } from './conformance';
import { openSqliteStorage } from './sqlite';
import type { SqliteStorage } from './sqlite';
import { RevisionConflictError } from './types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-sqlite-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
let lastFile: string | undefined;
describeStorageConformance('sqlite', {
  open: () => {
    lastFile = join(dir, `store-${++files}.db`);
    return Promise.resolve(openSqliteStorage(lastFile));
  },
  reopen: () => {
    if (lastFile === undefined) return Promise.reject(new Error('reopen before open'));
    return Promise.resolve(openSqliteStorage(lastFile));
  },
});

describe('SqliteStorage: two stores on one file', () => {
  let a: SqliteStorage;
  let b: SqliteStorage;
  let path: string;
  const readers: WatchReader[] = [];

  beforeEach(() => {
    path = join(dir, `shared-${++files}.db`);
    // A short poll keeps the test fast; the other store's writes only arrive by polling.
    a = openSqliteStorage(path, { pollIntervalMs: 20 });
    b = openSqliteStorage(path, { pollIntervalMs: 20 });
  });
  afterEach(async () => {
    for (const r of readers.splice(0)) r.stop();
    await a.close();
    await b.close();
  });

  const watch = (store: SqliteStorage, fromRevision: number): WatchReader => {
    const reader = new WatchReader(store.watch('/registry/configmaps/', { fromRevision }));
    readers.push(reader);
    return reader;
  };

  it('shows a write through one store to a watch on the other, in order and without gaps', async () => {
    expect(a.backend).toBe('sqlite');
    const onB = watch(b, await b.currentRevision());
    const onA = watch(a, await a.currentRevision());

    const written: StoredObject[] = [];
    written.push(await a.create('/registry/configmaps/default/x', cm('x', '1')));
    written.push(await b.create('/registry/configmaps/default/y', cm('y', '1')));
    written.push(await a.update('/registry/configmaps/default/y', cm('y', '2')));
    written.push(await b.delete('/registry/configmaps/default/x'));

    const revisions = written.map((o) => Number(o.metadata.resourceVersion));
    expect(revisions).toEqual([...revisions].sort((p, q) => p - q));
    expect((await onB.take(4)).map((e) => e.revision)).toEqual(revisions);
    expect((await onA.take(4)).map((e) => [e.type, e.revision])).toEqual([
      ['ADDED', revisions[0]],
      ['ADDED', revisions[1]],
      ['MODIFIED', revisions[2]],
      ['DELETED', revisions[3]],
    ]);
    expect(await b.currentRevision()).toBe(revisions[3]);
  });

  it('answers requestProgress only after reading the other store\'s writes, without waiting for the poll', async () => {
    const slow = openSqliteStorage(path, { pollIntervalMs: 60_000 });
    try {
      const reader = new WatchReader(slow.watch('/registry/configmaps/', { fromRevision: await slow.currentRevision() }));
      readers.push(reader);
      const x = await a.create('/registry/configmaps/default/x', cm('x', '1'));
      const elsewhere = await a.create('/registry/secrets/default/s', cm('s', '1'));
      reader.requestProgress();
      const { before, progress } = await reader.untilProgress(1_000);
      expect(before.map((e) => e.revision)).toEqual([Number(x.metadata.resourceVersion)]);
      expect(progress.revision).toBe(Number(elsewhere.metadata.resourceVersion));
    } finally {
      await slow.close();
    }
  });

  it('lets exactly one compare-and-swap win across the two stores', async () => {
    const key = '/registry/configmaps/default/contended';
    const created = await a.create(key, cm('contended', 'none'));
    const expectedRevision = Number(created.metadata.resourceVersion);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).update(key, cm('contended', String(i)), { expectedRevision })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionConflictError);
    expect(await b.get(key)).toEqual(await a.get(key));
  });

  it('expires a watch that fell behind a compaction made through the other store', async () => {
    const behind = watch(b, await b.currentRevision());
    await a.create('/registry/configmaps/default/x', cm('x', '1'));
    await a.update('/registry/configmaps/default/x', cm('x', '2'));
    await a.update('/registry/configmaps/default/x', cm('x', '3'));
    // No timer can fire between these awaits, so b has not polled the superseded rows yet.
    await a.compact(await a.currentRevision());
    await expect(behind.next()).rejects.toBeInstanceOf(ExpiredError);
  });
});

describe('SqliteStorage: reopening a file', () => {
  it('keeps the compacted revision and the revision counter after every row of history is gone', async () => {
    const path = join(dir, `reopen-${++files}.db`);
    const first = openSqliteStorage(path);
    const key = '/registry/configmaps/default/x';
    const created = await first.create(key, cm('x', '1'));
    const deleted = await first.delete(key);
    await first.create('/registry/configmaps/default/y', cm('y', '1'));
    const last = await first.delete('/registry/configmaps/default/y');
    const top = Number(last.metadata.resourceVersion);
    await first.compact(top);
    await first.close();

    const second = openSqliteStorage(path);
    try {
      expect(await second.currentRevision()).toBe(top);
      await expect(second.list('/registry/configmaps/', { revision: Number(created.metadata.resourceVersion) })).rejects.toBeInstanceOf(
        ExpiredError,
      );
      expect((await second.list('/registry/configmaps/')).items).toEqual([]);
      const again = await second.create(key, cm('x', '2'));
      expect(Number(again.metadata.resourceVersion)).toBe(top + 1);
      expect(Number(deleted.metadata.resourceVersion)).toBeLessThan(top);
    } finally {
      await second.close();
    }
  });
});

function cm(name: string, v: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } };
}
