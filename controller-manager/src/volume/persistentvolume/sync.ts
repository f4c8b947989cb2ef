// The PersistentVolume binder's reconciles: syncClaim (bind, provision, lose) and syncVolume (phase, release, reclaim, unbind) (pkg/controller/volume/persistentvolume).
import { isStatusError, type ObjectReference, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '@keelson/api';
import { splitKey, type EventRecorder, type Lister, type Logger, type RestClient } from '@keelson/client';
import {
  annBetaStorageProvisioner,
  annBindCompleted,
  annBoundByController,
  annDynamicallyProvisioned,
  annStorageProvisioner,
  claimClass,
  claimHasClass,
  defaultClass,
  isDelayBindingMode,
  isVolumeBoundToClaim,
  selectedNode,
  volumeModeMismatch,
  volumeUnfitReason,
  type ClaimPhase,
  type VolumePhase,
} from '../util';
import { findBestMatch } from './match';

export interface BinderSyncDeps {
  client: RestClient;
  volumes: Lister<PersistentVolume>;
  claims: Lister<PersistentVolumeClaim>;
  classes: Lister<StorageClass>;
  recorder: EventRecorder;
  logger: Logger;
  /** Puts a claim key (`ns/name`) on the claims queue. */
  enqueueClaim(key: string): void;
}

/** Event reasons, as Kubernetes' pkg/controller/volume/events names them. */
export type BinderEventReason =
  | 'FailedBinding'
  | 'WaitForFirstConsumer'
  | 'ExternalProvisioning'
  | 'ProvisioningFailed'
  | 'ClaimLost'
  | 'ClaimMisbound'
  | 'VolumeMismatch'
  | 'VolumeFailedDelete'
  | 'VolumeFailedRecycle';

// ---------------------------------------------------------------------------------------------
// Claims.

/**
 * Reconciles claim `ns/name` (syncClaim): a claim without `pv.kubernetes.io/bind-completed`
 * is unbound (find or provision a volume), one with it is checked against its volume.
 */
export async function syncClaim(d: BinderSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const claim = d.claims.get(namespace, name);
  if (claim === undefined) return;
  if (claim.metadata?.annotations?.[annBindCompleted] === undefined) await syncUnboundClaim(d, claim);
  else await syncBoundClaim(d, claim);
}

/**
 *   no volumeName ─► best match? bind
 *                  ─► none: no class yet and a default class exists ─► set it (retroactive default)
 *                           WaitForFirstConsumer, no selected node ─► Pending, WaitForFirstConsumer event
 *                           a class ─► ask its provisioner (annotation), Pending
 *                           no class ─► Pending, FailedBinding event
 *   volumeName ─► volume missing ─► Pending
 *              ─► volume free and fitting ─► bind; not fitting ─► FailedBinding
 *              ─► volume's claimRef is this claim ─► bind
 *              ─► volume taken by another claim ─► Pending, FailedBinding
 */
async function syncUnboundClaim(d: BinderSyncDeps, claim: PersistentVolumeClaim): Promise<void> {
  const volumeName = claim.spec?.volumeName ?? '';
  if (volumeName === '') {
    const delayBinding = isDelayBindingMode(claim, d.classes);
    const volume = findBestMatch(claim, d.volumes.list(), delayBinding);
    if (volume !== undefined) {
      await bind(d, volume, claim);
      return;
    }
    if (await assignDefaultStorageClass(d, claim)) return;
    if (delayBinding && selectedNode(claim) === undefined) {
      d.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else if (claimClass(claim) !== '') {
      await provisionClaim(d, claim);
      return;
    } else {
      d.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await updateClaimStatus(d, claim, 'Pending', undefined);
    return;
  }
  const volume = d.volumes.get(undefined, volumeName);
  if (volume === undefined) {
    d.logger.debug('claim asks for a volume that does not exist yet', { kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace, name: claim.metadata?.name, volume: volumeName });
    await updateClaimStatus(d, claim, 'Pending', undefined);
    return;
  }
  if (volume.spec?.claimRef === undefined) {
    const unfit = volumeUnfitReason(volume, claim);
    if (unfit !== undefined) {
      d.recorder.event(claim, 'Warning', 'FailedBinding', `Cannot bind to requested volume "${volumeName}": ${unfit}`);
      await updateClaimStatus(d, claim, 'Pending', undefined);
      return;
    }
    await bind(d, volume, claim);
    return;
  }
  if (isVolumeBoundToClaim(volume, claim)) {
    await bind(d, volume, claim);
    return;
  }
  if (claim.metadata?.annotations?.[annBoundByController] === undefined) {
    d.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
  }
  await updateClaimStatus(d, claim, 'Pending', undefined);
}

/**
 *   volumeName gone ─► Lost (ClaimLost)      volume gone ─► Lost (ClaimLost)
 *   volume unbound, or bound to this claim ─► bind (finishes or repairs both halves)
 *   volume bound to another claim ─► Lost (ClaimMisbound)
 */
async function syncBoundClaim(d: BinderSyncDeps, claim: PersistentVolumeClaim): Promise<void> {
  const volumeName = claim.spec?.volumeName ?? '';
  if (volumeName === '') {
    await loseClaim(d, claim, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return;
  }
  const volume = d.volumes.get(undefined, volumeName);
  if (volume === undefined) {
    await loseClaim(d, claim, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return;
  }
  const ref = volume.spec?.claimRef;
  if (ref === undefined || (isVolumeBoundToClaim(volume, claim) && ref.uid === claim.metadata?.uid)) {
    await bind(d, volume, claim);
    return;
  }
  await loseClaim(d, claim, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}

async function loseClaim(d: BinderSyncDeps, claim: PersistentVolumeClaim, reason: 'ClaimLost' | 'ClaimMisbound', message: string): Promise<void> {
  if (claim.status?.phase !== 'Lost') d.recorder.event(claim, 'Warning', reason, message);
  await updateClaimStatus(d, claim, 'Lost', undefined);
}

/**
 * Gives a claim that names no class at all (not even `""`) the default StorageClass, when
 * there is one (the retroactive default StorageClass assignment, GA in 1.28). Our API server
 * has no DefaultStorageClass admission plugin, so this is also what defaults new claims.
 */
async function assignDefaultStorageClass(d: BinderSyncDeps, claim: PersistentVolumeClaim): Promise<boolean> {
  if (claimHasClass(claim)) return false;
  const sc = defaultClass(d.classes);
  if (sc?.metadata?.name === undefined) return false;
  const next = structuredClone(claim);
  (next.spec ??= {}).storageClassName = sc.metadata.name;
  d.logger.info('assigning the default storage class', { kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace, name: claim.metadata?.name, storageClass: sc.metadata.name });
  await claimsApi(d, claim).update(next);
  return true;
}

/**
 * Asks the class's provisioner for a volume: annotates the claim with
 * `volume.kubernetes.io/storage-provisioner` (and its beta name) and says so in an event, as
 * Kubernetes does for every out-of-tree provisioner. The provisioner creates a volume
 * pre-bound to the claim; this binder then finishes the binding.
 */
async function provisionClaim(d: BinderSyncDeps, claim: PersistentVolumeClaim): Promise<void> {
  const className = claimClass(claim);
  const sc = d.classes.get(undefined, className);
  if (sc === undefined) {
    d.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    await updateClaimStatus(d, claim, 'Pending', undefined);
    return;
  }
  const provisioner = sc.provisioner;
  const ann = claim.metadata?.annotations ?? {};
  if (ann[annStorageProvisioner] !== provisioner || ann[annBetaStorageProvisioner] !== provisioner) {
    const next = structuredClone(claim);
    const meta = (next.metadata ??= {});
    meta.annotations = { ...meta.annotations, [annStorageProvisioner]: provisioner, [annBetaStorageProvisioner]: provisioner };
    claim = await claimsApi(d, claim).update(next);
  }
  d.recorder.event(
    claim,
    'Normal',
    'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  );
  await updateClaimStatus(d, claim, 'Pending', undefined);
}

/**
 * Binds volume and claim, each write only when needed, in Kubernetes' order so a crash
 * half-way is finished by the next sync: volume claimRef ─► volume phase Bound ─► claim
 * volumeName and annotations ─► claim phase Bound with capacity and access modes.
 */
async function bind(d: BinderSyncDeps, volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
  d.logger.debug('binding', { kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace, name: claim.metadata?.name, volume: volume.metadata?.name });
  const boundVolume = await bindVolumeToClaim(d, volume, claim);
  const phased = await updateVolumePhase(d, boundVolume, 'Bound', undefined);
  const boundClaim = await bindClaimToVolume(d, claim, phased);
  await updateClaimStatus(d, boundClaim, 'Bound', phased);
}

/** The reference a volume keeps to its claim (reference.GetReference). */
export function claimReference(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: claim.metadata?.namespace ?? '',
    name: claim.metadata?.name ?? '',
    uid: claim.metadata?.uid ?? '',
    resourceVersion: claim.metadata?.resourceVersion ?? '',
  };
}

async function bindVolumeToClaim(d: BinderSyncDeps, volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
  const ref = volume.spec?.claimRef;
  const markByController = !isVolumeBoundToClaim(volume, claim) && volume.metadata?.annotations?.[annBoundByController] === undefined;
  const refOK = ref !== undefined && ref.name === claim.metadata?.name && ref.namespace === claim.metadata?.namespace && ref.uid === claim.metadata?.uid;
  if (refOK && !markByController) return volume;
  const next = structuredClone(volume);
  (next.spec ??= {}).claimRef = claimReference(claim);
  if (markByController) {
    const meta = (next.metadata ??= {});
    meta.annotations = { ...meta.annotations, [annBoundByController]: 'yes' };
  }
  return d.client.resource('v1', 'PersistentVolume').update(next);
}

async function bindClaimToVolume(d: BinderSyncDeps, claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<PersistentVolumeClaim> {
  const name = volume.metadata?.name ?? '';
  const annotations = { ...claim.metadata?.annotations };
  let dirty = false;
  const next = structuredClone(claim);
  if (claim.spec?.volumeName !== name) {
    (next.spec ??= {}).volumeName = name;
    annotations[annBoundByController] ??= 'yes';
    dirty = true;
  }
  if (annotations[annBindCompleted] === undefined) {
    annotations[annBindCompleted] = 'yes';
    dirty = true;
  }
  if (!dirty) return claim;
  (next.metadata ??= {}).annotations = annotations;
  return claimsApi(d, claim).update(next);
}

/**
 * Sets a claim's phase. Bound copies the volume's access modes and, when the claim is just
 * becoming Bound, its capacity (a later difference may be a resize in progress, so it is kept);
 * without a volume both are cleared.
 */
async function updateClaimStatus(d: BinderSyncDeps, claim: PersistentVolumeClaim, phase: ClaimPhase, volume: PersistentVolume | undefined): Promise<PersistentVolumeClaim> {
  const status = structuredClone(claim.status ?? {});
  let dirty = false;
  if (status.phase !== phase) {
    status.phase = phase;
    dirty = true;
  }
  if (volume === undefined) {
    if (status.accessModes !== undefined || status.capacity !== undefined) {
      delete status.accessModes;
      delete status.capacity;
      dirty = true;
    }
  } else {
    const modes = volume.spec?.accessModes ?? [];
    if (JSON.stringify(status.accessModes ?? []) !== JSON.stringify(modes)) {
      status.accessModes = [...modes];
      dirty = true;
    }
    const size = volume.spec?.capacity?.['storage'];
    if (claim.status?.phase !== phase && size !== undefined && String(status.capacity?.['storage'] ?? '') !== String(size)) {
      status.capacity = { ...volume.spec?.capacity };
      dirty = true;
    }
  }
  if (!dirty) return claim;
  return claimsApi(d, claim).updateStatus({ ...claim, status });
}

function claimsApi(d: BinderSyncDeps, claim: PersistentVolumeClaim) {
  return d.client.resource('v1', 'PersistentVolumeClaim').namespace(claim.metadata?.namespace ?? '');
}

// ---------------------------------------------------------------------------------------------
// Volumes.

/**
 * Reconciles volume `name` (syncVolume):
 *
 *   no claimRef, or a claimRef without uid (pre-bound by the user) ─► Available
 *   claim gone (or replaced by one of another uid) ─► Released ─► reclaim per policy
 *   claim not bound yet ─► the claim's sync finishes it (enqueued)
 *   claim bound to this volume ─► Bound
 *   claim bound to another volume ─► provisioned for it with Delete: Released, reclaim;
 *                                   bound by this controller: unbind (Available);
 *                                   pre-bound by the user: left alone
 */
export async function syncVolume(d: BinderSyncDeps, name: string): Promise<void> {
  const volume = d.volumes.get(undefined, name);
  if (volume === undefined) return;
  const ref = volume.spec?.claimRef;
  if (ref === undefined || ref.uid === undefined || ref.uid === '') {
    await updateVolumePhase(d, volume, 'Available', undefined);
    return;
  }
  let claim = d.claims.get(ref.namespace, ref.name ?? '');
  if (claim === undefined && volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
    // Not in the cache: the claim may be too new for it. Ask the API server before releasing.
    try {
      claim = await d.client.resource('v1', 'PersistentVolumeClaim').namespace(ref.namespace ?? '').get(ref.name ?? '');
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
  if (claim !== undefined && claim.metadata?.uid !== ref.uid) claim = undefined;
  if (claim === undefined) {
    const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed' ? volume : await updateVolumePhase(d, volume, 'Released', undefined);
    await reclaimVolume(d, released);
    return;
  }
  const claimVolume = claim.spec?.volumeName ?? '';
  if (claimVolume === '') {
    if (volumeModeMismatch(volume, claim)) {
      const message = `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata?.name ?? ''}" due to incompatible volumeMode.`;
      d.recorder.event(volume, 'Warning', 'VolumeMismatch', message);
      d.recorder.event(claim, 'Warning', 'VolumeMismatch', message);
      return;
    }
    d.enqueueClaim(`${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`);
    return;
  }
  if (claimVolume === name) {
    await updateVolumePhase(d, volume, 'Bound', undefined);
    return;
  }
  const ann = volume.metadata?.annotations ?? {};
  if (ann[annDynamicallyProvisioned] !== undefined && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed' ? volume : await updateVolumePhase(d, volume, 'Released', undefined);
    await reclaimVolume(d, released);
  } else if (ann[annBoundByController] !== undefined) {
    await unbindVolume(d, volume);
  }
}

/**
 * What happens to a Released volume (reclaimVolume):
 *   Retain ─► nothing; an administrator clears the claimRef (or deletes the volume) to reuse it
 *   Delete ─► a provisioned volume is deleted by its provisioner (here: the local-path
 *             provisioner, which also removes the directory); any other is marked Failed,
 *             since no plugin here can delete its storage
 *   Recycle ─► Failed: recycling is deprecated and not implemented
 */
async function reclaimVolume(d: BinderSyncDeps, volume: PersistentVolume): Promise<void> {
  const name = volume.metadata?.name ?? '';
  switch (volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
    case 'Retain':
      d.logger.debug('released volume kept (Retain)', { kind: 'PersistentVolume', name });
      return;
    case 'Delete': {
      const provisioner = volume.metadata?.annotations?.[annDynamicallyProvisioned];
      if (provisioner !== undefined && provisioner !== '') {
        d.logger.debug('released volume waits for its provisioner to delete it', { kind: 'PersistentVolume', name, provisioner });
        return;
      }
      if (volume.status?.phase === 'Failed') return;
      const message = `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
      d.recorder.event(volume, 'Warning', 'VolumeFailedDelete', message);
      await updateVolumePhase(d, volume, 'Failed', message);
      return;
    }
    case 'Recycle': {
      if (volume.status?.phase === 'Failed') return;
      const message = `No recycler plugin found for volume "${name}": recycling is not supported`;
      d.recorder.event(volume, 'Warning', 'VolumeFailedRecycle', message);
      await updateVolumePhase(d, volume, 'Failed', message);
      return;
    }
    default: {
      if (volume.status?.phase === 'Failed') return;
      const message = `Volume has unrecognized PersistentVolumeReclaimPolicy "${volume.spec?.persistentVolumeReclaimPolicy ?? ''}"`;
      d.recorder.event(volume, 'Warning', 'VolumeFailedDelete', message);
      await updateVolumePhase(d, volume, 'Failed', message);
    }
  }
}

/** Undoes a binding this controller made whose claim went elsewhere; a user's pre-binding keeps its name and loses only the uid. */
async function unbindVolume(d: BinderSyncDeps, volume: PersistentVolume): Promise<void> {
  const next = structuredClone(volume);
  const meta = (next.metadata ??= {});
  const spec = (next.spec ??= {});
  if (meta.annotations?.[annBoundByController] !== undefined) {
    delete spec.claimRef;
    const { [annBoundByController]: _drop, ...rest } = meta.annotations;
    meta.annotations = rest;
  } else if (spec.claimRef !== undefined) {
    spec.claimRef = { ...spec.claimRef, uid: '' };
  }
  const updated = await d.client.resource('v1', 'PersistentVolume').update(next);
  await updateVolumePhase(d, updated, 'Available', undefined);
}

/** Sets a volume's phase (and message), written through /status only when it changes. */
export async function updateVolumePhase(d: Pick<BinderSyncDeps, 'client'>, volume: PersistentVolume, phase: VolumePhase, message: string | undefined): Promise<PersistentVolume> {
  if (volume.status?.phase === phase && volume.status.message === message) return volume;
  const status = { ...volume.status, phase };
  if (message === undefined) delete status.message;
  else status.message = message;
  return d.client.resource('v1', 'PersistentVolume').updateStatus({ ...volume, status });
}
