// Tests for jsonpatch.ts: RFC 6902 operations on Kubernetes objects and the 400/413/422 split the API server uses.
import { BadRequestError } from '@keelson/api';
import { PatchApplyError, TooManyOperationsError } from './errors';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, parseJsonPatch, parsePointer } from './jsonpatch';
import type { Json, JsonObject } from './json';

const deployment = (): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '42', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
          { name: 'log', image: 'busybox:1.36', args: ['tail', '-f', '/var/log/app.log'] },
        ],
      },
    },
  },
});

const patch = (doc: Json, ops: Json): Json => applyJsonPatch(doc, parseJsonPatch(ops));

function applyError(doc: Json, ops: Json): PatchApplyError {
  try {
    patch(doc, ops);
  } catch (e: unknown) {
    if (e instanceof PatchApplyError) return e;
    throw e;
  }
  throw new Error('expected the patch to fail');
}

describe('parsePointer', () => {
  it('splits and unescapes ~1 and ~0 in that order', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/metadata/annotations/example.com~1a~0b')).toEqual(['metadata', 'annotations', 'example.com/a~b']);
    expect(parsePointer('/a/~01')).toEqual(['a', '~1']);
    expect(parsePointer('/')).toEqual(['']);
  });

  it('rejects pointers that do not start with / and bad escapes', () => {
    expect(() => parsePointer('spec/replicas')).toThrow(PatchApplyError);
    expect(applyError({ a: 1 }, [{ op: 'remove', path: '/a~2b' }]).detail).toBe('invalid JSON pointer "/a~2b": "~" must be followed by 0 or 1');
    expect(() => parsePointer('/a~')).toThrow(PatchApplyError);
  });
});

describe('applyJsonPatch', () => {
  it('replaces the image of one container and keeps the other', () => {
    const live = deployment();
    const out = patch(live, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }]) as JsonObject;
    const containers = ((out.spec as JsonObject).template as JsonObject).spec as JsonObject;
    expect(containers.containers).toEqual([
      { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
      { name: 'log', image: 'busybox:1.36', args: ['tail', '-f', '/var/log/app.log'] },
    ]);
    // The input is not touched.
    expect(live).toEqual(deployment());
  });

  it('adds an annotation whose key contains a slash via ~1', () => {
    const out = patch(deployment(), [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }]) as JsonObject;
    expect((out.metadata as JsonObject).labels).toEqual({ app: 'web', 'app.kubernetes.io/name': 'web' });
  });

  it('appends with - and inserts at an index', () => {
    const out = patch(deployment(), [
      { op: 'add', path: '/spec/template/spec/containers/1/args/-', value: '--follow' },
      { op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'init-ish', image: 'alpine' } },
    ]) as JsonObject;
    const spec = ((out.spec as JsonObject).template as JsonObject).spec as { containers: JsonObject[] };
    expect(spec.containers.map((c) => c.name)).toEqual(['init-ish', 'web', 'log']);
    expect(spec.containers[2]!.args).toEqual(['tail', '-f', '/var/log/app.log', '--follow']);
  });

  it('removes, moves and copies', () => {
    const out = patch(deployment(), [
      { op: 'remove', path: '/metadata/resourceVersion' },
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'move', from: '/spec/template/spec/containers/1', path: '/spec/template/spec/containers/0' },
    ]) as JsonObject;
    expect(out.metadata).toEqual({ name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { app: 'web' } });
    const spec = ((out.spec as JsonObject).template as JsonObject).spec as { containers: JsonObject[] };
    expect(spec.containers.map((c) => c.name)).toEqual(['log', 'web']);
  });

  it('copies deeply: changing the copy leaves the source alone', () => {
    const out = patch(deployment(), [
      { op: 'copy', from: '/spec/selector', path: '/spec/template/metadata/selectorCopy' },
      { op: 'replace', path: '/spec/template/metadata/selectorCopy/matchLabels/app', value: 'other' },
    ]) as JsonObject;
    expect((out.spec as JsonObject).selector).toEqual({ matchLabels: { app: 'web' } });
  });

  it('guards an update with test (optimistic concurrency on resourceVersion)', () => {
    const ok = patch(deployment(), [
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ]) as JsonObject;
    expect((ok.spec as JsonObject).replicas).toBe(5);

    const e = applyError(deployment(), [
      { op: 'test', path: '/metadata/resourceVersion', value: '41' },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ]);
    // Upstream answers 422 Invalid with a generic message; the detail travels as a cause.
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe('the server rejected our request due to an error in our request');
    expect(e.detail).toBe('testing value /metadata/resourceVersion failed: test failed');
    expect(e.toStatus().details?.causes).toEqual([{ message: 'testing value /metadata/resourceVersion failed: test failed' }]);
  });

  it('compares structurally in test, ignoring key order', () => {
    expect(() => patch(deployment(), [{ op: 'test', path: '/spec/selector', value: { matchLabels: { app: 'web' } } }])).not.toThrow();
    expect(() => patch(deployment(), [{ op: 'test', path: '/spec/replicas', value: '2' }])).toThrow(PatchApplyError);
  });

  it('lets test of null pass for an absent member, as upstream does', () => {
    expect(() => patch(deployment(), [{ op: 'test', path: '/metadata/deletionTimestamp', value: null }])).not.toThrow();
    expect(() => patch(deployment(), [{ op: 'test', path: '/metadata/deletionTimestamp', value: 'x' }])).toThrow(PatchApplyError);
  });

  it('counts negative indices from the end, as upstream does', () => {
    const out = patch({ items: ['a', 'b', 'c'] }, [
      { op: 'remove', path: '/items/-1' },
      { op: 'add', path: '/items/-1', value: 'z' },
    ]);
    expect(out).toEqual({ items: ['a', 'b', 'z'] });
  });

  it('replaces the whole document with path ""', () => {
    expect(patch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });

  it('fails with 422 on paths that are not there', () => {
    expect(applyError(deployment(), [{ op: 'remove', path: '/metadata/annotations' }]).detail).toBe('Unable to remove nonexistent key: annotations: missing value');
    expect(applyError(deployment(), [{ op: 'replace', path: '/spec/paused', value: true }]).detail).toMatch(/^replace operation does not apply: doc is missing key: \/spec\/paused/);
    expect(applyError(deployment(), [{ op: 'add', path: '/status/conditions/0', value: {} }]).detail).toMatch(/^add operation does not apply: doc is missing path/);
    expect(applyError(deployment(), [{ op: 'replace', path: '/spec/template/spec/containers/2/image', value: 'x' }]).detail).toMatch(/index 2 is out of range/);
    expect(applyError(deployment(), [{ op: 'move', from: '/spec/template', path: '/spec/template/spec' }]).detail).toMatch(/into its own child/);
    expect(applyError(deployment(), [{ op: 'copy', from: '/nope', path: '/x' }]).detail).toMatch(/missing from path/);
  });

  it('fails with 422 on unknown ops and missing fields', () => {
    expect(applyError({}, [{ op: 'increment', path: '/a' }]).detail).toBe('Unexpected kind: increment');
    expect(applyError({}, [{ op: 'add', path: '/a' }]).detail).toBe('add operation, missing value field');
    expect(applyError({}, [{ op: 'remove' }]).detail).toBe('remove operation, missing path field');
  });

  it('applies nothing when one operation fails (all or nothing)', () => {
    const live = deployment();
    expect(() => patch(live, [{ op: 'replace', path: '/spec/replicas', value: 9 }, { op: 'remove', path: '/nope' }])).toThrow(PatchApplyError);
    expect((live.spec as JsonObject).replicas).toBe(2);
  });
});

describe('parseJsonPatch', () => {
  it('rejects bodies that are not arrays of objects with 400', () => {
    expect(() => parseJsonPatch({ op: 'add' })).toThrow(BadRequestError);
    expect(() => parseJsonPatch([{ op: 'add', path: '/a', value: 1 }, 'oops'])).toThrow(/operation 1 must be a JSON object/);
  });

  it('rejects more operations than the server accepts with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    try {
      parseJsonPatch(ops);
      throw new Error('expected a failure');
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(TooManyOperationsError);
      expect((e as TooManyOperationsError).code).toBe(413);
      expect((e as TooManyOperationsError).message).toBe('Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
    }
  });
});
