// Tests for fieldpath.ts: FieldsV1 encoding round trips, upstream ordering and path printing.
import { FieldSet, fieldElement, keyElement, pathString, valueElement, type Path } from './fieldpath';
import type { JsonObject } from './json';

const f = fieldElement;

describe('FieldSet and FieldsV1', () => {
  it('encodes members, children and "." like upstream, keys in upstream order', () => {
    const web = keyElement([['name', 'web']]);
    const set = FieldSet.fromPaths([
      [f('spec'), f('template'), f('spec'), f('containers'), web],
      [f('spec'), f('template'), f('spec'), f('containers'), web, f('name')],
      [f('spec'), f('template'), f('spec'), f('containers'), web, f('image')],
      [f('spec'), f('replicas')],
      [f('metadata'), f('labels'), f('app')],
      [f('metadata'), f('finalizers'), valueElement('example.com/protect')],
    ]);
    const v1 = set.toFieldsV1();
    expect(JSON.stringify(v1)).toBe(
      JSON.stringify({
        'f:metadata': { 'f:finalizers': { 'v:"example.com/protect"': {} }, 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
        },
      }),
    );
    expect(FieldSet.fromFieldsV1(v1).equals(set)).toBe(true);
  });

  it('writes key fields sorted by name with Go JSON escaping', () => {
    const set = FieldSet.fromPaths([[f('ports'), keyElement([['protocol', 'TCP'], ['containerPort', 80]])], [f('a'), valueElement('<b>&')]]);
    expect(Object.keys(set.toFieldsV1()['f:ports'] as JsonObject)).toEqual(['k:{"containerPort":80,"protocol":"TCP"}']);
    expect(Object.keys(set.toFieldsV1()['f:a'] as JsonObject)).toEqual(['v:"\\u003cb\\u003e\\u0026"']);
  });

  it('orders field names bytewise, then keys, then values, then numbers before strings', () => {
    const set = FieldSet.fromPaths([[f('b')], [f('B')], [f('a')], [valueElement('x')], [valueElement(2)], [keyElement([['name', 'z']])]]);
    expect(Object.keys(set.toFieldsV1())).toEqual(['f:B', 'f:a', 'f:b', 'k:{"name":"z"}', 'v:2', 'v:"x"']);
  });

  it('ignores unknown prefixes and rejects malformed keys when decoding', () => {
    expect(FieldSet.fromFieldsV1({ 'x:whatever': {}, 'f:a': {} }).paths()).toEqual([[f('a')]]);
    expect(() => FieldSet.fromFieldsV1({ bad: {} })).toThrow(/missing colon/);
    expect(() => FieldSet.fromFieldsV1({ 'k:[1]': {} })).toThrow(/key must be a JSON object/);
  });

  it('does path-wise set algebra', () => {
    const a = FieldSet.fromPaths([[f('spec'), f('replicas')], [f('spec'), f('paused')]]);
    const b = FieldSet.fromPaths([[f('spec'), f('replicas')], [f('spec'), f('minReadySeconds')]]);
    expect(a.intersection(b).paths()).toEqual([[f('spec'), f('replicas')]]);
    expect(a.difference(b).paths()).toEqual([[f('spec'), f('paused')]]);
    expect(a.union(b).paths().map(pathString)).toEqual(['.spec.minReadySeconds', '.spec.paused', '.spec.replicas']);
    // Difference is not recursive: removing `.spec` leaves its children.
    expect(a.difference(FieldSet.fromPaths([[f('spec')]])).paths()).toHaveLength(2);
  });

  it('lists a node’s members before its children, as upstream iterates', () => {
    const set = FieldSet.fromPaths([[f('spec'), f('template'), f('x')], [f('spec'), f('replicas')], [f('kind')]]);
    expect(set.paths().map(pathString)).toEqual(['.kind', '.spec.replicas', '.spec.template.x']);
  });
});

describe('pathString', () => {
  it('prints paths as conflict messages do', () => {
    const p: Path = [f('spec'), f('template'), f('spec'), f('containers'), keyElement([['name', 'web']]), f('ports'), keyElement([['containerPort', 80], ['protocol', 'TCP']])];
    expect(pathString(p)).toBe('.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]');
    expect(pathString([f('metadata'), f('finalizers'), valueElement('a')])).toBe('.metadata.finalizers[="a"]');
  });
});
