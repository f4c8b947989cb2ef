// keelctl delete against a real API server: by name, file, selector and --all; cascade policies, grace periods, dry runs, waiting, and errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { frozenServerClock, normalize } from '../goldens';
import { keelctl, writeKubeconfig, type CliResult } from '../testing';

describe.each(testBackends())('keelctl delete on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };
  let ns: string;
  let dir: string;
  let client: RestClient;

  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await keelctl(kc.path, args);
    return { code: r.code, out: normalize(r.out.replaceAll(dir, 'DIR')), err: normalize(r.err.replaceAll(dir, 'DIR')) };
  };
  const configMaps = (...names: string[]): Promise<unknown> =>
    Promise.all(names.map((name) => client.resource('v1', 'ConfigMap').namespace(ns).create({ metadata: { name, labels: { group: name.split('-')[0] ?? '' } } })));
  const exists = async (target: string): Promise<boolean> => (await run('get', target, '-o', 'name')).code === 0;
  const jsonpath = async (target: string, template: string): Promise<string> => (await run('get', target, '-o', `jsonpath=${template}`)).out;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup, { clock: frozenServerClock });
    ns = uniqueName('kc');
    kc = writeKubeconfig(srv.url, ns);
    dir = mkdtempSync(join(tmpdir(), 'keelctl-delete-'));
    client = RestClient.fromKubeconfig({ kubeconfig: kc.path });
    expect((await run('create', 'namespace', ns)).code).toBe(0);
  });
  afterAll(async () => {
    client?.close();
    kc?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('deletes by TYPE NAME… and TYPE/NAME, waiting until gone', async () => {
    await configMaps('a-1', 'a-2', 'a-3');
    expect(await run('delete', 'configmap', 'a-1', 'a-2')).toEqual({ code: 0, out: 'configmap "a-1" deleted\nconfigmap "a-2" deleted\n', err: '' });
    expect(await run('delete', 'cm/a-3', '-o', 'name')).toEqual({ code: 0, out: 'configmap/a-3\n', err: '' });
    expect(await exists('cm/a-1')).toBe(false);
  });

  it('reports missing objects, unless --ignore-not-found', async () => {
    await configMaps('b-1');
    expect(await run('delete', 'deploy', 'nope', 'gone')).toEqual({
      code: 1,
      out: '',
      err: 'Error from server (NotFound): deployments.apps "nope" not found\nError from server (NotFound): deployments.apps "gone" not found\n',
    });
    expect(await run('delete', 'cm', 'nope', 'b-1')).toEqual({ code: 1, out: 'configmap "b-1" deleted\n', err: 'Error from server (NotFound): configmaps "nope" not found\n' });
    expect(await run('delete', 'cm', 'nope', '--ignore-not-found')).toEqual({ code: 0, out: '', err: '' });
  });

  it('deletes what a file names, naming the file in errors', async () => {
    await configMaps('f-1');
    const f = join(dir, 'objects.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f-1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f-2\n');
    expect(await run('delete', '-f', f)).toEqual({
      code: 1,
      out: 'configmap "f-1" deleted\n',
      err: 'Error from server (NotFound): error when deleting "DIR/objects.yaml": configmaps "f-2" not found\n',
    });
  });

  it('deletes by label selector and --all', async () => {
    await configMaps('s-1', 's-2', 't-1');
    expect(await run('delete', 'cm', '-l', 'group=s')).toEqual({ code: 0, out: 'configmap "s-1" deleted\nconfigmap "s-2" deleted\n', err: '' });
    expect(await run('delete', 'cm', '-l', 'group=none')).toEqual({ code: 0, out: 'No resources found\n', err: '' });
    expect(await run('delete', 'cm', '--all')).toEqual({ code: 0, out: 'configmap "t-1" deleted\n', err: '' });
  });

  it('dry-runs on the client and the server', async () => {
    await configMaps('d-1');
    expect(await run('delete', 'cm', 'd-1', '--dry-run=client')).toEqual({ code: 0, out: 'configmap "d-1" deleted (dry run)\n', err: '' });
    expect(await run('delete', 'cm', 'd-1', '--dry-run=server')).toEqual({ code: 0, out: 'configmap "d-1" deleted (server dry run)\n', err: '' });
    expect(await exists('cm/d-1')).toBe(true);
  });

  it('passes the cascade policy, and gives up waiting after --timeout', async () => {
    const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
    const spec = { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } };
    await deployments.create({ metadata: { name: 'orphaned' }, spec });
    await deployments.create({ metadata: { name: 'foreground' }, spec });
    await deployments.create({ metadata: { name: 'waited' }, spec });
    // With no garbage collector running, the propagation finalizers stay: they show what was asked for.
    expect(await run('delete', 'deploy', 'orphaned', '--cascade=orphan', '--wait=false')).toEqual({ code: 0, out: 'deployment.apps "orphaned" deleted\n', err: '' });
    expect(await jsonpath('deploy/orphaned', '{.metadata.finalizers}')).toBe('["orphan"]');
    expect(await run('delete', 'deploy', 'foreground', '--cascade=foreground', '--wait=false')).toEqual({ code: 0, out: 'deployment.apps "foreground" deleted\n', err: '' });
    expect(await jsonpath('deploy/foreground', '{.metadata.finalizers}')).toBe('["foregroundDeletion"]');
    expect(await run('delete', 'deploy', 'waited', '--cascade=orphan', '--timeout=300ms')).toEqual({
      code: 1,
      out: 'deployment.apps "waited" deleted\n',
      err: 'error: timed out waiting for the condition on deployments/waited\n',
    });
    expect((await run('delete', 'deploy', 'waited', '--cascade=sideways')).err).toBe('error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan".\n');
    expect(await run('delete', 'deploy', 'waited', '--cascade=false', '--wait=false')).toEqual({
      code: 0,
      out: 'deployment.apps "waited" deleted\n',
      err: 'warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n',
    });
  });

  it('waits until a finalizer lets the object go', async () => {
    const cms = client.resource('v1', 'ConfigMap').namespace(ns);
    const held = await cms.create({ metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    let finished = false;
    const deleting = run('delete', 'cm', 'held').finally(() => (finished = true));
    // Once the deletion is under way, release the finalizer; the command must only return after that.
    let released = false;
    for await (const e of cms.watch({ name: 'held', resourceVersion: held.metadata?.resourceVersion ?? '' })) {
      if (e.type === 'MODIFIED' && e.object.metadata?.deletionTimestamp !== undefined) {
        await cms.get('held'); // a round trip in which a command that did not wait would have returned
        expect(finished).toBe(false);
        await cms.patch('held', 'merge', { metadata: { finalizers: null } });
        released = true;
        break;
      }
    }
    expect(released).toBe(true);
    expect(await deleting).toEqual({ code: 0, out: 'configmap "held" deleted\n', err: '' });
    expect(await exists('cm/held')).toBe(false);
  });

  it('deletes a running pod gracefully, or at once with --grace-period=0 --force', async () => {
    const pods = client.resource('v1', 'Pod').namespace(ns);
    await pods.create({ metadata: { name: 'p' }, spec: { nodeName: 'some-node', containers: [{ name: 'c', image: 'busybox' }] } });
    expect(await run('delete', 'pod', 'p', '--wait=false', '--grace-period=45')).toEqual({ code: 0, out: 'pod "p" deleted\n', err: '' });
    expect(await jsonpath('pod/p', '{.metadata.deletionGracePeriodSeconds}')).toBe('45');
    expect(await run('delete', 'pod', 'p', '--grace-period=0', '--force')).toEqual({
      code: 0,
      out: 'pod "p" force deleted\n',
      err: 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    });
    expect(await exists('pod/p')).toBe(false);
    expect((await run('delete', 'pod', 'p', '--force', '--grace-period=5')).err).toBe('error: --force and --grace-period greater than 0 cannot be specified together\n');
    expect((await run('delete', 'pod', 'p', '--now', '--grace-period=5')).err).toBe('error: --now and --grace-period cannot be specified together\n');
  });

  it('warns when -n scopes a delete of cluster-scoped objects', async () => {
    const other = uniqueName('gone');
    await client.resource('v1', 'Namespace').create({ metadata: { name: other } });
    expect(await run('delete', 'namespace', other, '-n', ns, '--wait=false')).toEqual({
      code: 0,
      out: 'namespace "gone-xxxxxxxx" deleted\n',
      err: 'warning: deleting cluster-scoped resources, not scoped to the provided namespace\n',
    });
  });

  it('refuses ambiguous or incomplete requests', async () => {
    expect((await run('delete', 'cm')).err).toBe('error: resource(s) were provided, but no name was specified\n');
    expect((await run('delete')).err).toMatch(/^error: You must provide one or more resources by argument or filename\.\n/);
    expect((await run('delete', 'cm', '--all', '-l', 'a=b')).err).toBe('error: cannot set --all and --selector at the same time\n');
    expect((await run('delete', 'cm', 'x', '-o', 'yaml')).err).toBe("error: unexpected -o output mode: yaml. We only support '-o name'\n");
    expect((await run('delete', 'widgets', 'x')).err).toBe('error: the server doesn\'t have a resource type "widgets"\n');
  });
});
