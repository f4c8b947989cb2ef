// Tests for ConfigMap, Secret, ServiceAccount, PersistentVolume and PersistentVolumeClaim rows.
import { lookupKind, type ConfigMap, type PersistentVolume, type PersistentVolumeClaim, type Secret, type ServiceAccount } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

/** The row as kubectl would label it: upper-cased column name → cell. */
function show<T extends { kind?: string }>(apiVersion: string, obj: T): Record<string, unknown> {
  const t = toTable(lookupKind(apiVersion, obj.kind ?? '')!, [obj], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

describe('ConfigMap, Secret, ServiceAccount', () => {
  it('counts config map keys, binary ones included', () => {
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', creationTimestamp: ago(59) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } };
    expect(show('v1', cm)).toEqual({ NAME: 'app', DATA: 3, AGE: '59s' });
    expect(show('v1', { ...cm, data: undefined, binaryData: undefined }).DATA).toBe(0);
  });

  it('prints the secret type and data count, counting stringData keys not yet merged', () => {
    const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', creationTimestamp: ago(3600 * 24) }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } };
    expect(show('v1', s)).toEqual({ NAME: 'tls', TYPE: 'kubernetes.io/tls', DATA: 2, AGE: '24h' });
    expect(show('v1', { ...s, type: 'Opaque', stringData: { 'tls.key': 'y', extra: 'z' } })).toMatchObject({ TYPE: 'Opaque', DATA: 3 });
  });

  it('counts a service account’s secrets', () => {
    const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', creationTimestamp: ago(120) }, secrets: [{ name: 'tok' }] };
    expect(show('v1', sa)).toEqual({ NAME: 'default', SECRETS: 1, AGE: '2m' });
    expect(show('v1', { ...sa, secrets: undefined }).SECRETS).toBe(0);
  });
});

describe('PersistentVolume', () => {
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1', creationTimestamp: ago(3600) },
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: 'default', name: 'data' },
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound' },
  };

  it('prints kubectl’s columns', () => {
    expect(show('v1', pv)).toEqual({
      NAME: 'pv-1',
      CAPACITY: '10Gi',
      'ACCESS MODES': 'RWO,RWX',
      'RECLAIM POLICY': 'Retain',
      STATUS: 'Bound',
      CLAIM: 'default/data',
      STORAGECLASS: 'standard',
      VOLUMEATTRIBUTESCLASS: '<unset>',
      REASON: '',
      AGE: '60m',
      VOLUMEMODE: 'Filesystem',
    });
  });

  it('prints capacity canonically, the beta class annotation first, and Terminating while deleted', () => {
    const other: PersistentVolume = {
      ...pv,
      metadata: { name: 'pv-2', annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' }, deletionTimestamp: ago(1) },
      spec: { ...pv.spec, capacity: { storage: '1024Mi' }, claimRef: undefined, accessModes: ['ReadWriteOncePod'], volumeMode: undefined },
    };
    expect(show('v1', other)).toMatchObject({ CAPACITY: '1Gi', STATUS: 'Terminating', CLAIM: '', STORAGECLASS: 'legacy', 'ACCESS MODES': 'RWOP', VOLUMEMODE: '<unset>', AGE: '<unknown>' });
  });
});

describe('PersistentVolumeClaim', () => {
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', creationTimestamp: ago(300) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'standard' },
    status: { phase: 'Pending' },
  };

  it('leaves volume, capacity and access modes blank until bound', () => {
    expect(show('v1', pvc)).toEqual({
      NAME: 'data',
      STATUS: 'Pending',
      VOLUME: '',
      CAPACITY: '',
      'ACCESS MODES': '',
      STORAGECLASS: 'standard',
      VOLUMEATTRIBUTESCLASS: '<unset>',
      AGE: '5m',
      VOLUMEMODE: '<unset>',
    });
  });

  it('prints the bound volume’s capacity and access modes', () => {
    const bound: PersistentVolumeClaim = { ...pvc, spec: { ...pvc.spec, volumeName: 'pv-1', volumeMode: 'Block' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } };
    expect(show('v1', bound)).toMatchObject({ STATUS: 'Bound', VOLUME: 'pv-1', CAPACITY: '10Gi', 'ACCESS MODES': 'RWO', VOLUMEMODE: 'Block' });
  });
});
