// PersistentVolume, PersistentVolumeClaim and StorageClass rows: CAPACITY, ACCESS MODES (RWO…), RECLAIM POLICY, STATUS, CLAIM, STORAGECLASS, PROVISIONER.
import type { ObjectMeta, PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { since } from './duration';
import { accessModes, quantityString } from './format';
import { ageColumn, column, definePrinter, nameColumn, wide } from './printer';

/** The beta annotation still wins over spec.storageClassName, as helper.GetPersistentVolume(Claim)Class does. */
const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function storageClass(meta: ObjectMeta | undefined, specClass: string | undefined): string {
  const annotations = meta?.annotations ?? {};
  return Object.hasOwn(annotations, BETA_STORAGE_CLASS) ? (annotations[BETA_STORAGE_CLASS] ?? '') : (specClass ?? '');
}

export const persistentVolumePrinter = definePrinter<PersistentVolume>(
  [
    nameColumn,
    column('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
    column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    column('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    column('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    column('StorageClass', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    column('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn,
    wide('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
  ],
  (pv, { now }) => {
    const claim = pv.spec?.claimRef;
    return [
      pv.metadata?.name ?? '',
      quantityString(pv.spec?.capacity?.['storage']),
      accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
      claim ? `${claim.namespace ?? ''}/${claim.name ?? ''}` : '',
      storageClass(pv.metadata, pv.spec?.storageClassName),
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      since(pv.metadata?.creationTimestamp, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
);

export const persistentVolumeClaimPrinter = definePrinter<PersistentVolumeClaim>(
  [
    nameColumn,
    column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    wide('VolumeMode', 'volumeMode defines what type of volume is required by the claim.'),
  ],
  (pvc, { now }) => {
    const volumeName = pvc.spec?.volumeName ?? '';
    // Capacity and access modes are those of the bound volume, so blank until bound.
    const bound = volumeName !== '';
    return [
      pvc.metadata?.name ?? '',
      pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
      volumeName,
      bound ? quantityString(pvc.status?.capacity?.['storage']) : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClass(pvc.metadata, pvc.spec?.storageClassName),
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      since(pvc.metadata?.creationTimestamp, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
);

/** printStorageClass: the default class is marked `(default)` by either annotation; unset fields print their defaults. */
export const storageClassPrinter = definePrinter<StorageClass>(
  [
    nameColumn,
    column('Provisioner', 'Indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'Indicates the type of the reclaim policy.'),
    column('VolumeBindingMode', 'Indicates the mode of the volume binding.'),
    column('AllowVolumeExpansion', 'Indicates whether the storage class allow volume expand.'),
    ageColumn,
  ],
  (sc, { now }) => {
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      since(sc.metadata?.creationTimestamp, now),
    ];
  },
);
