// keelctl scale against a real API server: the scale subresource, preconditions and kubectl's errors.
import { testBackends } from '@keelson/apiserver';
import { keelctl } from '../testing';
import { daemonSet, deployment, replicaSet, statefulSet } from '../ops/fixtures';
import { startCluster, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl scale on $name', ({ uri }) => {
  let k: TestCluster;

  beforeAll(async () => {
    k = await startCluster(uri(), 'scale');
    const d = await k.client.resource('apps/v1', 'Deployment').namespace(k.namespace).create(deployment('web', 1));
    await k.client.resource('apps/v1', 'ReplicaSet').namespace(k.namespace).create(replicaSet(d, 'abc12', 1, 'nginx:1.25'));
    await k.client.resource('apps/v1', 'StatefulSet').namespace(k.namespace).create(statefulSet('db'));
    await k.client.resource('apps/v1', 'DaemonSet').namespace(k.namespace).create(daemonSet('logs'));
  });
  afterAll(async () => {
    await k?.stop();
  });

  const replicas = async (kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet', name: string): Promise<number | undefined> =>
    (await k.client.resource('apps/v1', kind).namespace(k.namespace).get(name)).spec?.replicas;

  it('scales a deployment through /scale', async () => {
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--replicas=3'])).toEqual({ code: 0, out: 'deployment.apps/web scaled\n', err: '' });
    expect(await replicas('Deployment', 'web')).toBe(3);
  });

  it('scales replica sets and stateful sets, by TYPE NAME too', async () => {
    expect(await keelctl(k.kubeconfig, ['scale', 'rs', 'web-abc12', '--replicas', '4'])).toEqual({ code: 0, out: 'replicaset.apps/web-abc12 scaled\n', err: '' });
    expect(await keelctl(k.kubeconfig, ['scale', 'sts/db', '--replicas=0'])).toEqual({ code: 0, out: 'statefulset.apps/db scaled\n', err: '' });
    expect(await replicas('ReplicaSet', 'web-abc12')).toBe(4);
    expect(await replicas('StatefulSet', 'db')).toBe(0);
  });

  it('scales several objects in one call', async () => {
    const r = await keelctl(k.kubeconfig, ['scale', 'deploy/web', 'statefulset/db', '--replicas=2']);
    expect(r).toEqual({ code: 0, out: 'deployment.apps/web scaled\nstatefulset.apps/db scaled\n', err: '' });
  });

  it('checks --current-replicas before scaling', async () => {
    await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--replicas=2']);
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--current-replicas=2', '--replicas=5'])).toEqual({ code: 0, out: 'deployment.apps/web scaled\n', err: '' });
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--current-replicas=2', '--replicas=1'])).toEqual({ code: 1, out: '', err: 'error: Expected replicas to be 2, was 5\n' });
    expect(await replicas('Deployment', 'web')).toBe(5);
  });

  it('checks --resource-version before scaling', async () => {
    const r = await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--resource-version=1', '--replicas=1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: Expected resource version to be 1, was \d+\n$/);
  });

  it("fails with kubectl's messages", async () => {
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web'])).toEqual({ code: 1, out: '', err: 'error: required flag(s) "replicas" not set\n' });
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--replicas=-1'])).toEqual({
      code: 1,
      out: '',
      err: 'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n',
    });
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/web', '--replicas=x'])).toEqual({
      code: 1,
      out: '',
      err: 'error: invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": invalid syntax\n',
    });
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment/nope', '--replicas=1'])).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
    expect(await keelctl(k.kubeconfig, ['scale', '--replicas=1'])).toEqual({ code: 1, out: '', err: 'error: You must provide one or more resources by argument or filename.\n' });
    expect(await keelctl(k.kubeconfig, ['scale', 'deployment', '--replicas=1'])).toEqual({ code: 1, out: '', err: 'error: resource(s) were provided, but no name was specified\n' });
    expect(await keelctl(k.kubeconfig, ['scale', 'frob/x', '--replicas=1'])).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type "frob"\n' });
  });

  it('answers NotFound for a kind without a scale subresource', async () => {
    expect(await keelctl(k.kubeconfig, ['scale', 'daemonset/logs', '--replicas=2'])).toEqual({
      code: 1,
      out: '',
      err: 'Error from server (NotFound): the server could not find the requested resource\n',
    });
  });
});
