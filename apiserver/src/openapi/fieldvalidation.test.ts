// Duplicate keys are found by path in document order; unknown fields are pruned and failed, warned or ignored as fieldValidation says.
import { BadRequestError } from '@keelson/api';
import { checkFields, scanJsonKeys, type FieldCheckOptions } from './fieldvalidation';

const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };

describe('scanJsonKeys', () => {
  it('finds duplicate keys at any depth, by path, once each, in document order', () => {
    const text = `{"metadata":{"name":"a","name":"b"},"spec":{"replicas":1,"template":{"spec":{"containers":[
      {"name":"x"},{"name":"y","image":"i","image":"j","image":"k"}]}},"replicas":2}}`;
    expect(scanJsonKeys(text).duplicates.map((d) => d.path)).toEqual([
      'metadata.name',
      'spec.template.spec.containers[1].image',
      'spec.replicas',
    ]);
  });

  it('is not fooled by braces, commas and escaped quotes inside strings, or by nested arrays', () => {
    const text = '{"a":"{\\"a\\":1,[","b":[[{"c":1}],[{"c":2,"c":3}]],"k\\"q":1,"k\\"q":2}';
    const keys = scanJsonKeys(text);
    expect(keys.duplicates.map((d) => d.path)).toEqual(['b[1][0].c', 'k"q']);
    expect([...keys.positions.keys()]).toEqual(['a', 'b', 'b[0][0].c', 'b[1][0].c', 'k"q']);
  });

  it('survives text that is not JSON', () => {
    expect(() => scanJsonKeys('{"a\\x":1, "a\\x":2, [}}]')).not.toThrow();
    expect(scanJsonKeys('').duplicates).toEqual([]);
  });

  it('handles nesting deeper than the call stack', () => {
    const depth = 50000;
    expect(scanJsonKeys(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`).duplicates).toEqual([]);
  });
});

function body(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1, nonsense: 1, template: { spec: { containers: [{ name: 'c', image: 'i', bogus: true }] } } },
  };
}

describe('checkFields', () => {
  it('Strict fails with every unknown and duplicate field, in document order, worded as Kubernetes does', () => {
    const text = '{"spec":{"replicas":1,"nonsense":1,"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i","bogus":true}]}}}}';
    const opts: FieldCheckOptions = { fieldValidation: 'Strict', bodyKeys: scanJsonKeys(text) };
    const obj = body();
    let err: unknown;
    try {
      checkFields(deployment, obj, opts, 'body');
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.nonsense", duplicate field "spec.replicas", unknown field "spec.template.spec.containers[0].bogus"',
    );
    expect(() => checkFields(deployment, body(), { fieldValidation: 'Strict' }, 'patch')).toThrow(
      /^strict decoding error: unknown field "spec.nonsense", unknown field "spec.template.spec.containers\[0\].bogus"$/,
    );
  });

  it('Warn (the default) drops the fields and warns once for each', () => {
    const warnings: string[] = [];
    const obj = body();
    checkFields(deployment, obj, { warn: (m) => warnings.push(m) }, 'body');
    expect(warnings).toEqual(['unknown field "spec.nonsense"', 'unknown field "spec.template.spec.containers[0].bogus"']);
    expect(obj['spec']).toEqual({ replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } });
  });

  it('Ignore drops the fields silently', () => {
    const warnings: string[] = [];
    const obj = body();
    checkFields(deployment, obj, { fieldValidation: 'Ignore', warn: (m) => warnings.push(m) }, 'body');
    expect(warnings).toEqual([]);
    expect(obj['spec']).not.toHaveProperty('nonsense');
  });

  it('reports at most 100 fields', () => {
    const spec: Record<string, unknown> = {};
    for (let i = 0; i < 150; i++) spec[`x${i}`] = i;
    const warnings: string[] = [];
    checkFields(deployment, { spec }, { warn: (m) => warnings.push(m) }, 'body');
    expect(warnings).toHaveLength(100);
    expect(spec).toEqual({});
  });
});
