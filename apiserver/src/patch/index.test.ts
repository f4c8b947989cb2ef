// Tests for index.ts: applyPatch dispatches on Content-Type, parses bodies and maps errors as the API server does.
import { BadRequestError, InvalidError, UnsupportedMediaTypeError } from '@keelson/api';
import { ApplyConflictError, applyPatch, PatchApplyError, patchTypeOf, recordUpdate } from './index';
import type { JsonObject } from './json';

type Obj = JsonObject;
const ctx = { kind: 'Deployment', apiVersion: 'apps/v1', now: '2024-05-01T10:00:00Z' };

const live = (): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-web', resourceVersion: '3', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25' },
          { name: 'log', image: 'busybox:1.36' },
        ],
      },
    },
  },
});

const images = (o: object): unknown[] => ((((o as Obj).spec as Obj).template as Obj).spec as { containers: Obj[] }).containers.map((c) => c.image);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e: unknown) {
    return e;
  }
  throw new Error('expected an error');
}

describe('patchTypeOf', () => {
  it('ignores parameters and case', () => {
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('Application/Strategic-Merge-Patch+JSON')).toBe('strategic');
    expect(patchTypeOf('application/json')).toBeUndefined();
  });
});

describe('applyPatch', () => {
  const image127 = { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };

  it('dispatches the four patch types', () => {
    expect(images(applyPatch('application/json-patch+json', live(), JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }]), ctx))).toEqual(['nginx:1.27', 'busybox:1.36']);
    expect(images(applyPatch('application/merge-patch+json', live(), JSON.stringify(image127), ctx))).toEqual(['nginx:1.27']);
    expect(images(applyPatch('application/strategic-merge-patch+json', live(), Buffer.from(JSON.stringify(image127)), ctx))).toEqual(['nginx:1.27', 'busybox:1.36']);
    const yaml = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1.27',
    ].join('\n');
    // The live object predates field tracking: its fields belong to "before-first-apply", so
    // changing the image needs force.
    const applied = applyPatch('application/apply-patch+yaml', live(), yaml, { ...ctx, manager: 'kubectl', force: true }) as Obj;
    expect(images(applied)).toEqual(['nginx:1.27', 'busybox:1.36']);
    expect(((applied.metadata as Obj).managedFields as Obj[]).map((e) => e.manager)).toEqual(['kubectl', 'before-first-apply']);
  });

  it('never changes the live object', () => {
    const l = live();
    for (const [type, body] of [
      ['application/json-patch+json', JSON.stringify([{ op: 'remove', path: '/spec/template' }])],
      ['application/merge-patch+json', JSON.stringify({ spec: null })],
      ['application/strategic-merge-patch+json', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } } } })],
      ['application/apply-patch+yaml', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 9 } })],
    ] as const) {
      applyPatch(type, l, body, { ...ctx, manager: 'm', force: type === 'application/apply-patch+yaml' });
    }
    expect(l).toEqual(live());
  });

  it('creates with apply when there is no live object, JSON bodies included', () => {
    const out = applyPatch('application/apply-patch+yaml', undefined, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }), {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      manager: 'helm',
      now: ctx.now,
    }) as Obj;
    expect(out.data).toEqual({ a: '1' });
    expect((out.metadata as Obj).managedFields).toEqual([
      { manager: 'helm', operation: 'Apply', apiVersion: 'v1', time: ctx.now, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ]);
  });

  it('keeps YAML scalars as JSON would (no timestamps, quoted numbers stay strings)', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  when: 2024-01-01T00:00:00Z\n  port: "80"\n';
    const out = applyPatch('application/apply-patch+yaml', undefined, yaml, { kind: 'ConfigMap', apiVersion: 'v1', manager: 'm', now: ctx.now }) as Obj;
    expect(out.data).toEqual({ when: '2024-01-01T00:00:00Z', port: '80' });
  });

  it('answers 415 for content types it does not accept, apply-patch+cbor included', () => {
    expect(thrown(() => applyPatch('application/apply-patch+cbor', live(), '', ctx))).toBeInstanceOf(UnsupportedMediaTypeError);
    const e = thrown(() => applyPatch('text/plain', live(), '{}', ctx)) as UnsupportedMediaTypeError;
    expect(e.code).toBe(415);
    expect(e.message).toMatch(/got text\/plain$/);
  });

  it('answers 415 for strategic merge patch on kinds it has no schema for (custom resources)', () => {
    const e = thrown(() => applyPatch('application/strategic-merge-patch+json', { spec: {} }, '{}', { kind: 'Widget', apiVersion: 'example.com/v1', now: ctx.now }));
    expect(e).toBeInstanceOf(UnsupportedMediaTypeError);
    // Subresource bodies are built-in kinds.
    const scale = applyPatch('application/strategic-merge-patch+json', { apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 2 } }, '{"spec":{"replicas":5}}', {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      now: ctx.now,
    });
    expect(scale).toEqual({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 5 } });
  });

  it('answers 400 with a clear message for bodies that do not parse', () => {
    const json = thrown(() => applyPatch('application/merge-patch+json', live(), '{"spec": ', ctx)) as BadRequestError;
    expect(json).toBeInstanceOf(BadRequestError);
    expect(json.message).toMatch(/^invalid JSON merge patch: /);
    const yaml = thrown(() => applyPatch('application/apply-patch+yaml', live(), 'spec: [unclosed', { ...ctx, manager: 'm' })) as BadRequestError;
    expect(yaml).toBeInstanceOf(BadRequestError);
    expect(yaml.message).toMatch(/^error decoding patch: /);
    expect(thrown(() => applyPatch('application/apply-patch+yaml', live(), '', { ...ctx, manager: 'm' }))).toBeInstanceOf(BadRequestError);
    expect(thrown(() => applyPatch('application/strategic-merge-patch+json', live(), '[1]', ctx))).toBeInstanceOf(BadRequestError);
    expect(thrown(() => applyPatch('application/json-patch+json', live(), '{"op":"add"}', ctx))).toBeInstanceOf(BadRequestError);
  });

  it('answers 422 where upstream does', () => {
    const failedTest = thrown(() => applyPatch('application/json-patch+json', live(), '[{"op":"test","path":"/spec/replicas","value":3}]', ctx));
    expect(failedTest).toBeInstanceOf(PatchApplyError);
    expect((failedTest as PatchApplyError).code).toBe(422);

    const force = thrown(() => applyPatch('application/merge-patch+json', live(), '{}', { ...ctx, force: true })) as InvalidError;
    expect(force).toBeInstanceOf(InvalidError);
    expect(force.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');

    const noManager = thrown(() => applyPatch('application/apply-patch+yaml', live(), 'apiVersion: apps/v1\nkind: Deployment\n', ctx)) as InvalidError;
    expect(noManager.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');

    const notAnObject = thrown(() => applyPatch('application/json-patch+json', live(), '[{"op":"replace","path":"","value":[1]}]', ctx)) as InvalidError;
    expect(notAnObject).toBeInstanceOf(InvalidError);
    expect(notAnObject.code).toBe(422);
  });

  it('answers 409 for apply conflicts unless forced', () => {
    const created = recordUpdate(undefined, live(), 'kubectl-create', 'apps/v1', ctx.now);
    const scaled = recordUpdate(created, { ...(created as Obj), spec: { ...(live().spec as Obj), replicas: 4 } }, 'hpa', 'apps/v1', ctx.now);
    const body = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 6\n';
    const e = thrown(() => applyPatch('application/apply-patch+yaml', scaled, body, { ...ctx, manager: 'kubectl' })) as ApplyConflictError;
    expect(e).toBeInstanceOf(ApplyConflictError);
    expect(e.code).toBe(409);
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas');
    const forced = applyPatch('application/apply-patch+yaml', scaled, body, { ...ctx, manager: 'kubectl', force: true }) as Obj;
    expect((forced.spec as Obj).replicas).toBe(6);
  });
});
