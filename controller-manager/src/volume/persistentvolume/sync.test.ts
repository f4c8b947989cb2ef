// The binder's syncClaim and syncVolume over seeded caches: binding writes, pre-binding, default class, delayed binding, provisioning requests, release, reclaim, lost claims.
import type { PersistentVolume, PersistentVolumeClaim } from '@keelson/api';
import { pv, pvc, storageClass, volumeFixture } from '../fixture';

function body<T>(f: ReturnType<typeof volumeFixture>, summary: string): T {
  const i = f.api.summary().indexOf(summary);
  if (i < 0) throw new Error(`no "${summary}" in ${JSON.stringify(f.api.summary())}`);
  return f.api.writes()[i]!.body as T;
}

describe('syncClaim', () => {
  it('binds a claim to the smallest fitting volume: claimRef, phases, volumeName, annotations, status', async () => {
    const f = volumeFixture();
    f.volumes(pv('big', '10Gi'), pv('fit', '2Gi'), pv('small', '1Gi'));
    f.claims(pvc('data', '2Gi'));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual([
      'update persistentvolumes fit',
      'update persistentvolumes/status fit',
      'update persistentvolumeclaims default/data',
      'update persistentvolumeclaims/status default/data',
    ]);
    const volume = body<PersistentVolume>(f, 'update persistentvolumes fit');
    expect(volume.spec?.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data' });
    expect(volume.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect(body<PersistentVolume>(f, 'update persistentvolumes/status fit').status?.phase).toBe('Bound');
    const claim = body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/data');
    expect(claim.spec?.volumeName).toBe('fit');
    expect(claim.metadata?.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims/status default/data').status).toEqual({ phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] });
  });

  it('binds a claim that names its volume without marking the claim as bound by the controller', async () => {
    const f = volumeFixture();
    f.volumes(pv('chosen', '5Gi'), pv('smaller', '1Gi'));
    f.claims(pvc('data', '1Gi', { volumeName: 'chosen' }));
    await f.binder.syncClaim('default/data');
    expect(body<PersistentVolume>(f, 'update persistentvolumes chosen').spec?.claimRef?.name).toBe('data');
    const claim = body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/data');
    expect(claim.metadata?.annotations?.['pv.kubernetes.io/bind-completed']).toBe('yes');
    expect(claim.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();
  });

  it('refuses a named volume that does not fit, with the reason', async () => {
    const f = volumeFixture();
    f.volumes(pv('tiny', '1Gi'));
    f.claims(pvc('data', '2Gi', { volumeName: 'tiny' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual(['Warning FailedBinding Cannot bind to requested volume "tiny": requested PV is too small']);
  });

  it('refuses a named volume already bound to another claim', async () => {
    const f = volumeFixture();
    f.volumes(pv('taken', '5Gi', { phase: 'Bound', claimRef: { namespace: 'default', name: 'other', uid: 'uid-other' } }));
    f.claims(pvc('data', '1Gi', { volumeName: 'taken' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual(['Warning FailedBinding volume "taken" already bound to a different claim.']);
  });

  it('takes a volume the user pre-bound to the claim; the volume is not marked bound by the controller', async () => {
    const f = volumeFixture();
    f.volumes(pv('fit', '1Gi'), pv('reserved', '3Gi', { claimRef: { namespace: 'default', name: 'data' } }));
    f.claims(pvc('data', '1Gi'));
    await f.binder.syncClaim('default/data');
    const volume = body<PersistentVolume>(f, 'update persistentvolumes reserved');
    expect(volume.spec?.claimRef?.uid).toBe('uid-data');
    expect(volume.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();
    expect(body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/data').spec?.volumeName).toBe('reserved');
  });

  it('leaves a claim Pending with an event when nothing fits and it has no class', async () => {
    const f = volumeFixture();
    f.volumes(pv('small', '1Gi'));
    f.claims(pvc('data', '2Gi', { className: '' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual(['Normal FailedBinding no persistent volumes available for this claim and no storage class is set']);
  });

  it('gives a claim without any class the default StorageClass (the newest of several), but not a claim asking for ""', async () => {
    const f = volumeFixture();
    f.classes(storageClass('old-default', { isDefault: true, created: '2024-01-01T00:00:00Z' }), storageClass('new-default', { isDefault: true, created: '2024-03-01T00:00:00Z' }), storageClass('other'));
    f.claims(pvc('data', '1Gi'), pvc('none', '1Gi', { className: '' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual(['update persistentvolumeclaims default/data']);
    expect(body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/data').spec?.storageClassName).toBe('new-default');
    f.api.clearActions();
    await f.binder.syncClaim('default/none');
    expect(f.api.summary()).toEqual([]);
  });

  it('binds a static volume before defaulting the class', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path', { isDefault: true }));
    f.volumes(pv('static', '1Gi'));
    f.claims(pvc('data', '1Gi'));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()[0]).toBe('update persistentvolumes static');
  });

  it('waits for the first consumer under WaitForFirstConsumer, even with a matching volume', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path', { mode: 'WaitForFirstConsumer' }));
    f.volumes(pv('static', '1Gi', { className: 'local-path' }));
    f.claims(pvc('data', '1Gi', { className: 'local-path' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual([]);
    expect(f.recorder.events).toEqual(['Normal WaitForFirstConsumer waiting for first consumer to be created before binding']);
  });

  it('asks the provisioner once a node is selected (or at once for Immediate): annotations and an event', async () => {
    const f = volumeFixture();
    f.classes(storageClass('local-path', { mode: 'WaitForFirstConsumer' }), storageClass('now', { provisioner: 'example.com/nfs' }));
    f.claims(pvc('data', '1Gi', { className: 'local-path', annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }), pvc('nfs', '1Gi', { className: 'now' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual(['update persistentvolumeclaims default/data']);
    expect(body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/data').metadata?.annotations).toMatchObject({
      'volume.kubernetes.io/storage-provisioner': 'keelson.io/local-path',
      'volume.beta.kubernetes.io/storage-provisioner': 'keelson.io/local-path',
    });
    expect(f.recorder.events[0]).toMatch(/^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'keelson.io\/local-path'/);
    f.api.clearActions();
    await f.binder.syncClaim('default/nfs');
    expect(body<PersistentVolumeClaim>(f, 'update persistentvolumeclaims default/nfs').metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('example.com/nfs');
  });

  it('reports a class that does not exist', async () => {
    const f = volumeFixture();
    f.claims(pvc('data', '1Gi', { className: 'missing' }));
    await f.binder.syncClaim('default/data');
    expect(f.recorder.events).toEqual(['Warning ProvisioningFailed storageclass.storage.k8s.io "missing" not found']);
  });

  it('marks a bound claim Lost when its volume is gone, and one whose volume is bound elsewhere as misbound', async () => {
    const f = volumeFixture();
    const bound = { 'pv.kubernetes.io/bind-completed': 'yes' };
    f.volumes(pv('elsewhere', '1Gi', { phase: 'Bound', claimRef: { namespace: 'default', name: 'other', uid: 'uid-other' } }));
    f.claims(pvc('orphan', '1Gi', { volumeName: 'gone', annotations: bound, phase: 'Bound' }), pvc('wrong', '1Gi', { volumeName: 'elsewhere', annotations: bound, phase: 'Bound' }));
    await f.binder.syncClaim('default/orphan');
    await f.binder.syncClaim('default/wrong');
    expect(f.api.summary()).toEqual(['update persistentvolumeclaims/status default/orphan', 'update persistentvolumeclaims/status default/wrong']);
    expect(f.api.writes().map((a) => (a.body as PersistentVolumeClaim).status?.phase)).toEqual(['Lost', 'Lost']);
    expect(f.recorder.events).toEqual([
      'Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!',
      'Warning ClaimMisbound Two claims are bound to the same volume, this one is bound incorrectly',
    ]);
  });

  it('finishes a half-done binding: claim annotated but its volume lost the claimRef', async () => {
    const f = volumeFixture();
    f.volumes(pv('v', '1Gi', { phase: 'Available' }));
    f.claims(pvc('data', '1Gi', { volumeName: 'v', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' }, phase: 'Bound' }));
    await f.binder.syncClaim('default/data');
    expect(f.api.summary()).toEqual(['update persistentvolumes v', 'update persistentvolumes/status v', 'update persistentvolumeclaims/status default/data']);
    expect((f.api.writes()[2]!.body as PersistentVolumeClaim).status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'] });
  });
});

describe('syncVolume', () => {
  it('makes a new volume without a claim Available', async () => {
    const f = volumeFixture();
    f.volumes(pv('new', '1Gi', { phase: 'Pending' }), pv('reserved', '1Gi', { phase: 'Pending', claimRef: { namespace: 'default', name: 'later' } }));
    await f.binder.syncVolume('new');
    await f.binder.syncVolume('reserved');
    expect(f.api.writes().map((a) => [a.name, (a.body as PersistentVolume).status?.phase])).toEqual([
      ['new', 'Available'],
      ['reserved', 'Available'],
    ]);
  });

  it('releases a volume whose claim was deleted and keeps it under Retain', async () => {
    const f = volumeFixture();
    f.volumes(pv('kept', '1Gi', { phase: 'Bound', policy: 'Retain', claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' } }));
    await f.binder.syncVolume('kept');
    expect(f.api.summary()).toEqual(['update persistentvolumes/status kept']);
    expect((f.api.writes()[0]!.body as PersistentVolume).status?.phase).toBe('Released');
    expect(f.api.actions.some((a) => a.verb === 'get' && a.resource === 'persistentvolumeclaims')).toBe(true);
  });

  it('releases a volume whose claim was replaced by a new one of the same name', async () => {
    const f = volumeFixture();
    f.volumes(pv('v', '1Gi', { phase: 'Bound', claimRef: { namespace: 'default', name: 'data', uid: 'uid-first' } }));
    f.claims(pvc('data', '1Gi', { uid: 'uid-second' }));
    await f.binder.syncVolume('v');
    expect((f.api.writes()[0]!.body as PersistentVolume).status?.phase).toBe('Released');
  });

  it('does not release a volume whose claim is missing from the cache but exists', async () => {
    const f = volumeFixture();
    f.volumes(pv('v', '1Gi', { phase: 'Bound', claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } }));
    f.api.seed(pvc('data', '1Gi', { volumeName: 'v', phase: 'Bound' }));
    await f.binder.syncVolume('v');
    expect(f.api.summary()).toEqual([]);
  });

  it('marks a released static volume with policy Delete Failed: nothing here can delete its storage', async () => {
    const f = volumeFixture();
    f.volumes(pv('static', '1Gi', { phase: 'Released', policy: 'Delete', claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' } }));
    await f.binder.syncVolume('static');
    expect(f.api.summary()).toEqual(['update persistentvolumes/status static']);
    expect((f.api.writes()[0]!.body as PersistentVolume).status).toMatchObject({ phase: 'Failed', message: expect.stringContaining('no deletable volume plugin matched') });
    expect(f.recorder.events[0]).toMatch(/^Warning VolumeFailedDelete/);
  });

  it('leaves a released provisioned volume with policy Delete to its provisioner', async () => {
    const f = volumeFixture();
    f.volumes(pv('pvc-1', '1Gi', { phase: 'Bound', policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'keelson.io/local-path' }, claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' } }));
    await f.binder.syncVolume('pvc-1');
    expect(f.api.summary()).toEqual(['update persistentvolumes/status pvc-1']);
    expect((f.api.writes()[0]!.body as PersistentVolume).status?.phase).toBe('Released');
  });

  it('sets Bound on a volume whose claim points back at it', async () => {
    const f = volumeFixture();
    f.volumes(pv('v', '1Gi', { phase: 'Available', claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } }));
    f.claims(pvc('data', '1Gi', { volumeName: 'v', phase: 'Bound' }));
    await f.binder.syncVolume('v');
    expect((f.api.writes()[0]!.body as PersistentVolume).status?.phase).toBe('Bound');
  });

  it('unbinds a volume it bound to a claim that went to another volume', async () => {
    const f = volumeFixture();
    f.volumes(pv('v', '1Gi', { phase: 'Bound', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' }, claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } }));
    f.claims(pvc('data', '1Gi', { volumeName: 'other', phase: 'Bound' }));
    await f.binder.syncVolume('v');
    expect(f.api.summary()).toEqual(['update persistentvolumes v', 'update persistentvolumes/status v']);
    const updated = f.api.writes()[0]!.body as PersistentVolume;
    expect(updated.spec?.claimRef).toBeUndefined();
    expect(updated.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();
    expect((f.api.writes()[1]!.body as PersistentVolume).status?.phase).toBe('Available');
  });
});
