// Tests for StorageClass rows: PROVISIONER, RECLAIMPOLICY, VOLUMEBINDINGMODE, ALLOWVOLUMEEXPANSION, and the "(default)" mark.
import { lookupKind, type StorageClass } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');

function show(sc: StorageClass): Record<string, unknown> {
  const t = toTable(lookupKind('storage.k8s.io/v1', 'StorageClass')!, [sc], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

describe('StorageClass', () => {
  it('marks the default class and prints the upstream defaults of unset fields', () => {
    const sc: StorageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local-path', creationTimestamp: '2024-06-01T11:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'keelson.io/local-path',
    };
    expect(show(sc)).toEqual({ NAME: 'local-path (default)', PROVISIONER: 'keelson.io/local-path', RECLAIMPOLICY: 'Delete', VOLUMEBINDINGMODE: 'Immediate', ALLOWVOLUMEEXPANSION: false, AGE: '60m' });
  });

  it('prints the fields that are set, and no mark for a class that is not the default', () => {
    const sc: StorageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'keep', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
      provisioner: 'example.com/nfs',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    };
    expect(show(sc)).toMatchObject({ NAME: 'keep', RECLAIMPOLICY: 'Retain', VOLUMEBINDINGMODE: 'WaitForFirstConsumer', ALLOWVOLUMEEXPANSION: true });
  });
});
