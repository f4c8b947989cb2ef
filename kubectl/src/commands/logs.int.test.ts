// keelctl logs and exec against a real API server with pods no node runs: upstream's answers for unscheduled pods and bad requests.
import { testBackends } from '@keelson/apiserver';
import type { Pod } from '@keelson/api';
import { keelctl } from '../testing';
import { deployment, pod } from '../ops/fixtures';
import { startCluster, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl logs and exec on $name', ({ uri }) => {
  let k: TestCluster;
  const run = (...args: string[]) => keelctl(k.kubeconfig, args);

  beforeAll(async () => {
    k = await startCluster(uri(), 'logs');
    const pods = k.client.resource('v1', 'Pod').namespace(k.namespace);
    await pods.create(pod('one'));
    const two: Pod = pod('two');
    two.spec?.containers.push({ name: 'sidecar', image: 'envoy:1' });
    await pods.create(two);
    await k.client.resource('apps/v1', 'Deployment').namespace(k.namespace).create(deployment('web'));
  });
  afterAll(async () => {
    await k?.stop();
  });

  const noHost = (name: string): string => `Error from server (BadRequest): pod ${name} does not have a host assigned\n`;

  it('prints an empty log for a pod no node runs yet (as upstream, which has no location for it)', async () => {
    expect(await run('logs', 'one')).toEqual({ code: 0, out: '', err: '' });
    expect(await run('logs', 'pod/one', '-c', 'app', '-f', '--previous', '--tail=20')).toEqual({ code: 0, out: '', err: '' });
  });

  it('says which container it picked when there are several', async () => {
    expect(await run('logs', 'two')).toEqual({ code: 0, out: '', err: 'Defaulted container "app" out of: app, sidecar\n' });
    expect(await run('logs', 'two', '-c', 'sidecar')).toEqual({ code: 0, out: '', err: '' });
  });

  it("prints the server's Status for pods/exec of an unscheduled pod", async () => {
    expect(await run('exec', 'one', '--', 'ls', '-l', '/')).toEqual({ code: 1, out: '', err: noHost('one') });
    expect(await run('exec', 'two', '-c', 'sidecar', '--', 'env')).toEqual({ code: 1, out: '', err: noHost('two') });
    expect(await run('attach', 'two', '-c', 'sidecar')).toEqual({ code: 1, out: '', err: noHost('two') });
  });

  it("fails with kubectl's messages before asking for the stream", async () => {
    expect(await run('logs', 'ghost')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): pods "ghost" not found\n' });
    expect(await run('logs', 'one', '-c', 'nope')).toEqual({ code: 1, out: '', err: 'error: container nope is not valid for pod one\n' });
    expect(await run('exec', 'one')).toEqual({ code: 1, out: '', err: 'error: you must specify at least one command for the container\n' });
    expect(await run('logs', 'deployment/web')).toEqual({ code: 1, out: '', err: 'error: no pods found for deployment/web\n' });
    expect(await run('logs', 'configmap/x')).toEqual({ code: 1, out: '', err: 'error: cannot attach to configmap/x: selecting a pod of a ConfigMap is not supported\n' });
  });
});
