// Shared controller pieces: expectations, slow start, pod-template-hash, deletion order, claiming.
import { selectorFromSet } from '@keelson/api';
import { FakeClock } from '@keelson/client';
import { ownerRef, pod, t0 } from '../testing/builders';
import { claimObjects } from './controllerref';
import { ControllerExpectations, expectationsTimeoutMs } from './expectations';
import { computeHash, fnv32a, safeEncode } from './hash';
import { compareForDeletion, isPodAvailable } from './pods';
import { slowStartBatch } from './slowstart';

describe('ControllerExpectations', () => {
  it('is satisfied once every expected creation and deletion was observed, each deletion once', () => {
    const e = new ControllerExpectations(new FakeClock(0));
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/unrelated');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('gives up on expectations after five minutes, so a lost event cannot wedge a controller', () => {
    const clock = new FakeClock(0);
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/rs', 1);
    clock.advance(expectationsTimeoutMs);
    expect(e.satisfied('ns/rs')).toBe(false);
    clock.advance(1);
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … and stops after the first batch with a failure', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const { successes, error } = await slowStartBatch(20, 1, async () => {
      const n = ++calls;
      inFlight++;
      batches.push(inFlight);
      await Promise.resolve();
      inFlight--;
      if (n > 9) throw new Error('no more');
    });
    expect(calls).toBe(15); // 1 + 2 + 4 + 8
    expect(successes).toBe(9);
    expect(error?.message).toBe('no more');
    expect(Math.max(...batches)).toBe(8);
  });

  it('does everything when nothing fails', async () => {
    expect(await slowStartBatch(5, 1, async () => undefined)).toEqual({ successes: 5, error: undefined });
    expect(await slowStartBatch(0, 1, async () => undefined)).toEqual({ successes: 0, error: undefined });
  });
});

describe('computeHash', () => {
  it('is FNV-32a, safe-encoded', () => {
    // FNV-1a 32 of "a" is 0xe40c292c = 3826002220.
    expect(fnv32a(new TextEncoder().encode('a'))).toBe(3826002220);
    // Each decimal digit mapped into bcdfghjklmnpqrstvwxz2456789 by its character code.
    expect(safeEncode('3826002220')).toBe('7d6b446664');
  });

  it('ignores key order, changes with the template and with collisionCount', () => {
    const a = computeHash({ metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const b = computeHash({ spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash({ spec: { containers: [{ name: 'c', image: 'j' }] } })).not.toBe(a);
    expect(computeHash({ metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, 1)).not.toBe(a);
  });
});

describe('pods', () => {
  it('counts a pod available only after minReadySeconds of readiness', () => {
    const p = pod('p', { ready: true, readySince: t0 - 10_000 });
    expect(isPodAvailable(p, 0, t0)).toBe(true);
    expect(isPodAvailable(p, 9, t0)).toBe(true);
    expect(isPodAvailable(p, 10, t0)).toBe(false);
    expect(isPodAvailable(pod('q', { ready: false, phase: 'Running' }), 0, t0)).toBe(false);
  });

  it('deletes first pods with more restarts, then newer ones, among otherwise equal ready pods', () => {
    const rank = (p: ReturnType<typeof pod>) => ({ pod: p, rank: 0 });
    const sameReady = t0 - 3_600_000;
    const crashy = pod('crashy', { ready: true, readySince: sameReady, restarts: 5, nodeName: 'n' });
    const calm = pod('calm', { ready: true, readySince: sameReady, restarts: 0, nodeName: 'n' });
    expect(compareForDeletion(rank(crashy), rank(calm), t0)).toBeLessThan(0);
    const costly = pod('costly', { ready: true, nodeName: 'n' });
    costly.metadata!.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '100' };
    expect(compareForDeletion(rank(calm), rank(costly), t0)).toBeLessThan(0);
  });
});

describe('claimObjects', () => {
  const controller = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } };
  it('claims owned matching objects, adopts matching orphans once checked, leaves others', async () => {
    const adopted: string[] = [];
    let checks = 0;
    const claimed = await claimObjects([pod('mine', { owner: ownerRef('ReplicaSet', 'web') }), pod('orphan1'), pod('orphan2'), pod('theirs', { owner: ownerRef('ReplicaSet', 'other') }), pod('nomatch', { labels: { app: 'x' } })], {
      controller,
      selector: selectorFromSet({ app: 'web' }),
      canAdopt: async () => {
        checks++;
      },
      adopt: async (p) => {
        adopted.push(p.metadata?.name ?? '');
      },
      release: async () => undefined,
    });
    expect(claimed.map((p) => p.metadata?.name)).toEqual(['mine', 'orphan1', 'orphan2']);
    expect(adopted).toEqual(['orphan1', 'orphan2']);
    expect(checks).toBe(1);
  });
});
