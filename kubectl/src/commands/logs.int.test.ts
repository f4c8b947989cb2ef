// keelctl logs and exec against a real API server, which does not serve pods/log or pods/exec yet: its Status is the answer.
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

  const notServed = (sub: string): string => `Error from server (MethodNotAllowed): pods/${sub} is not served by this API server yet (it is proxied to the kubelet once nodes run pods)\n`;

  it("prints the server's Status for pods/log", async () => {
    expect(await run('logs', 'one')).toEqual({ code: 1, out: '', err: notServed('log') });
    expect(await run('logs', 'pod/one', '-c', 'app', '-f', '--previous', '--tail=20')).toEqual({ code: 1, out: '', err: notServed('log') });
  });

  it('says which container it picked when there are several', async () => {
    expect(await run('logs', 'two')).toEqual({ code: 1, out: '', err: `Defaulted container "app" out of: app, sidecar\n${notServed('log')}` });
    expect(await run('logs', 'two', '-c', 'sidecar')).toEqual({ code: 1, out: '', err: notServed('log') });
  });

  it("prints the server's Status for pods/exec", async () => {
    expect(await run('exec', 'one', '--', 'ls', '-l', '/')).toEqual({ code: 1, out: '', err: notServed('exec') });
    expect(await run('exec', 'two', '-c', 'sidecar', '--', 'env')).toEqual({ code: 1, out: '', err: notServed('exec') });
  });

  it("fails with kubectl's messages before asking for the stream", async () => {
    expect(await run('logs', 'ghost')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): pods "ghost" not found\n' });
    expect(await run('logs', 'one', '-c', 'nope')).toEqual({ code: 1, out: '', err: 'error: container nope is not valid for pod one\n' });
    expect(await run('exec', 'one')).toEqual({ code: 1, out: '', err: 'error: you must specify at least one command for the container\n' });
    expect(await run('logs', 'deployment/web')).toEqual({ code: 1, out: '', err: 'error: cannot attach to deployment/web: keelctl selects a pod by name only for now (use a pod name)\n' });
  });
});
