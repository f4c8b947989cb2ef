// VolumeBinding: a pod's PersistentVolumeClaims decide where it can go (a bound local volume's node affinity), and claims
// of WaitForFirstConsumer classes learn the chosen node before the pod is bound, so their volume is provisioned there.
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '@keelson/api';
import { nodeSelectorMatches } from '../framework/helpers';
import { unresolvable, unschedulable, type FilterPlugin, type NodeFilter } from '../framework/types';

export const volumeBindingName = 'VolumeBinding';
export const errReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const errReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';
export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';

/** What the plugin reads: claims, volumes and classes from the scheduler's informer caches. */
export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
}

function claimNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim !== undefined ? [v.persistentVolumeClaim.claimName] : []));
}

/** The claims of `pod` still waiting for a node to be provisioned on (WaitForFirstConsumer, unbound, no node chosen yet). */
export function claimsToAnnotate(pod: Pod, volumes: VolumeLister): PersistentVolumeClaim[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: PersistentVolumeClaim[] = [];
  for (const name of claimNames(pod)) {
    const claim = volumes.claim(ns, name);
    if (claim === undefined || (claim.spec?.volumeName ?? '') !== '') continue;
    if (claim.metadata?.annotations?.[selectedNodeAnnotation] !== undefined) continue;
    const cls = volumes.storageClass(claim.spec?.storageClassName ?? '');
    if (cls?.volumeBindingMode === 'WaitForFirstConsumer') out.push(claim);
  }
  return out;
}

export function volumeBinding(volumes: VolumeLister): FilterPlugin {
  return {
    name: volumeBindingName,
    preFilter(pi) {
      const names = claimNames(pi.pod);
      if (names.length === 0) return undefined;
      const ns = pi.pod.metadata?.namespace ?? 'default';
      const affinities: NonNullable<NonNullable<PersistentVolume['spec']>['nodeAffinity']>['required'][] = [];
      let pinned: string | undefined;
      for (const name of names) {
        const claim = volumes.claim(ns, name);
        if (claim === undefined) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata?.deletionTimestamp !== undefined) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const pvName = claim.spec?.volumeName ?? '';
        if (pvName !== '') {
          const pv = volumes.volume(pvName);
          if (pv === undefined) return unschedulable(`persistentvolume "${pvName}" not found`);
          if (pv.spec?.nodeAffinity?.required !== undefined) affinities.push(pv.spec.nodeAffinity.required);
          continue;
        }
        const cls = volumes.storageClass(claim.spec?.storageClassName ?? '');
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') return unschedulable(errReasonUnboundImmediate);
        // A node already chosen for this claim (an earlier attempt) is where its volume will be.
        const selected = claim.metadata?.annotations?.[selectedNodeAnnotation];
        if (selected !== undefined) pinned = selected;
      }
      if (affinities.length === 0 && pinned === undefined) return undefined;
      const conflict = unresolvable(errReasonNodeConflict);
      const filter: NodeFilter = (node) => {
        if (pinned !== undefined && node.name !== pinned) return conflict;
        const labels = node.node?.metadata?.labels ?? {};
        for (const a of affinities) if (a !== undefined && !nodeSelectorMatches(a, node.name, labels)) return conflict;
        return undefined;
      };
      return filter;
    },
  };
}
