// The local-path provisioner over seeded caches: the volume it creates, when it waits, which node it picks, what it refuses, and reclaim (a real directory removed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PersistentVolume } from '@keelson/api';
import { node, pv, pvc, storageClass, volumeFixture } from '../fixture';
import { NoNodeForVolumeError, removeDirectory } from './provision';

const asked = { 'volume.kubernetes.io/storage-provisioner': 'keelson.io/local-path' };
const selected = (n: string): Record<string, string> => ({ ...asked, 'volume.kubernetes.io/selected-node': n });

function created(f: ReturnType<typeof volumeFixture>): PersistentVolume {
  const a = f.api.writes().find((w) => w.verb === 'create' && w.resource === 'persistentvolumes');
  if (a === undefined) throw new Error(`no volume created: ${JSON.stringify(f.api.summary())}`);
  return a.body as PersistentVolume;
}

describe('local-path provisioning', () => {
  it('creates a hostPath volume on the selected node, pre-bound to the claim', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path', { mode: 'WaitForFirstConsumer', policy: 'Delete' }));
    f.nodes(node('node-2', true, 'host-two'));
    f.claims(pvc('data', '3Gi', { className: 'local-path', annotations: selected('node-2') }, 'shop'));
    await f.provisioner.syncProvision('shop/data');
    expect(f.api.summary()).toEqual(['create persistentvolumes']);
    const v = created(f);
    expect(v.metadata).toEqual({ name: 'pvc-uid-data', annotations: { 'pv.kubernetes.io/provisioned-by': 'keelson.io/local-path', 'pv.kubernetes.io/bound-by-controller': 'yes' } });
    expect(v.spec).toEqual({
      capacity: { storage: '3Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'local-path',
      volumeMode: 'Filesystem',
      hostPath: { path: '/var/lib/keelson/storage/pvc-uid-data_shop_data', type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-two'] }] }] } },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'shop', name: 'data', uid: 'uid-data', resourceVersion: '1' },
    });
    expect(f.recorder.events).toEqual(['Normal Provisioning External provisioner is provisioning volume for claim "shop/data"', 'Normal ProvisioningSucceeded Successfully provisioned volume pvc-uid-data']);
  });

  it('uses the configured base directory and the class reclaim policy', async () => {
    const f = volumeFixture({ baseDir: '/data/vols' });
    f.classes(storageClass('keep', { policy: 'Retain' }));
    f.nodes(node('node-1'));
    f.claims(pvc('db', '1Gi', { className: 'keep', annotations: asked }));
    await f.provisioner.syncProvision('default/db');
    expect(created(f).spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/data/vols/pvc-uid-db_default_db' } });
  });

  it('waits for a selected node under WaitForFirstConsumer, and for the binder to ask', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path', { mode: 'WaitForFirstConsumer' }));
    f.nodes(node('node-1'));
    f.claims(pvc('waiting', '1Gi', { className: 'local-path', annotations: asked }), pvc('unasked', '1Gi', { className: 'local-path', annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }));
    await f.provisioner.syncProvision('default/waiting');
    await f.provisioner.syncProvision('default/unasked');
    expect(f.api.summary()).toEqual([]);
  });

  it('ignores claims of classes with another provisioner, bound claims, and claims whose volume exists', async () => {
    const f = volumeFixture();
    f.classes(storageClass('nfs', { provisioner: 'example.com/nfs' }), storageClass('local-path'));
    f.nodes(node('node-1'));
    f.volumes(pv('pvc-uid-again', '1Gi'));
    f.claims(
      pvc('nfs', '1Gi', { className: 'nfs', annotations: { 'volume.kubernetes.io/storage-provisioner': 'example.com/nfs' } }),
      pvc('bound', '1Gi', { className: 'local-path', annotations: asked, volumeName: 'x' }),
      pvc('again', '1Gi', { className: 'local-path', annotations: asked }),
    );
    for (const k of ['default/nfs', 'default/bound', 'default/again']) await f.provisioner.syncProvision(k);
    expect(f.api.summary()).toEqual([]);
  });

  it('puts an Immediate claim on its own node when Ready, else on the first Ready node', async () => {
    const f = volumeFixture({ nodeName: 'node-b' });
    f.classes(storageClass('local-path'));
    f.nodes(node('node-c'), node('node-b'), node('node-a', false));
    f.claims(pvc('one', '1Gi', { className: 'local-path', annotations: asked }));
    await f.provisioner.syncProvision('default/one');
    expect(created(f).spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values).toEqual(['node-b']);

    const g = volumeFixture({ nodeName: 'elsewhere' });
    g.classes(storageClass('local-path'));
    g.nodes(node('node-c'), node('node-b'), node('node-a', false));
    g.claims(pvc('one', '1Gi', { className: 'local-path', annotations: asked }));
    await g.provisioner.syncProvision('default/one');
    expect(created(g).spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values).toEqual(['node-b']);
  });

  it('fails an Immediate claim with no Ready node, so it is retried', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path'));
    f.nodes(node('node-1', false));
    f.claims(pvc('one', '1Gi', { className: 'local-path', annotations: asked }));
    await expect(f.provisioner.syncProvision('default/one')).rejects.toBeInstanceOf(NoNodeForVolumeError);
    expect(f.recorder.events).toEqual(['Warning ProvisioningFailed failed to provision volume with StorageClass "local-path": no Ready node to put it on']);
  });

  it('refuses Block volumes and shared access modes', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path'));
    f.nodes(node('node-1'));
    f.claims(pvc('block', '1Gi', { className: 'local-path', annotations: asked, volumeMode: 'Block' }), pvc('rwx', '1Gi', { className: 'local-path', annotations: asked, modes: ['ReadWriteMany'] }));
    await f.provisioner.syncProvision('default/block');
    await f.provisioner.syncProvision('default/rwx');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual([
      'Warning ProvisioningFailed failed to provision volume with StorageClass "local-path": volumeMode Block is not supported, only Filesystem',
      'Warning ProvisioningFailed failed to provision volume with StorageClass "local-path": access mode ReadWriteMany is not supported, only ReadWriteOnce and ReadWriteOncePod',
    ]);
  });
});

function localVolume(name: string, dir: string, nodeName: string, o: { phase?: 'Bound' | 'Released'; policy?: 'Delete' | 'Retain' } = {}): PersistentVolume {
  const v = pv(name, '1Gi', { phase: o.phase ?? 'Released', policy: o.policy ?? 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'keelson.io/local-path' }, claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' } });
  v.spec!.hostPath = { path: dir, type: 'DirectoryOrCreate' };
  v.spec!.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] } };
  return v;
}

describe('local-path reclaim', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'keelson-localpath-'));
  });
  afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('removes the directory of a Released volume on this node, then deletes the volume', async () => {
    const f = volumeFixture({ baseDir: base, removeDir: removeDirectory });
    const dir = path.join(base, 'pvc-1_default_gone');
    fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'nested', 'data.txt'), 'precious');
    f.volumes(localVolume('pvc-1', dir, 'node-1'));
    await f.provisioner.syncDelete('pvc-1');
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(base)).toBe(true);
    expect(f.api.summary()).toEqual(['delete persistentvolumes pvc-1']);
    expect(f.api.writes()[0]!.body).toMatchObject({ preconditions: { uid: 'uid-pvc-1' } });
  });

  it('marks a volume on another node Failed and leaves its directory', async () => {
    const f = volumeFixture({ baseDir: base });
    f.volumes(localVolume('pvc-2', path.join(base, 'pvc-2_default_gone'), 'node-9'));
    await f.provisioner.syncDelete('pvc-2');
    expect(f.removed).toEqual([]);
    expect(f.api.summary()).toEqual(['update persistentvolumes/status pvc-2']);
    expect((f.api.writes()[0]!.body as PersistentVolume).status?.phase).toBe('Failed');
    expect(f.recorder.events[0]).toMatch(/^Warning VolumeFailedDelete local-path directory .* is on node node-9; this provisioner runs on node-1/);
  });

  it('never removes a path outside the base directory', async () => {
    const f = volumeFixture({ baseDir: base });
    f.volumes(localVolume('pvc-3', '/etc', 'node-1'), localVolume('pvc-4', path.join(base, '..'), 'node-1'));
    await f.provisioner.syncDelete('pvc-3');
    await f.provisioner.syncDelete('pvc-4');
    expect(f.removed).toEqual([]);
    expect(f.api.writes().map((a) => (a.body as PersistentVolume).status?.phase)).toEqual(['Failed', 'Failed']);
  });

  it('leaves Bound volumes, Retain volumes and volumes of other provisioners alone', async () => {
    const f = volumeFixture({ baseDir: base });
    const other = localVolume('pvc-7', path.join(base, 'x'), 'node-1');
    other.metadata!.annotations = { 'pv.kubernetes.io/provisioned-by': 'example.com/nfs' };
    f.volumes(localVolume('pvc-5', path.join(base, 'a'), 'node-1', { phase: 'Bound' }), localVolume('pvc-6', path.join(base, 'b'), 'node-1', { policy: 'Retain' }), other);
    for (const n of ['pvc-5', 'pvc-6', 'pvc-7']) await f.provisioner.syncDelete(n);
    expect(f.removed).toEqual([]);
    expect(f.api.summary()).toEqual([]);
  });
});
