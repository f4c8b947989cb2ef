// keelctl create against a real API server: namespace, deployment, job and configmap generators, create -f, dry runs and -o.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { frozenServerClock, normalize } from '../goldens';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

describe.each(testBackends())('keelctl create on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let ns: string;
  let dir: string;

  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await keelctl(kc.path, args);
    return { code: r.code, out: normalize(r.out.replaceAll(dir, 'DIR')), err: normalize(r.err.replaceAll(dir, 'DIR')) };
  };
  const jsonpath = async (target: string, template: string): Promise<string> => (await run('get', target, '-o', `jsonpath=${template}`)).out;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    kc = writeKubeconfig(srv.url, ns);
    dir = mkdtempSync(join(tmpdir(), 'keelctl-create-'));
  });
  afterAll(async () => {
    kc?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('creates a namespace, and refuses a second one by the same name', async () => {
    expect(await run('create', 'namespace', ns)).toEqual({ code: 0, out: 'namespace/kc-xxxxxxxx created\n', err: '' });
    expect(await run('create', 'ns', ns)).toEqual({ code: 1, out: '', err: 'Error from server (AlreadyExists): namespaces "kc-xxxxxxxx" already exists\n' });
  });

  it('prints the generated deployment with --dry-run=client -o yaml, as kubectl scaffolds it', async () => {
    expect(await run('create', 'deployment', 'web', '--image=registry.example.com/team/nginx:1.25', '--replicas=3', '--port=80', '--dry-run=client', '-o', 'yaml')).toEqual({
      code: 0,
      out: `apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: registry.example.com/team/nginx:1.25
        name: nginx
        ports:
        - containerPort: 80
        resources: {}
status: {}
`,
      err: '',
    });
    expect((await run('get', 'deploy', 'web')).code).toBe(1);
  });

  it('creates a deployment in the namespace, with its replicas, labels and port', async () => {
    expect(await run('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '--port=8080')).toEqual({ code: 0, out: 'deployment.apps/web created\n', err: '' });
    expect(await jsonpath('deploy/web', '{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].ports[0].containerPort}')).toBe(
      '2 web nginx 8080',
    );
    expect(await run('create', 'deploy', 'multi', '--image=nginx', '--image=redis', '--dry-run=server', '-o', 'name')).toEqual({ code: 0, out: 'deployment.apps/multi\n', err: '' });
    expect((await run('create', 'deployment', 'noimage')).err).toBe('error: required flag(s) "image" not set\n');
    expect((await run('create', 'deployment', 'bad', '--image=x', '--replicas=two')).err).toBe('error: invalid argument "two" for "--replicas" flag: strconv.ParseInt: parsing "two": invalid syntax\n');
  });

  it('creates a job running the command after --', async () => {
    expect(await run('create', 'job', 'pi', '--image=busybox', '--dry-run=client', '-o', 'yaml', '--', 'sh', '-c', 'echo 3.14')).toEqual({
      code: 0,
      out: `apiVersion: batch/v1
kind: Job
metadata:
  creationTimestamp: null
  name: pi
spec:
  template:
    metadata:
      creationTimestamp: null
    spec:
      containers:
      - command:
        - sh
        - "-c"
        - echo 3.14
        image: busybox
        name: pi
        resources: {}
      restartPolicy: Never
status: {}
`,
      err: '',
    });
    expect(await run('create', 'job', 'pi', '--image=busybox', '--', 'date')).toEqual({ code: 0, out: 'job.batch/pi created\n', err: '' });
    expect(await jsonpath('job/pi', '{.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].command}')).toBe('Never ["date"]');
    expect((await run('create', 'job', 'noimage')).err).toBe('error: --image must be specified\n');
  });

  it('creates a config map from literals and files', async () => {
    const f = join(dir, 'app.properties');
    writeFileSync(f, 'a=1\n');
    expect(await run('create', 'configmap', 'cfg', '--from-literal=color=blue', '--from-literal=size=L', `--from-file=${f}`, `--from-file=renamed=${f}`)).toEqual({
      code: 0,
      out: 'configmap/cfg created\n',
      err: '',
    });
    expect(await run('get', 'cm', 'cfg', '-o', 'jsonpath={.data}')).toEqual({ code: 0, out: '{"color":"blue","size":"L","app.properties":"a=1\\n","renamed":"a=1\\n"}', err: '' });
    expect((await run('create', 'cm', 'bad', '--from-literal=novalue')).err).toBe('error: invalid literal source novalue, expected key=value\n');
    expect((await run('create', 'cm', 'dup', '--from-literal=a=1', '--from-literal=a=2')).err).toBe('error: cannot add key a, another key by that name already exists in Data for ConfigMap "dup"\n');
  });

  it('creates from a file, naming the file when an object exists already, and saves the config on request', async () => {
    const f = join(dir, 'objects.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 80\n');
    expect(await run('create', '-f', f, '--save-config')).toEqual({ code: 0, out: 'configmap/from-file created\nservice/svc created\n', err: '' });
    expect(await jsonpath('cm/from-file', '{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}')).toBe(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"annotations":{},"name":"from-file","namespace":"kc-xxxxxxxx"}}\n',
    );
    expect(await run('create', '-f', f)).toEqual({
      code: 1,
      out: '',
      err: 'Error from server (AlreadyExists): error when creating "DIR/objects.yaml": configmaps "from-file" already exists\nError from server (AlreadyExists): error when creating "DIR/objects.yaml": services "svc" already exists\n',
    });
    expect(await run('create')).toEqual({ code: 1, out: '', err: 'error: must specify one of -f and -k\n' });
  });

  it('puts the object in the -n namespace, and prints it with -o', async () => {
    const other = uniqueName('other');
    expect((await run('create', 'namespace', other)).code).toBe(0);
    expect(await run('create', 'configmap', 'elsewhere', '--from-literal=a=b', '-n', other, '-o', 'jsonpath={.metadata.namespace}/{.metadata.name}')).toEqual({
      code: 0,
      out: 'other-xxxxxxxx/elsewhere',
      err: '',
    });
  });
});
