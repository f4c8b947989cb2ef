// Unit tests of toJson: a deep copy of plain JSON, and an error naming the path of the first value that is not JSON.
import { toJson } from './json';

describe('toJson', () => {
  it('copies plain JSON without sharing structure and drops undefined properties', () => {
    const input = { a: [1, { b: 'x', u: undefined }], c: null, d: true };
    const out = toJson(input, 'obj');
    expect(out).toEqual({ a: [1, { b: 'x' }], c: null, d: true });
    expect(Object.hasOwn((out as { a: object[] }).a[1] ?? {}, 'u')).toBe(false);
    expect((out as { a: unknown[] }).a).not.toBe(input.a);
  });

  it('names the path of a value that is not JSON', () => {
    expect(() => toJson({ spec: { containers: [{ name: 'a' }, { ports: [Number.NaN] }] } }, 'new object')).toThrow(
      'new object.spec.containers[1].ports[0]: NaN is not a JSON number',
    );
    expect(() => toJson({ metadata: { f: () => 1 } }, 'old object')).toThrow('old object.metadata.f: a function is not JSON');
  });
});
