// keelctl diff against a real API server: unified diffs of live vs a server dry-run apply, and kubectl's exit codes (0 same, 1 different, >1 failed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { frozenServerClock, normalize } from '../goldens';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

const configMap = (data: Record<string, string>, labelled = true): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n${labelled ? '  labels:\n    app: web\n' : ''}data:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('')}`;

describe.each(testBackends())('keelctl diff on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let ns: string;
  let dir: string;
  let file: string;

  const run = async (args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
    const r = await keelctl(kc.path, args, '', { env });
    return { code: r.code, out: normalize(r.out.replaceAll(dir, 'DIR')), err: normalize(r.err.replaceAll(dir, 'DIR')) };
  };
  const write = (text: string): void => writeFileSync(file, text);

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    kc = writeKubeconfig(srv.url, ns);
    dir = mkdtempSync(join(tmpdir(), 'keelctl-diff-'));
    file = join(dir, 'settings.yaml');
    expect((await run(['create', 'namespace', ns])).code).toBe(0);
  });
  afterAll(async () => {
    kc?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('shows a new object as all added lines, and exits 1', async () => {
    write(configMap({ color: 'blue' }));
    expect(await run(['diff', '-f', file])).toEqual({
      code: 1,
      out: `diff -u -N LIVE/v1.ConfigMap.kc-xxxxxxxx.settings MERGED/v1.ConfigMap.kc-xxxxxxxx.settings
--- LIVE/v1.ConfigMap.kc-xxxxxxxx.settings
+++ MERGED/v1.ConfigMap.kc-xxxxxxxx.settings
@@ -0,0 +1,14 @@
+apiVersion: v1
+data:
+  color: blue
+kind: ConfigMap
+metadata:
+  annotations:
+    kubectl.kubernetes.io/last-applied-configuration: |
+      {"apiVersion":"v1","data":{"color":"blue"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"web"},"name":"settings","namespace":"kc-xxxxxxxx"}}
+  creationTimestamp: "<time>"
+  labels:
+    app: web
+  name: settings
+  namespace: kc-xxxxxxxx
+  uid: <uid>
`,
      err: '',
    });
    expect((await run(['get', 'cm', 'settings'])).code).toBe(1);
  });

  it('is silent and exits 0 when the manifest matches the live object', async () => {
    expect((await run(['apply', '-f', file])).code).toBe(0);
    expect(await run(['diff', '-f', file])).toEqual({ code: 0, out: '', err: '' });
  });

  it('shows changed and removed fields as a unified diff of live against merged', async () => {
    write(configMap({ color: 'red', size: 'L' }, false));
    expect(await run(['diff', '-f', file])).toEqual({
      code: 1,
      out: `diff -u -N LIVE/v1.ConfigMap.kc-xxxxxxxx.settings MERGED/v1.ConfigMap.kc-xxxxxxxx.settings
--- LIVE/v1.ConfigMap.kc-xxxxxxxx.settings
+++ MERGED/v1.ConfigMap.kc-xxxxxxxx.settings
@@ -1,14 +1,13 @@
 apiVersion: v1
 data:
-  color: blue
+  color: red
+  size: L
 kind: ConfigMap
 metadata:
   annotations:
     kubectl.kubernetes.io/last-applied-configuration: |
-      {"apiVersion":"v1","data":{"color":"blue"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"web"},"name":"settings","namespace":"kc-xxxxxxxx"}}
+      {"apiVersion":"v1","data":{"color":"red","size":"L"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"settings","namespace":"kc-xxxxxxxx"}}
   creationTimestamp: "<time>"
-  labels:
-    app: web
   name: settings
   namespace: kc-xxxxxxxx
   resourceVersion: "<rv>"
`,
      err: '',
    });
    // Only a dry run: the live object is untouched.
    expect((await run(['get', 'cm', 'settings', '-o', 'jsonpath={.data.color}'])).out).toBe('blue');
  });

  it('diffs against a server-side apply with --server-side', async () => {
    write(configMap({ color: 'blue', extra: 'x' }));
    const r = await run(['diff', '-f', file, '--server-side', '--force-conflicts']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('+  extra: x\n');
    expect(r.out).not.toContain('managedFields');
  });

  it('never prints Secret values, only whether they change', async () => {
    const secret = (data: Record<string, string>): string =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n${Object.entries(data)
        .map(([k, v]) => `  ${k}: ${Buffer.from(v).toString('base64')}\n`)
        .join('')}`;
    const f = join(dir, 'secret.yaml');
    writeFileSync(f, secret({ user: 'admin', password: 'one' }));
    expect((await run(['apply', '-f', f])).code).toBe(0);
    writeFileSync(f, secret({ user: 'admin', password: 'two' }));
    const r = await run(['diff', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('-  password: "*** (before)"\n+  password: "*** (after)"\n   user: "***"\n');
    expect(r.out).not.toContain(Buffer.from('two').toString('base64'));
    expect(r.out).not.toContain(Buffer.from('one').toString('base64'));
  });

  it('runs KUBECTL_EXTERNAL_DIFF on the LIVE and MERGED directories, passing its exit code on', async () => {
    const r = await run(['diff', '-f', file], { KUBECTL_EXTERNAL_DIFF: 'diff -r -q' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Files \S+\/LIVE-\w+\/v1\.ConfigMap\.kc-xxxxxxxx\.settings and \S+\/MERGED-\w+\/v1\.ConfigMap\.kc-xxxxxxxx\.settings differ\n$/);
  });

  it('exits 2 or more when it cannot diff, with the error on stderr', async () => {
    expect(await run(['diff', '-f', join(dir, 'missing.yaml')])).toEqual({ code: 2, out: '', err: 'error: the path "DIR/missing.yaml" does not exist\n' });
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n');
    const r = await run(['diff', '-f', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^Error from server \(Invalid\): error when creating "DIR\/bad\.yaml": Deployment\.apps "bad" is invalid: spec\.replicas/);
    expect(await run(['diff'])).toEqual({ code: 2, out: '', err: 'error: must specify one of -f and -k\n' });
  });
});
