// Unit tests of the no-op write detection: jsonEqual agrees with comparing stableStringify strings, and sameIgnoringServerState with comparable.
import type { KubeObject } from '@keelson/api';
import { comparable, jsonEqual, sameIgnoringServerState, stableStringify } from './meta';

/** A small deterministic PRNG, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomJson(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(r() * 3);
    case 2:
      return ['a', 'b', ''][Math.floor(r() * 3)];
    case 3:
      return r() < 0.5;
    case 4:
      return undefined;
    case 5:
      return -0;
    case 6: {
      const n = Math.floor(r() * 3);
      return Array.from({ length: n }, () => randomJson(r, depth + 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      for (const k of ['x', 'y', 'z']) if (r() < 0.5) o[k] = randomJson(r, depth + 1);
      return o;
    }
  }
}

/** The same value with object keys in reverse order. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reordered((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

describe('jsonEqual', () => {
  it('agrees with comparing stableStringify output on thousands of random pairs', () => {
    const r = rng(42);
    let equalPairs = 0;
    for (let i = 0; i < 5000; i++) {
      const a = randomJson(r, 0);
      const b = r() < 0.3 ? reordered(a) : randomJson(r, 0);
      const expected = stableStringify(a) === stableStringify(b);
      if (expected) equalPairs++;
      expect([i, jsonEqual(a, b)]).toEqual([i, expected]);
    }
    // Both outcomes were exercised.
    expect(equalPairs).toBeGreaterThan(500);
    expect(equalPairs).toBeLessThan(4500);
  });

  it('ignores key order and undefined properties, but not array order or types', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([undefined], [null])).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual({ a: null }, {})).toBe(false);
  });
});

describe('sameIgnoringServerState', () => {
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'default', resourceVersion: '5', labels: { app: 'web' }, managedFields: [{ manager: 'x', operation: 'Update' }] },
    data: { k: 'v' },
  };

  it('treats resourceVersion and managedFields as no change, like comparable', () => {
    const other = { ...base, metadata: { ...base.metadata, resourceVersion: '9', managedFields: [] } } as KubeObject;
    expect(comparable(base) === comparable(other)).toBe(true);
    expect(sameIgnoringServerState(base, other)).toBe(true);
  });

  it('sees a change in data, labels or a new top-level field, like comparable', () => {
    const changes: KubeObject[] = [
      { ...base, data: { k: 'w' } },
      { ...base, metadata: { ...base.metadata, labels: { app: 'db' } } },
      { ...base, binaryData: {} },
      { ...base, metadata: undefined },
    ];
    for (const c of changes) {
      expect(comparable(base) === comparable(c)).toBe(false);
      expect(sameIgnoringServerState(base, c)).toBe(false);
      expect(sameIgnoringServerState(c, base)).toBe(false);
    }
  });
});
