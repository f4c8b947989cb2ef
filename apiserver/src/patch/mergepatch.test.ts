// Tests for mergepatch.ts: the RFC 7386 examples and what a merge patch does to a Kubernetes object.
import { BadRequestError } from '@keelson/api';
import type { Json, JsonObject } from './json';
import { applyMergePatch, mergePatch } from './mergepatch';

describe('mergePatch', () => {
  // RFC 7386 appendix A, one row per case.
  const rfc: [Json, Json, Json][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(rfc)('MergePatch(%j, %j) = %j', (target, patch, want) => {
    expect(mergePatch(target, patch)).toEqual(want);
  });

  it('does not change its inputs', () => {
    const target: JsonObject = { metadata: { labels: { app: 'web', tier: 'frontend' } } };
    const patch: JsonObject = { metadata: { labels: { tier: null } } };
    mergePatch(target, patch);
    expect(target).toEqual({ metadata: { labels: { app: 'web', tier: 'frontend' } } });
    expect(patch).toEqual({ metadata: { labels: { tier: null } } });
  });
});

describe('applyMergePatch on a Deployment', () => {
  const live: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'frontend' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25' },
            { name: 'log', image: 'busybox:1.36' },
          ],
        },
      },
    },
  };

  it('merges objects and deletes with null', () => {
    const out = applyMergePatch(live, { metadata: { labels: { tier: null, team: 'payments' } }, spec: { replicas: 3 } }) as JsonObject;
    expect(out.metadata).toEqual({ name: 'web', labels: { app: 'web', team: 'payments' } });
    expect((out.spec as JsonObject).replicas).toBe(3);
    expect((out.spec as JsonObject).template).toEqual((live.spec as JsonObject).template);
  });

  it('replaces lists whole: patching one container image drops the other', () => {
    const out = applyMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } }) as JsonObject;
    expect(((out.spec as JsonObject).template as JsonObject).spec).toEqual({ containers: [{ name: 'web', image: 'nginx:1.27' }] });
  });

  it('rejects a null or scalar body as malformed (400), as upstream does', () => {
    expect(() => applyMergePatch(live, null)).toThrow(BadRequestError);
    expect(() => applyMergePatch(live, 3)).toThrow('Invalid JSON Patch');
  });
});
