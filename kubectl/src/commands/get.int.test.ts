// keelctl get against a real API server: server Tables as kubectl prints them, every -o format, selectors, errors and -w.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { frozenClientClock, frozenServerClock, normalize } from '../goldens';
import { runKeelctl } from '../main';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

const objects = `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels:
    app: web
    tier: fe
spec:
  containers:
  - name: web
    image: nginx:1.25
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  labels:
    app: db
spec:
  containers:
  - name: db
    image: postgres:16
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  # Asked for, so the tables below can print it (an allocated one would be random).
  clusterIP: 10.96.250.7
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
`;

describe.each(testBackends())('keelctl get on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let ns: string;
  let dir: string;
  let client: RestClient;

  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await keelctl(kc.path, args);
    return { code: r.code, out: normalize(r.out), err: normalize(r.err) };
  };
  const table = (...lines: string[]): string => `${lines.join('\n')}\n`;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    kc = writeKubeconfig(srv.url, ns);
    dir = mkdtempSync(join(tmpdir(), 'keelctl-get-'));
    client = RestClient.fromKubeconfig({ kubeconfig: kc.path });
    expect((await run('create', 'namespace', ns)).code).toBe(0);
    expect((await keelctl(kc.path, ['apply', '-f', '-'], objects)).code).toBe(0);
  });
  afterAll(async () => {
    client?.close();
    kc?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('prints the server Table with upper-case headers, aligned as kubectl aligns it', async () => {
    expect(await run('get', 'pods')).toEqual({
      code: 0,
      out: table('NAME    READY   STATUS    RESTARTS   AGE', 'db-0    0/1     Pending   0          0s', 'web-1   0/1     Pending   0          0s'),
      err: '',
    });
    expect((await run('get', 'po', '--no-headers')).out).toBe(table('db-0    0/1   Pending   0     0s', 'web-1   0/1   Pending   0     0s'));
  });

  it('shows priority-1 columns only with -o wide', async () => {
    expect((await run('get', 'pods', '-o', 'wide')).out).toBe(
      table(
        'NAME    READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES',
        'db-0    0/1     Pending   0          0s    <none>   <none>   <none>           <none>',
        'web-1   0/1     Pending   0          0s    <none>   <none>   <none>           <none>',
      ),
    );
  });

  it('adds label columns with --show-labels and -L', async () => {
    expect((await run('get', 'pods', '--show-labels')).out).toBe(
      table('NAME    READY   STATUS    RESTARTS   AGE   LABELS', 'db-0    0/1     Pending   0          0s    app=db', 'web-1   0/1     Pending   0          0s    app=web,tier=fe'),
    );
    expect((await run('get', 'pods', '-L', 'app', '-L', 'tier')).out).toBe(
      table('NAME    READY   STATUS    RESTARTS   AGE   APP   TIER', 'db-0    0/1     Pending   0          0s    db    ', 'web-1   0/1     Pending   0          0s    web   fe'),
    );
  });

  it('filters with -l and --field-selector, and adds NAMESPACE with -A', async () => {
    expect((await run('get', 'pods', '-l', 'app=web')).out).toBe(table('NAME    READY   STATUS    RESTARTS   AGE', 'web-1   0/1     Pending   0          0s'));
    expect((await run('get', 'pods', '--field-selector', 'metadata.name=db-0')).out).toBe(table('NAME   READY   STATUS    RESTARTS   AGE', 'db-0   0/1     Pending   0          0s'));
    expect((await run('get', 'pods', '-A', '-l', 'tier=fe', '--field-selector', `metadata.namespace=${ns}`)).out).toBe(
      table('NAMESPACE     NAME    READY   STATUS    RESTARTS   AGE', 'kc-xxxxxxxx   web-1   0/1     Pending   0          0s'),
    );
  });

  it('prints several kinds as separate tables with kind/name, and get all', async () => {
    expect((await run('get', 'deploy,svc')).out).toBe(
      table(
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/web   0/2     0            0           0s',
        '',
        'NAME          TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE',
        'service/web   ClusterIP   10.96.250.7   <none>        80/TCP    0s',
      ),
    );
    expect((await run('get', 'all')).out).toBe(
      table(
        'NAME        READY   STATUS    RESTARTS   AGE',
        'pod/db-0    0/1     Pending   0          0s',
        'pod/web-1   0/1     Pending   0          0s',
        '',
        'NAME          TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE',
        'service/web   ClusterIP   10.96.250.7   <none>        80/TCP    0s',
        '',
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/web   0/2     0            0           0s',
      ),
    );
    expect((await run('get', 'pods/web-1', 'deploy/web')).out).toBe(
      table('NAME        READY   STATUS    RESTARTS   AGE', 'pod/web-1   0/1     Pending   0          0s', '', 'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE', 'deployment.apps/web   0/2     0            0           0s'),
    );
  });

  it('prints one object as yaml and a list as json, without managedFields', async () => {
    expect(await run('get', 'pod', 'web-1', '-o', 'yaml')).toEqual({
      code: 0,
      out: `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"web","tier":"fe"},"name":"web-1","namespace":"kc-xxxxxxxx"},"spec":{"containers":[{"image":"nginx:1.25","name":"web"}]}}
  creationTimestamp: "<time>"
  generation: 1
  labels:
    app: web
    tier: fe
  name: web-1
  namespace: kc-xxxxxxxx
  resourceVersion: "<rv>"
  uid: <uid>
spec:
  containers:
  - image: nginx:1.25
    imagePullPolicy: IfNotPresent
    name: web
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  priority: 0
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  terminationGracePeriodSeconds: 30
status:
  phase: Pending
  qosClass: BestEffort
`,
      err: '',
    });
    expect((await run('get', 'cm', '-o', 'json')).out).toBe(`{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "data": {
                "color": "blue"
            },
            "kind": "ConfigMap",
            "metadata": {
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"color\\":\\"blue\\"},\\"kind\\":\\"ConfigMap\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"settings\\",\\"namespace\\":\\"kc-xxxxxxxx\\"}}\\n"
                },
                "creationTimestamp": "<time>",
                "name": "settings",
                "namespace": "kc-xxxxxxxx",
                "resourceVersion": "<rv>",
                "uid": "<uid>"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
`);
    expect((await run('get', 'cm', 'settings', '-o', 'yaml', '--show-managed-fields')).out).toContain('managedFields:\n  - apiVersion: v1\n');
  });

  it('prints names, jsonpath templates and custom columns', async () => {
    expect((await run('get', 'pods', '-o', 'name')).out).toBe('pod/db-0\npod/web-1\n');
    expect((await run('get', 'deploy', 'web', '-o', 'name')).out).toBe('deployment.apps/web\n');
    expect((await run('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')).out).toBe('db-0 web-1');
    expect((await run('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[0].image}{"\\n"}{end}')).out).toBe('db-0\tpostgres:16\nweb-1\tnginx:1.25\n');
    expect((await run('get', 'pod', 'web-1', '-o', 'jsonpath={.metadata.labels.tier}')).out).toBe('fe');
    const template = join(dir, 'names.jsonpath');
    writeFileSync(template, '{range .items[*]}- {.metadata.name}\n{end}');
    expect((await run('get', 'pods', '-o', `jsonpath-file=${template}`)).out).toBe('- db-0\n- web-1\n');
    expect((await run('get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName')).out).toBe(
      table('NAME    IMAGES        NODE', 'db-0    postgres:16   <none>', 'web-1   nginx:1.25    <none>'),
    );
    const columns = join(dir, 'columns.txt');
    writeFileSync(columns, 'NAME          PHASE\nmetadata.name status.phase\n');
    expect((await run('get', 'pods', '-o', `custom-columns-file=${columns}`)).out).toBe(table('NAME    PHASE', 'db-0    Pending', 'web-1   Pending'));
  });

  it('says so on stderr when nothing is found, naming the namespace for namespaced kinds', async () => {
    expect(await run('get', 'cm', '-l', 'nothing=here')).toEqual({ code: 0, out: '', err: 'No resources found in kc-xxxxxxxx namespace.\n' });
    expect(await run('get', 'nodes', '-l', 'nothing=here')).toEqual({ code: 0, out: '', err: 'No resources found\n' });
    expect(await run('get', 'cm', '-l', 'nothing=here', '-o', 'json')).toEqual({
      code: 0,
      out: '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
      err: '',
    });
  });

  it('reports missing objects as the server names them, still printing the ones found', async () => {
    expect(await run('get', 'pods', 'web-1', 'missing')).toEqual({
      code: 1,
      out: table('NAME    READY   STATUS    RESTARTS   AGE', 'web-1   0/1     Pending   0          0s'),
      err: 'Error from server (NotFound): pods "missing" not found\n',
    });
    expect(await run('get', 'deploy', 'missing', 'gone')).toEqual({
      code: 1,
      out: '',
      err: 'Error from server (NotFound): deployments.apps "missing" not found\nError from server (NotFound): deployments.apps "gone" not found\n',
    });
    expect(await run('get', 'pods', 'missing', '--ignore-not-found')).toEqual({ code: 0, out: '', err: '' });
  });

  it('refuses unknown types, missing types and unknown output formats', async () => {
    expect(await run('get', 'foo')).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type "foo"\n' });
    expect(await run('get', 'pods,foo')).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type "foo"\n' });
    expect(await run('get')).toEqual({ code: 1, out: '', err: 'error: you must specify the type of resource to get. Use "keelctl api-resources" for a complete list of supported resources.\n' });
    expect((await run('get', 'pods', '-o', 'bogus')).err).toMatch(/^error: unable to match a printer suitable for the output format "bogus", allowed formats are: /);
    expect((await run('get', 'pods', 'web-1', '-l', 'app=web')).err).toBe('error: name cannot be provided when a selector is specified\n');
  });

  it('follows changes with -w, one aligned row per change, until the request timeout', async () => {
    let out = '';
    const waiters: { lines: number; resolve: () => void }[] = [];
    const lines = (): number => out.split('\n').length - 1;
    const wake = (): void => {
      for (const w of waiters.splice(0)) {
        if (lines() >= w.lines) w.resolve();
        else waiters.push(w);
      }
    };
    const done: Promise<number> = runKeelctl(['get', 'configmaps', '-w', '--output-watch-events', '--request-timeout=4s'], {
      out: {
        write: (s) => {
          out += s;
          wake();
        },
      },
      err: { write: (s) => (out += `[err] ${s}`) },
      env: { KUBECONFIG: kc.path },
      stdin: () => Promise.resolve(''),
      clock: frozenClientClock,
    });
    // Resolves once the output has `n` lines, or the command has ended (the last expect then shows what it printed).
    const printed = (n: number): Promise<unknown> =>
      Promise.race([
        new Promise<void>((resolve) => {
          if (lines() >= n) resolve();
          else waiters.push({ lines: n, resolve });
        }),
        done,
      ]);
    await printed(2); // header and the listing
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    await cms.create({ metadata: { name: 'watched' }, data: { a: '1' } });
    await printed(3);
    await cms.patch('watched', 'merge', { data: { b: '2' } });
    await printed(4);
    await cms.delete('watched');
    await printed(5);
    expect(await done).toBe(0);
    expect(normalize(out)).toBe(
      table(
        // Column widths only grow, as with kubectl's remembering tabwriter: MODIFIED widens EVENT.
        'EVENT   NAME       DATA   AGE',
        'ADDED   settings   1      0s',
        'ADDED   watched    1      0s',
        'MODIFIED   watched    2      0s',
        'DELETED    watched    2      0s',
      ),
    );
  });
});
