// Which PersistentVolume a claim should get: the smallest Available one that fits, preferring the fewest extra access modes (pvIndex.findBestMatchForClaim).
import { compareQuantities, selectorFromLabelSelector, type PersistentVolume, type PersistentVolumeClaim, type Quantity } from '@keelson/api';
import { claimClass, isVolumeBoundToClaim, requestedSize, volumeClass, volumeModeMismatch, volumeSize } from '../util';

/** The access modes of a volume as one key: sorted, comma-joined. */
function modesKey(modes: readonly string[] | undefined): string {
  return [...new Set(modes ?? [])].sort().join(',');
}

/**
 * The best volume for `claim` among `volumes`, or undefined.
 *
 * Volumes are grouped by their exact set of access modes; groups that offer every mode the
 * claim asks for are tried from the fewest modes up, so a ReadWriteOnce claim takes a
 * ReadWriteOnce volume before a ReadWriteOnce+ReadOnlyMany one. Within a group:
 *
 *   - a volume whose claimRef already names this claim wins at once (pre-bound, or our own
 *     half-finished binding), whatever its phase or size;
 *   - with `delayBinding` (WaitForFirstConsumer and no selected node yet) nothing else is
 *     taken — the scheduler chooses volumes for such claims;
 *   - otherwise the smallest volume that is Available, has no claimRef, matches the claim's
 *     label selector, class (empty matches only empty) and volume mode, and is at least as
 *     big as the request.
 *
 * Volumes being deleted and volumes of the wrong volume mode never match.
 */
export function findBestMatch(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const wanted = new Set(claim.spec?.accessModes ?? []);
  const groups = new Map<string, PersistentVolume[]>();
  for (const v of volumes) {
    const key = modesKey(v.spec?.accessModes);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [v]);
    else group.push(v);
  }
  const candidates = [...groups.keys()]
    .filter((key) => {
      const offered = new Set(key === '' ? [] : key.split(','));
      return [...wanted].every((m) => offered.has(m));
    })
    .sort((a, b) => {
      const n = (a === '' ? 0 : a.split(',').length) - (b === '' ? 0 : b.split(',').length);
      return n !== 0 ? n : a.localeCompare(b);
    });
  for (const key of candidates) {
    const match = findMatchingVolume(claim, groups.get(key) ?? [], delayBinding);
    if (match !== undefined) return match;
  }
  return undefined;
}

/** FindMatchingVolume over one access-mode group. */
function findMatchingVolume(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const request = requestedSize(claim);
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector === undefined ? undefined : selectorFromLabelSelector(claim.spec.selector);
  let smallest: { volume: PersistentVolume; size: Quantity } | undefined;
  for (const volume of volumes) {
    if (volumeModeMismatch(volume, claim)) continue;
    if (volume.metadata?.deletionTimestamp !== undefined) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;
    if (delayBinding) continue;
    if (volume.status?.phase !== 'Available' || volume.spec?.claimRef !== undefined) continue;
    if (selector !== undefined && !selector.matches(volume.metadata?.labels ?? {})) continue;
    if (volumeClass(volume) !== requestedClass) continue;
    const size = volumeSize(volume);
    if (compareQuantities(size, request) < 0) continue;
    if (smallest === undefined || compareQuantities(smallest.size, size) > 0) smallest = { volume, size };
  }
  return smallest?.volume;
}
