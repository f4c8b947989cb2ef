// keelctl api-resources against a real API server: discovery, filters and output formats.
import { testBackends } from '@keelson/apiserver';
import { keelctl } from '../testing';
import { startCluster, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl api-resources on $name', ({ uri }) => {
  let k: TestCluster;
  const run = (...args: string[]) => keelctl(k.kubeconfig, ['api-resources', ...args]);

  beforeAll(async () => {
    k = await startCluster(uri(), 'apires');
  });
  afterAll(async () => {
    await k?.stop();
  });

  it('lists every served resource, core first, then by group and name', async () => {
    const r = await run();
    expect(r).toMatchObject({ code: 0, err: '' });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('NAME                     SHORTNAMES   APIVERSION               NAMESPACED   KIND');
    expect(lines[1]).toBe('configmaps               cm           v1                       true         ConfigMap');
    expect(lines).toContain('deployments              deploy       apps/v1                  true         Deployment');
    expect(lines).toContain('leases                                coordination.k8s.io/v1   true         Lease');
    // No subresources (pods/status, deployments/scale) in the list.
    expect(lines.filter((l) => (l.split(' ')[0] ?? '').includes('/'))).toEqual([]);
    const groups = lines.slice(1, -1).map((l) => (l.split(/\s+/).find((c) => /^(v1|[a-z0-9.]+\/v1)$/.test(c)) ?? '?').replace(/\/?v1$/, ''));
    expect(groups).not.toContain('?');
    expect(groups).toEqual([...groups].sort());
  });

  it('filters by group and scope, as a table', async () => {
    expect(await run('--api-group=apps')).toEqual({
      code: 0,
      err: '',
      out: [
        'NAME                  SHORTNAMES   APIVERSION   NAMESPACED   KIND',
        'controllerrevisions                apps/v1      true         ControllerRevision',
        'daemonsets            ds           apps/v1      true         DaemonSet',
        'deployments           deploy       apps/v1      true         Deployment',
        'replicasets           rs           apps/v1      true         ReplicaSet',
        'statefulsets          sts          apps/v1      true         StatefulSet',
        '',
      ].join('\n'),
    });
    expect(await run('--namespaced=false', '--no-headers')).toEqual({
      code: 0,
      err: '',
      out: [
        'namespaces          ns    v1                  false   Namespace',
        'nodes               no    v1                  false   Node',
        'persistentvolumes   pv    v1                  false   PersistentVolume',
        'storageclasses      sc    storage.k8s.io/v1   false   StorageClass',
        '',
      ].join('\n'),
    });
  });

  it('adds verbs and categories with -o wide, and prints resource.group with -o name', async () => {
    expect(await run('-o', 'wide', '--api-group=batch', '--sort-by=kind')).toEqual({
      code: 0,
      err: '',
      out: [
        'NAME       SHORTNAMES   APIVERSION   NAMESPACED   KIND      VERBS                                                        CATEGORIES',
        'cronjobs   cj           batch/v1     true         CronJob   create,delete,deletecollection,get,list,patch,update,watch   all',
        'jobs                    batch/v1     true         Job       create,delete,deletecollection,get,list,patch,update,watch   all',
        '',
      ].join('\n'),
    });
    expect(await run('-o', 'name', '--namespaced=false')).toEqual({ code: 0, err: '', out: 'namespaces\nnodes\npersistentvolumes\nstorageclasses.storage.k8s.io\n' });
    expect(await run('-o', 'name', '--api-group=apps', '--verbs=get,watch')).toMatchObject({ code: 0, out: 'controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n' });
    expect(await run('-o', 'name', '--verbs=deletecollection', '--namespaced=false')).toMatchObject({ out: 'nodes\npersistentvolumes\nstorageclasses.storage.k8s.io\n' });
  });

  it("fails with kubectl's messages", async () => {
    expect(await run('-o', 'yaml')).toEqual({ code: 1, out: '', err: 'error: unable to match a printer suitable for the output format "yaml", allowed formats are: name,wide\n' });
    expect(await run('--sort-by=size')).toEqual({ code: 1, out: '', err: 'error: --sort-by accepts only name or kind\n' });
    expect(await run('--namespaced=maybe')).toEqual({ code: 1, out: '', err: 'error: invalid argument "maybe" for "--namespaced" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n' });
  });
});
