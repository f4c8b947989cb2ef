// Volumes against a real API server: a local-path claim used by a pod gets a provisioned volume on the selected node and both are Bound; deleting the claim deletes the volume and its directory; a static volume binds and is retained.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Event, PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { isStatusError } from '@keelson/api';
import { testBackends } from '@keelson/apiserver';
import type { RestClient } from '@keelson/client';
import { createNamespace, startCluster, waitFor, type TestCluster } from '../testing/cluster';

const backends = testBackends();

async function volume(client: RestClient, name: string): Promise<PersistentVolume | undefined> {
  try {
    return await client.resource('v1', 'PersistentVolume').get(name);
  } catch (e: unknown) {
    if (isStatusError(e, 'NotFound')) return undefined;
    throw e;
  }
}

function claim(name: string, namespace: string, size: string, className?: string): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...(className !== undefined ? { storageClassName: className } : {}) },
  };
}

async function events(client: RestClient, ns: string, reason: string): Promise<Event[]> {
  return (await client.resource('v1', 'Event').namespace(ns).list()).items.filter((e) => e.reason === reason);
}

describe.each(backends)('volumes on $name', ({ uri }) => {
  let cluster: TestCluster;
  let base: string;
  const classes: string[] = [];
  const volumes: string[] = [];

  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'keelson-local-path-'));
    cluster = await startCluster(uri(), { manager: { localPathDir: base, localPathNodeName: 'node-1' } });
  });

  afterAll(async () => {
    // Cluster-scoped objects outlive the namespaces: remove what the tests made.
    for (const name of classes) await cluster?.client.resource('storage.k8s.io/v1', 'StorageClass').delete(name).catch(() => undefined);
    for (const name of volumes) await cluster?.client.resource('v1', 'PersistentVolume').delete(name).catch(() => undefined);
    await cluster?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('provisions a local-path volume for a pod on its selected node, binds both, and deletes volume and directory with the claim', async () => {
    const { client, agent } = cluster;
    const ns = await createNamespace(client, 'localpath');
    const scName = `local-path-${ns}`;
    classes.push(scName);
    const sc: StorageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: scName, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'keelson.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
    };
    await client.resource('storage.k8s.io/v1', 'StorageClass').create(sc);
    const claims = client.resource('v1', 'PersistentVolumeClaim').namespace(ns);

    // No class given: the binder gives it the default one, then waits for a consumer.
    await claims.create(claim('data', ns, '2Gi'));
    await waitFor('the default class', async () => (await claims.get('data')).spec?.storageClassName === scName);
    await waitFor('the WaitForFirstConsumer event', async () => (await events(client, ns, 'WaitForFirstConsumer')).length > 0);
    expect((await claims.get('data')).status?.phase).toBe('Pending');

    await client.resource('v1', 'Pod').create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: ns },
      spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    const nodeName = await waitFor('the pod to be bound', async () => (await client.resource('v1', 'Pod').namespace(ns).get('app')).spec?.nodeName);
    expect(nodeName).toBe(agent.nodeName);
    // What the scheduler's volume binding does for a WaitForFirstConsumer claim once it has placed the pod.
    await claims.patch('data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': nodeName } } });

    const bound = await waitFor('the claim to be Bound', async () => {
      const c = await claims.get('data');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const pvName = `pvc-${bound.metadata?.uid ?? ''}`;
    volumes.push(pvName);
    expect(bound.spec?.volumeName).toBe(pvName);
    expect(bound.status).toMatchObject({ capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] });
    expect(bound.metadata?.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': 'keelson.io/local-path' });
    const pv = await waitFor('the volume to be Bound', async () => {
      const v = await volume(client, pvName);
      return v?.status?.phase === 'Bound' ? v : undefined;
    });
    const dir = path.join(base, `${pvName}_${ns}_data`);
    expect(pv.spec).toMatchObject({
      capacity: { storage: '2Gi' },
      storageClassName: scName,
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      claimRef: { namespace: ns, name: 'data', uid: bound.metadata?.uid },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] } },
    });
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('keelson.io/local-path');

    // The kubelet makes the directory (hostPath DirectoryOrCreate) and the pod writes to it.
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'state.db'), 'rows');

    await client.resource('v1', 'Pod').namespace(ns).delete('app');
    await claims.delete('data');
    await waitFor('the volume to be deleted', async () => (await volume(client, pvName)) === undefined);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(base)).toBe(true);
  });

  it('binds a claim to the smallest fitting static volume and keeps the volume Released after the claim goes (Retain)', async () => {
    const { client } = cluster;
    const ns = await createNamespace(client, 'static');
    const small = `${ns}-small`;
    const fit = `${ns}-fit`;
    volumes.push(small, fit);
    const pvs = client.resource('v1', 'PersistentVolume');
    for (const [name, size] of [
      [small, '500Mi'],
      [fit, '1Gi'],
    ] as const) {
      await pvs.create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels: { suite: ns } }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/srv/${name}` }, storageClassName: '' } });
    }
    await waitFor('the volumes to be Available', async () => (await pvs.list({ labelSelector: `suite=${ns}` })).items.every((v) => v.status?.phase === 'Available'));
    const claims = client.resource('v1', 'PersistentVolumeClaim').namespace(ns);
    await claims.create({ ...claim('db', ns, '800Mi', ''), spec: { ...claim('db', ns, '800Mi', '').spec, selector: { matchLabels: { suite: ns } } } });
    const bound = await waitFor('the claim to be Bound', async () => {
      const c = await claims.get('db');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(bound.spec?.volumeName).toBe(fit);
    expect(bound.status?.capacity).toEqual({ storage: '1Gi' });
    const v = await waitFor('the volume to be Bound', async () => {
      const x = await volume(client, fit);
      return x?.status?.phase === 'Bound' ? x : undefined;
    });
    expect(v.spec?.claimRef).toMatchObject({ namespace: ns, name: 'db', uid: bound.metadata?.uid });
    expect(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect((await volume(client, small))?.status?.phase).toBe('Available');

    await claims.delete('db');
    await waitFor('the volume to be Released', async () => (await volume(client, fit))?.status?.phase === 'Released');
    expect((await volume(client, fit))?.spec?.claimRef?.name).toBe('db');
  });
});
