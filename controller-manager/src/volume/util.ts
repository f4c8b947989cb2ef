// Shared PersistentVolume / PersistentVolumeClaim helpers: annotations, classes, access modes, volume modes, sizes (component-helpers/storage/volume).
import { compareQuantities, parseQuantity, type PersistentVolume, type PersistentVolumeClaim, type Quantity, type StorageClass } from '@keelson/api';
import type { Lister } from '@keelson/client';
import { parseTime } from '../common/time';

/** On a claim: the binder has finished binding it (its value does not matter). */
export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume: the binder, not the user, wrote the other half of the binding. */
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: the provisioner that made it (and deletes it). */
export const annDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
/** On a claim: the provisioner asked to make its volume. */
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
/** The same, by its old name (still written, as Kubernetes does, for provisioners that read only it). */
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim: the node the scheduler picked for its first consumer (WaitForFirstConsumer). */
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
/** The pre-`storageClassName` way to name a class; it still wins where present. */
export const annBetaStorageClass = 'volume.beta.kubernetes.io/storage-class';
/** On a StorageClass: claims without a class get this one. */
export const annDefaultStorageClass = 'storageclass.kubernetes.io/is-default-class';
/** The default StorageClass annotation's beta name. */
export const annBetaDefaultStorageClass = 'storageclass.beta.kubernetes.io/is-default-class';

export type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
export type ClaimPhase = 'Pending' | 'Bound' | 'Lost';

/** The claim's class: the beta annotation if present, else spec.storageClassName, else "" (GetPersistentVolumeClaimClass). */
export function claimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata?.annotations ?? {};
  if (Object.hasOwn(ann, annBetaStorageClass)) return ann[annBetaStorageClass] ?? '';
  return claim.spec?.storageClassName ?? '';
}

/** The volume's class, read the same way (GetPersistentVolumeClass). */
export function volumeClass(volume: PersistentVolume): string {
  const ann = volume.metadata?.annotations ?? {};
  if (Object.hasOwn(ann, annBetaStorageClass)) return ann[annBetaStorageClass] ?? '';
  return volume.spec?.storageClassName ?? '';
}

/** Whether the claim names a class at all: `""` does (it asks for no class); unset does not (PersistentVolumeClaimHasClass). */
export function claimHasClass(claim: PersistentVolumeClaim): boolean {
  return Object.hasOwn(claim.metadata?.annotations ?? {}, annBetaStorageClass) || claim.spec?.storageClassName !== undefined;
}

/** Whether a class is marked default by either annotation. */
export function isDefaultClass(sc: StorageClass): boolean {
  const ann = sc.metadata?.annotations ?? {};
  return ann[annDefaultStorageClass] === 'true' || ann[annBetaDefaultStorageClass] === 'true';
}

/** The default StorageClass; with several, the newest (then by name), as GetDefaultClass picks. */
export function defaultClass(classes: Lister<StorageClass>): StorageClass | undefined {
  const defaults = classes.list().filter(isDefaultClass);
  defaults.sort((a, b) => {
    const t = (parseTime(b.metadata?.creationTimestamp) ?? 0) - (parseTime(a.metadata?.creationTimestamp) ?? 0);
    return t !== 0 ? t : (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return defaults[0];
}

/** WaitForFirstConsumer: the claim's class delays binding until a pod using it is scheduled (IsDelayBindingMode). */
export function isDelayBindingMode(claim: PersistentVolumeClaim, classes: Lister<StorageClass>): boolean {
  const name = claimClass(claim);
  if (name === '') return false;
  return classes.get(undefined, name)?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** The scheduler has picked a node for the claim's first consumer (IsDelayBindingProvisioning). */
export function selectedNode(claim: PersistentVolumeClaim): string | undefined {
  const node = claim.metadata?.annotations?.[annSelectedNode];
  return node === undefined || node === '' ? undefined : node;
}

/** The claim's storage request (0 when missing or malformed). */
export function requestedSize(claim: PersistentVolumeClaim): Quantity {
  return quantityOf(claim.spec?.resources?.requests?.['storage']);
}

/** The volume's storage capacity (0 when missing or malformed). */
export function volumeSize(volume: PersistentVolume): Quantity {
  return quantityOf(volume.spec?.capacity?.['storage']);
}

function quantityOf(q: string | number | undefined): Quantity {
  try {
    return parseQuantity(q === undefined ? '0' : String(q));
  } catch {
    return parseQuantity('0');
  }
}

/** The volume offers every access mode the claim asks for (CheckAccessModes). */
export function hasAccessModes(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const offered = new Set(volume.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/** Filesystem and Block do not mix; unset means Filesystem on both sides (CheckVolumeModeMismatches). */
export function volumeModeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  return (volume.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem');
}

/** The volume's claimRef points at this claim (by namespace and name, and uid when the ref has one) (IsVolumeBoundToClaim). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (ref === undefined) return false;
  if (ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return ref.uid === undefined || ref.uid === '' || ref.uid === claim.metadata?.uid;
}

/**
 * Why a volume the claim names in spec.volumeName cannot serve it, or undefined if it can
 * (checkVolumeSatisfyClaim): size, class, volume mode, access modes.
 */
export function volumeUnfitReason(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (compareQuantities(volumeSize(volume), requestedSize(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(volume, claim)) return 'incompatible volumeMode';
  if (!hasAccessModes(volume, claim)) return 'incompatible accessMode';
  return undefined;
}

/** `ns/name` of the claim a volume's claimRef names: the claims queue key. */
export function claimKeyOf(ref: { namespace?: string; name?: string }): string {
  return `${ref.namespace ?? ''}/${ref.name ?? ''}`;
}
