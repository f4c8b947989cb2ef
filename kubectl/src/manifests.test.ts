// Unit tests for reading manifests: documents, Lists, directories, namespaces, and errors that name file, document and line.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from './context';
import { expandPaths, loadManifests, parseManifestText, splitDocuments } from './manifests';

/** Just what the loader asks of a context: the namespace, whether -n was given, stdin. */
function fakeContext(namespace = 'default', explicit = false, stdin = ''): CommandContext {
  return { namespace: () => namespace, namespaceExplicit: () => explicit, stdin: () => Promise.resolve(stdin) } as unknown as CommandContext;
}

const cm = (name: string, ns?: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}data:\n  k: v\n`;

describe('splitDocuments', () => {
  it('splits at --- lines (comments allowed after them) and drops empty documents, keeping start lines', () => {
    const docs = splitDocuments(`---\n${cm('a')}--- # next\n# only a comment\n---\n${cm('b')}`);
    expect(docs.map((d) => d.startLine)).toEqual([1, 10]);
    expect(docs[1]?.text).toContain('name: b');
  });

  it('does not split at --- inside a line', () => {
    expect(splitDocuments('a: "x --- y"\nb: ---\n')).toHaveLength(1);
  });
});

describe('parseManifestText', () => {
  it('names the file, the document and the file line of a YAML error', () => {
    const text = `${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n data: x\n`;
    expect(() => parseManifestText(text, 'app.yaml')).toThrow('error parsing app.yaml: document 2: yaml: line 12: bad indentation of a mapping entry');
  });

  it('reads JSON, and names the line of a JSON error', () => {
    expect(parseManifestText('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}', 'x.json')[0]?.value).toMatchObject({ kind: 'ConfigMap' });
    expect(() => parseManifestText('{\n  "a": 1,\n  "b" 2\n}\n', 'x.json')).toThrow('error parsing x.json: document 1: json: line 3: Unexpected number');
  });

  it('refuses a document that is not an object', () => {
    expect(() => parseManifestText('- a\n- b\n', 'l.yaml')).toThrow('error parsing l.yaml: document 1: yaml: line 1: the document is a list, not an object');
  });

  it('keeps strings that look like other types as YAML 1.2 core reads them', () => {
    expect(parseManifestText('a: "1"\nb: 1\nc: 2024-01-01T00:00:00Z\nd: yes\n', 'x')[0]?.value).toEqual({ a: '1', b: 1, c: '2024-01-01T00:00:00Z', d: 'yes' });
  });
});

describe('loadManifests', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelctl-manifests-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a directory in name order, recursing only with -R, and flattens Lists', async () => {
    writeFileSync(join(dir, 'b.yaml'), cm('b'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}')] }));
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'c.yml'), cm('c'));
    expect(expandPaths(dir, false).map((p) => p.slice(dir.length + 1))).toEqual(['a.json', 'b.yaml']);
    const all = await loadManifests(fakeContext(), { filenames: [dir], recursive: true });
    expect(all.map((m) => `${m.info.kind}/${m.name}@${m.namespace ?? '-'}`)).toEqual(['Namespace/n@-', 'ConfigMap/b@default', 'ConfigMap/c@default']);
  });

  it('reads stdin for -', async () => {
    expect(await loadManifests(fakeContext('team'), { filenames: ['-'], recursive: false })).toEqual([]);
    const got = await loadManifests(fakeContext('team', false, cm('s')), { filenames: ['-'], recursive: false });
    expect(got.map((x) => [x.source, x.namespace, x.object['metadata']])).toEqual([['STDIN', 'team', { name: 's', namespace: 'team' }]]);
  });

  it('refuses a manifest namespace that disagrees with an explicit -n, as kubectl does', async () => {
    writeFileSync(join(dir, 'x.yaml'), cm('x', 'prod'));
    await expect(loadManifests(fakeContext('dev', true), { filenames: [join(dir, 'x.yaml')], recursive: false })).rejects.toThrow(
      `the namespace from the provided object "prod" does not match the namespace "dev". You must pass '--namespace=prod' to perform this operation.`,
    );
    const [m] = await loadManifests(fakeContext('dev', false), { filenames: [join(dir, 'x.yaml')], recursive: false });
    expect(m?.namespace).toBe('prod');
  });

  it('reports missing files, missing kinds and unknown kinds', async () => {
    await expect(loadManifests(fakeContext(), { filenames: [join(dir, 'nope.yaml')], recursive: false })).rejects.toThrow(`the path "${join(dir, 'nope.yaml')}" does not exist`);
    writeFileSync(join(dir, 'k.yaml'), 'metadata:\n  name: k\n');
    await expect(loadManifests(fakeContext(), { filenames: [join(dir, 'k.yaml')], recursive: false })).rejects.toThrow('document 1: error validating data: [apiVersion not set, kind not set]');
    writeFileSync(join(dir, 'u.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    await expect(loadManifests(fakeContext(), { filenames: [join(dir, 'u.yaml')], recursive: false })).rejects.toThrow('no matches for kind "Widget" in version "example.com/v1"');
  });
});
