// RangeAllocator on real SQLite storage: unique offsets under concurrency, across two stores on one file, and persistence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStorage, openSqliteStorage } from '../storage/sqlite';
import { AlreadyAllocatedError, OutOfRangeError, RangeAllocator, RangeFullError, RangeMismatchError, decodeOffsets, encodeOffsets } from './range';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-range-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts = (size: number) => ({ key: '/registry/ranges/test', name: 'test', range: `0-${size - 1}`, size });

describe('RangeAllocator', () => {
  it('encodes offsets compactly and round-trips them', () => {
    expect(decodeOffsets(encodeOffsets([5, 1, 5, 70000]))).toEqual(new Set([1, 5, 70000]));
    expect(encodeOffsets([])).toBe('');
  });

  it('hands out every offset once, then reports the range full', async () => {
    const storage = openMemoryStorage();
    const r = new RangeAllocator(storage, opts(8));
    const got = await Promise.all(Array.from({ length: 8 }, () => r.allocateNext()));
    expect(new Set(got).size).toBe(8);
    await expect(r.allocateNext()).rejects.toBeInstanceOf(RangeFullError);
    await r.release(3);
    expect(await r.allocateNext()).toBe(3);
    await storage.close();
  });

  it('refuses a taken or out-of-range offset and prefers the upper band for dynamic picks', async () => {
    const storage = openMemoryStorage();
    const r = new RangeAllocator(storage, { ...opts(64), reservedBelow: 16, random: () => 0 });
    await r.allocate(10);
    await expect(r.allocate(10)).rejects.toBeInstanceOf(AlreadyAllocatedError);
    await expect(r.allocate(64)).rejects.toBeInstanceOf(OutOfRangeError);
    const dynamic = await Promise.all(Array.from({ length: 48 }, () => r.allocateNext()));
    expect(Math.min(...dynamic)).toBe(16);
    // The upper band is full: the lower band is used, skipping the static 10.
    const more = await Promise.all(Array.from({ length: 15 }, () => r.allocateNext()));
    expect(more.includes(10)).toBe(false);
    expect(new Set([...dynamic, ...more, 10]).size).toBe(64);
    await storage.close();
  });

  it('never double-allocates across two stores sharing one SQLite file, and keeps its state across reopen', async () => {
    const file = join(dir, 'shared.db');
    const a = openSqliteStorage(file, { pollIntervalMs: 20 });
    const b = openSqliteStorage(file, { pollIntervalMs: 20 });
    const ra = new RangeAllocator(a, opts(4096));
    const rb = new RangeAllocator(b, opts(4096));
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? ra : rb).allocateNext()));
    expect(new Set(got).size).toBe(100);
    await a.close();
    await b.close();
    const c = openSqliteStorage(file);
    const rc = new RangeAllocator(c, opts(4096));
    expect(await rc.used()).toEqual(new Set(got));
    await expect(rc.allocate(got[0] ?? -1)).rejects.toBeInstanceOf(AlreadyAllocatedError);
    await expect(new RangeAllocator(c, { ...opts(4096), range: '1-4096' }).allocateNext()).rejects.toBeInstanceOf(RangeMismatchError);
    await c.close();
  });
});
