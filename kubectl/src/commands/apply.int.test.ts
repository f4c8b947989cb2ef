// keelctl apply against a real API server: create/configured/unchanged, the three-way patch, dry runs, server-side apply, namespaces and manifest errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { frozenServerClock, normalize } from '../goldens';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

const deployment = (o: { replicas?: number; image: string; env?: string[]; sidecar?: boolean }): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${o.replicas !== undefined ? `  replicas: ${o.replicas}\n` : ''}  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${o.image}
${(o.env ?? []).length > 0 ? `        env:\n${(o.env ?? []).map((e) => `        - name: ${e}\n          value: "1"\n`).join('')}` : ''}${o.sidecar ? '      - name: sidecar\n        image: envoy\n' : ''}`;

const configMap = (name: string, data: Record<string, string>, namespace?: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('')}`;

describe.each(testBackends())('keelctl apply on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let dir: string;
  let ns: string;
  let client: RestClient;

  const run = async (args: string[], stdin = ''): Promise<CliResult> => {
    const r = await keelctl(kc.path, args, stdin);
    return { code: r.code, out: normalize(r.out.replaceAll(dir, 'DIR')), err: normalize(r.err.replaceAll(dir, 'DIR')) };
  };
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const jsonpath = async (target: string, template: string): Promise<string> => (await run(['get', target, '--show-managed-fields', '-o', `jsonpath=${template}`])).out;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    kc = writeKubeconfig(srv.url, ns);
    dir = mkdtempSync(join(tmpdir(), 'keelctl-apply-'));
    client = RestClient.fromKubeconfig({ kubeconfig: kc.path });
    expect(await run(['create', 'namespace', ns])).toEqual({ code: 0, out: 'namespace/kc-xxxxxxxx created\n', err: '' });
  });
  afterAll(async () => {
    client?.close();
    kc?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('creates with the last-applied annotation, then reports unchanged', async () => {
    const f = file('cm.yaml', configMap('settings', { color: 'blue' }));
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'configmap/settings created\n', err: '' });
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'configmap/settings unchanged\n', err: '' });
    expect(await jsonpath('configmap/settings', '{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}')).toBe(
      '{"apiVersion":"v1","data":{"color":"blue"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"settings","namespace":"kc-xxxxxxxx"}}\n',
    );
  });

  it('patches three ways: changes and removals from the manifest apply, fields others set survive', async () => {
    const f = file('web.yaml', deployment({ replicas: 3, image: 'nginx:1.25', env: ['A', 'B'], sidecar: true }));
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'deployment.apps/web created\n', err: '' });
    // Someone else annotates the live object; the manifest never mentions it.
    await client.resource('apps/v1', 'Deployment').namespace(ns).patch('web', 'merge', { metadata: { annotations: { note: 'kept' } } });
    // New image, env B and the sidecar removed, replicas no longer managed by the manifest.
    file('web.yaml', deployment({ image: 'nginx:1.26', env: ['A'] }));
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'deployment.apps/web configured\n', err: '' });
    expect(
      await jsonpath('deploy/web', '{.spec.replicas} {.metadata.annotations.note}{range .spec.template.spec.containers[*]} {.name}={.image} env={.env[*].name} {.imagePullPolicy}{end}'),
    ).toBe('1 kept web=nginx:1.26 env=A IfNotPresent');
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'deployment.apps/web unchanged\n', err: '' });
  });

  it('keeps a replica count set by someone else when the manifest does not set it', async () => {
    await client.resource('apps/v1', 'Deployment').namespace(ns).scale('web', 5);
    expect(await run(['apply', '-f', join(dir, 'web.yaml')])).toEqual({ code: 0, out: 'deployment.apps/web unchanged\n', err: '' });
    expect(await jsonpath('deploy/web', '{.spec.replicas}')).toBe('5');
  });

  it('dry-runs on the client and on the server without changing anything', async () => {
    const f = file('dry.yaml', `${configMap('settings', { color: 'red' })}---\n${configMap('fresh', { a: 'b' })}`);
    expect(await run(['apply', '-f', f, '--dry-run=client'])).toEqual({ code: 0, out: 'configmap/settings configured (dry run)\nconfigmap/fresh created (dry run)\n', err: '' });
    expect(await run(['apply', '-f', f, '--dry-run=server'])).toEqual({ code: 0, out: 'configmap/settings configured (server dry run)\nconfigmap/fresh created (server dry run)\n', err: '' });
    expect(await jsonpath('cm/settings', '{.data.color}')).toBe('blue');
    expect(await run(['get', 'cm', 'fresh'])).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): configmaps "fresh" not found\n' });
    expect((await run(['apply', '-f', f, '--dry-run=maybe'])).err).toBe('error: Invalid dry-run value (maybe). Must be "none", "server", or "client".\n');
  });

  it('applies server-side with a field manager, reports conflicts, and takes fields over with --force-conflicts', async () => {
    const f = file('ssa.yaml', configMap('ssa', { k: 'v' }));
    expect(await run(['apply', '-f', f, '--server-side', '--field-manager=ci'])).toEqual({ code: 0, out: 'configmap/ssa serverside-applied\n', err: '' });
    expect(await jsonpath('cm/ssa', '{.metadata.managedFields[*].manager}')).toBe('ci');
    expect(await run(['apply', '-f', f, '--server-side', '--dry-run=server'])).toEqual({ code: 0, out: 'configmap/ssa serverside-applied (server dry run)\n', err: '' });

    file('ssa.yaml', configMap('ssa', { k: 'changed' }));
    expect(await run(['apply', '-f', f, '--server-side'])).toEqual({
      code: 1,
      out: '',
      err: `error: Apply failed with 1 conflict: conflict with "ci": .data.k
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
    });
    expect(await run(['apply', '-f', f, '--server-side', '--force-conflicts'])).toEqual({ code: 0, out: 'configmap/ssa serverside-applied\n', err: '' });
    expect(await jsonpath('cm/ssa', '{.data.k} {.metadata.managedFields[*].manager}')).toBe('changed kubectl');
    expect((await run(['apply', '-f', f, '--force-conflicts'])).err).toBe('error: --force-conflicts only works with --server-side\n');
    expect((await run(['apply', '-f', f, '--server-side', '--dry-run=client'])).err).toBe("error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)\n");
  });

  it('defaults namespaces, ignores -n for cluster-scoped kinds, and refuses a manifest namespace -n contradicts', async () => {
    const other = uniqueName('other');
    const f = file('mixed.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${other}\n---\n${configMap('in-other', { x: 'y' }, other)}---\n${configMap('in-default', { x: 'y' })}`);
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'namespace/other-xxxxxxxx created\nconfigmap/in-other created\nconfigmap/in-default created\n', err: '' });
    expect(await run(['get', 'cm', 'in-other', '-n', other, '-o', 'name'])).toEqual({ code: 0, out: 'configmap/in-other\n', err: '' });
    expect(await run(['get', 'cm', 'in-default', '-o', 'name'])).toEqual({ code: 0, out: 'configmap/in-default\n', err: '' });
    expect(await run(['apply', '-f', f, '-n', ns])).toEqual({
      code: 1,
      out: '',
      err: `error: the namespace from the provided object "other-xxxxxxxx" does not match the namespace "kc-xxxxxxxx". You must pass '--namespace=other-xxxxxxxx' to perform this operation.\n`,
    });
    await client.resource('v1', 'Namespace').delete(other);
  });

  it('reads directories (-R), stdin and JSON, and prints -o name', async () => {
    file('tree/a.yaml', configMap('tree-a', { n: '1' }));
    file('tree/sub/b.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tree-b' } }));
    file('tree/readme.md', '# not a manifest');
    expect(await run(['apply', '-f', join(dir, 'tree')])).toEqual({ code: 0, out: 'configmap/tree-a created\n', err: '' });
    expect(await run(['apply', '-R', '-f', join(dir, 'tree'), '-o', 'name'])).toEqual({ code: 0, out: 'configmap/tree-a\nconfigmap/tree-b\n', err: '' });
    expect(await run(['apply', '-f', '-'], configMap('from-stdin', { s: 't' }))).toEqual({ code: 0, out: 'configmap/from-stdin created\n', err: '' });
  });

  it('names the file, document and line of a YAML error, and applies nothing from that file', async () => {
    const f = file('bad.yaml', `${configMap('good', { a: 'b' })}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: x\n`);
    expect(await run(['apply', '-f', f])).toEqual({ code: 1, out: '', err: 'error: error parsing DIR/bad.yaml: document 2: yaml: line 12: bad indentation of a mapping entry\n' });
    expect((await run(['get', 'cm', 'good'])).code).toBe(1);
  });

  it('reports unknown kinds, missing files and missing -f', async () => {
    const f = file('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    expect(await run(['apply', '-f', f])).toEqual({
      code: 1,
      out: '',
      err: 'error: resource mapping not found for name: "w" namespace: "" from "DIR/widget.yaml": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n',
    });
    expect(await run(['apply', '-f', join(dir, 'missing.yaml')])).toEqual({ code: 1, out: '', err: 'error: the path "DIR/missing.yaml" does not exist\n' });
    expect(await run(['apply'])).toEqual({ code: 1, out: '', err: 'error: must specify one of -f and -k\n' });
  });

  it('goes on past an object the server rejects, naming its file, and exits 1', async () => {
    const f = file('partial.yaml', `${deployment({ replicas: -1, image: 'nginx' }).replace('name: web', 'name: broken')}---\n${configMap('after-broken', { a: 'b' })}`);
    const r = await run(['apply', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('configmap/after-broken created\n');
    expect(r.err).toMatch(/^Error from server \(Invalid\): error when creating "DIR\/partial\.yaml": Deployment\.apps "broken" is invalid: spec\.replicas: Invalid value: -1: .*\n$/);
  });

  it('warns when the live object was not created by apply, and adds the annotation', async () => {
    await client.resource('v1', 'ConfigMap').namespace(ns).create({ metadata: { name: 'imperative' }, data: { a: '1' } });
    const f = file('imperative.yaml', configMap('imperative', { a: '2' }));
    expect(await run(['apply', '-f', f])).toEqual({
      code: 0,
      out: 'configmap/imperative configured\n',
      err: 'Warning: resource configmaps/imperative is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by keelctl apply. keelctl apply should only be used on resources created declaratively by either keelctl create --save-config or keelctl apply. The missing annotation will be patched automatically.\n',
    });
    expect(await run(['apply', '-f', f])).toEqual({ code: 0, out: 'configmap/imperative unchanged\n', err: '' });
  });
});
