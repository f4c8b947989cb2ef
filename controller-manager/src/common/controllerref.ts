// Owner references: the controller of an object, new controller references, and claiming (adopt/release) children.
import { isStatusError, type ObjectMeta, type OwnerReference, type Selector } from '@keelson/api';
import type { ObjectLike } from '@keelson/client';

/** The owner reference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerOf(obj: ObjectLike): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The controller reference a controller puts on what it creates (metav1.NewControllerRef). */
export function newControllerRef(owner: { metadata?: ObjectMeta }, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Raised when an orphan may not be adopted because its would-be controller is gone or going. */
export class AdoptionRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdoptionRefusedError';
  }
}

export interface ClaimOptions<T extends ObjectLike> {
  /** The controller claiming; `metadata.uid`, `namespace` and `deletionTimestamp` are read. */
  controller: { metadata?: ObjectMeta };
  selector: Selector;
  /**
   * Checked once, before the first adoption: re-reads the controller from the API server (not
   * the cache) and throws when it is gone, replaced, or being deleted (RecheckDeletionTimestamp).
   */
  canAdopt: () => Promise<void>;
  adopt: (obj: T) => Promise<void>;
  release: (obj: T) => Promise<void>;
  /** Extra test an orphan must pass to be adopted (e.g. not being deleted). */
  filter?: (obj: T) => boolean;
}

/**
 * Kubernetes' ControllerRefManager.ClaimObject over a list: keeps what this controller owns
 * and still selects; releases what it owns but no longer selects (unless it is itself being
 * deleted); adopts matching orphans (unless it or they are being deleted). Objects owned by
 * another controller are left alone. Returns the claimed objects; throws the first failure
 * after trying all of them.
 */
export async function claimObjects<T extends ObjectLike>(objs: readonly T[], o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  const meta = o.controller.metadata ?? {};
  const deleting = meta.deletionTimestamp !== undefined;
  let adoptable: Promise<void> | undefined;
  for (const obj of objs) {
    const ref = controllerOf(obj);
    const matches = o.selector.matches(obj.metadata?.labels);
    try {
      if (ref !== undefined) {
        if (ref.uid !== meta.uid) continue;
        if (matches) {
          claimed.push(obj);
          continue;
        }
        if (deleting) continue;
        try {
          await o.release(obj);
        } catch (e: unknown) {
          // Gone already, or no longer ours to release: nothing left to do.
          if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
        }
        continue;
      }
      if (deleting || !matches || obj.metadata?.deletionTimestamp !== undefined) continue;
      if (meta.namespace !== undefined && meta.namespace !== '' && obj.metadata?.namespace !== meta.namespace) continue;
      if (o.filter !== undefined && !o.filter(obj)) continue;
      adoptable ??= o.canAdopt();
      await adoptable;
      try {
        await o.adopt(obj);
      } catch (e: unknown) {
        if (isStatusError(e, 'NotFound')) continue;
        throw e;
      }
      claimed.push(obj);
    } catch (e: unknown) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** The strategic merge patch that adds a controller reference (adopt). */
export function adoptPatch(ref: OwnerReference, uid: string | undefined): object {
  return { metadata: { ownerReferences: [ref], uid } };
}

/** The strategic merge patch that removes the reference to `ownerUid` (release, orphan). */
export function releasePatch(ownerUid: string, uid: string | undefined): object {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid } };
}
