// StatefulSet pod control (stateful_pod_control.go): claims before pods, identity and storage repairs, claim retention owner references.
import { isStatusError, type OwnerReference, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@keelson/api';
import { errorText } from '../common/errors';
import {
  identityMatches,
  podClaims,
  podInOrdinalRange,
  retentionPolicy,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './identity';
import type { StatefulSetSyncDeps } from './sync';

/** Several claim operations failed; the first is the cause. */
export class ClaimsError extends Error {
  constructor(readonly errors: readonly Error[]) {
    super(errors.map((e) => e.message).join('; '), { cause: errors[0] });
    this.name = 'ClaimsError';
  }
}

function podEvent(deps: StatefulSetSyncDeps, verb: 'create' | 'update' | 'delete', set: StatefulSet, pod: Pod, err: unknown): void {
  const reason = `${err === undefined ? 'Successful' : 'Failed'}${verb[0]?.toUpperCase() ?? ''}${verb.slice(1)}`;
  const base = `${verb} Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
  if (err === undefined) deps.recorder.event(set, 'Normal', reason, `${base} successful`);
  else deps.recorder.event(set, 'Warning', reason, `${base} failed error: ${errorText(err)}`);
}

function claimEvent(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err: unknown): void {
  const base = `create Claim ${claim.metadata?.name ?? ''} Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
  if (err === undefined) deps.recorder.event(set, 'Normal', 'SuccessfulCreate', `${base} success`);
  else deps.recorder.event(set, 'Warning', 'FailedCreate', `${base} failed error: ${errorText(err)}`);
}

/**
 * Creates the pod's claims that do not exist yet (createPersistentVolumeClaims). A claim being
 * deleted is an error: the pod must wait for it to go and be made again.
 */
export async function createMissingClaims(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  const errors: Error[] = [];
  const api = deps.client.resource('v1', 'PersistentVolumeClaim').namespace(set.metadata?.namespace ?? '');
  for (const claim of podClaims(set, pod).values()) {
    const existing = deps.claims.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
    if (existing !== undefined) {
      if (existing.metadata?.deletionTimestamp !== undefined) errors.push(new Error(`pvc ${claim.metadata?.name ?? ''} is being deleted`));
      continue;
    }
    // A claim that goes with the set carries its reference from the start.
    if (wantedOwners(set, pod).set) (claim.metadata ??= {}).ownerReferences = [ownerRefTo('apps/v1', 'StatefulSet', set)];
    try {
      await api.create(claim);
      claimEvent(deps, set, pod, claim, undefined);
    } catch (e: unknown) {
      // Made already (our cache is behind): nothing to do.
      if (isStatusError(e, 'AlreadyExists')) continue;
      claimEvent(deps, set, pod, claim, e);
      errors.push(new Error(`failed to create PVC ${claim.metadata?.name ?? ''}: ${errorText(e)}`, { cause: e }));
    }
  }
  if (errors.length > 0) throw new ClaimsError(errors);
}

/** Creates the pod's claims, then the pod (CreateStatefulPod); then sets the claims' retention owner references. */
export async function createStatefulPod(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  try {
    await createMissingClaims(deps, set, pod);
  } catch (e: unknown) {
    podEvent(deps, 'create', set, pod, e);
    throw e;
  }
  let created: Pod;
  try {
    created = await deps.client.resource('v1', 'Pod').namespace(set.metadata?.namespace ?? '').create(pod);
  } catch (e: unknown) {
    if (!isStatusError(e, 'AlreadyExists')) podEvent(deps, 'create', set, pod, e);
    throw e;
  }
  podEvent(deps, 'create', set, pod, undefined);
  await updatePodClaimsForRetentionPolicy(deps, set, created);
}

/** Deletes the pod (DeleteStatefulPod); one already gone counts as deleted. */
export async function deleteStatefulPod(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  try {
    await deps.client.resource('v1', 'Pod').namespace(set.metadata?.namespace ?? '').delete(pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid ?? '' } });
    podEvent(deps, 'delete', set, pod, undefined);
  } catch (e: unknown) {
    if (isStatusError(e, 'NotFound')) return;
    podEvent(deps, 'delete', set, pod, e);
    throw e;
  }
}

/**
 * Brings a live pod back to its identity and storage (UpdateStatefulPod): name labels, claim
 * volumes (creating missing claims), claim owner references. Writes only when something was off.
 */
export async function updateStatefulPod(deps: StatefulSetSyncDeps, set: StatefulSet, cached: Pod): Promise<void> {
  const pod = structuredClone(cached);
  let consistent = true;
  if (!identityMatches(set, pod)) {
    updateIdentity(set, pod);
    consistent = false;
  }
  if (!storageMatches(set, pod)) {
    updateStorage(set, pod);
    consistent = false;
    await createMissingClaims(deps, set, pod);
  }
  if (!claimsMatchRetentionPolicy(deps, set, pod)) await updatePodClaimsForRetentionPolicy(deps, set, pod);
  if (consistent) return;
  try {
    await deps.client.resource('v1', 'Pod').namespace(set.metadata?.namespace ?? '').update(pod);
    podEvent(deps, 'update', set, pod, undefined);
  } catch (e: unknown) {
    podEvent(deps, 'update', set, pod, e);
    throw e;
  }
}

// ---- persistentVolumeClaimRetentionPolicy

function refersTo(claim: PersistentVolumeClaim, owner: { metadata?: { uid?: string } }): boolean {
  const uid = owner.metadata?.uid;
  return uid !== undefined && (claim.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** What references a claim of `pod` should carry: the set when it goes with the set, the pod when it goes with a scale-down. */
function wantedOwners(set: StatefulSet, pod: Pod): { set: boolean; pod: boolean } {
  const policy = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (policy.whenScaled === 'Retain') return { set: policy.whenDeleted === 'Delete', pod: false };
  // whenScaled Delete: a condemned pod takes its claims with it; a live one leaves them to the set's policy.
  if (scaledDown) return { set: false, pod: true };
  return { set: policy.whenDeleted === 'Delete', pod: false };
}

/** Every existing claim of the pod carries exactly the owner references the retention policy asks for (ClaimsMatchRetentionPolicy). */
export function claimsMatchRetentionPolicy(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): boolean {
  const want = wantedOwners(set, pod);
  for (const claim of podClaims(set, pod).values()) {
    const existing = deps.claims.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
    if (existing === undefined) continue;
    if (refersTo(existing, set) !== want.set) return false;
    // A pod not made yet has no uid: there is no reference to want.
    if (pod.metadata?.uid !== undefined && refersTo(existing, pod) !== want.pod) return false;
  }
  return true;
}

function ownerRefTo(apiVersion: string, kind: string, obj: { metadata?: { name?: string; uid?: string } }): OwnerReference {
  return { apiVersion, kind, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid ?? '' };
}

/**
 * Adds and removes the set's and the pod's (non-controller) owner references on the pod's
 * claims so the garbage collector deletes them when the policy says (UpdatePodClaimForRetentionPolicy).
 */
export async function updatePodClaimsForRetentionPolicy(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  const want = wantedOwners(set, pod);
  const api = deps.client.resource('v1', 'PersistentVolumeClaim').namespace(set.metadata?.namespace ?? '');
  const errors: Error[] = [];
  for (const claim of podClaims(set, pod).values()) {
    const existing = deps.claims.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
    if (existing === undefined) continue;
    const setUid = set.metadata?.uid ?? '';
    const podUid = pod.metadata?.uid;
    let refs = [...(existing.metadata?.ownerReferences ?? [])];
    const before = JSON.stringify(refs);
    refs = refs.filter((r) => r.uid !== setUid || want.set);
    if (want.set && !refs.some((r) => r.uid === setUid)) refs.push(ownerRefTo('apps/v1', 'StatefulSet', set));
    if (podUid !== undefined) {
      refs = refs.filter((r) => r.uid !== podUid || want.pod);
      if (want.pod && !refs.some((r) => r.uid === podUid)) refs.push(ownerRefTo('v1', 'Pod', pod));
    }
    if (JSON.stringify(refs) === before) continue;
    const copy = structuredClone(existing);
    (copy.metadata ??= {}).ownerReferences = refs;
    try {
      await api.update(copy);
    } catch (e: unknown) {
      if (isStatusError(e, 'NotFound')) continue;
      errors.push(new Error(`could not update claim ${claim.metadata?.name ?? ''} for retention policy: ${errorText(e)}`, { cause: e }));
    }
  }
  if (errors.length > 0) throw new ClaimsError(errors);
}

/**
 * A claim that still refers to an earlier pod of the same name (PodClaimIsStale): with
 * whenScaled Delete the garbage collector is about to delete it, so the pod must not be made
 * (and mount it) until it is gone.
 */
export function podClaimIsStale(deps: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): boolean {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  for (const claim of podClaims(set, pod).values()) {
    const existing = deps.claims.get(claim.metadata?.namespace, claim.metadata?.name ?? '');
    if (existing === undefined) continue;
    const stale = (existing.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata?.name && r.uid !== pod.metadata.uid);
    if (stale) return true;
  }
  return false;
}
