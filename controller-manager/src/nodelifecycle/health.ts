// Node health decisions: conditions set Unknown after the grace period, and the taints a node's conditions call for.
import type { Node, NodeCondition, Taint } from '@keelson/api';
import { timestamp } from '../common/time';
import {
  diskPressureTaintKey,
  memoryPressureTaintKey,
  networkUnavailableTaintKey,
  notReadyTaintKey,
  pidPressureTaintKey,
  unreachableTaintKey,
  unschedulableTaintKey,
} from './taints';

/** The conditions the kubelet posts and the controller marks Unknown when it stops (Ready first). */
export const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export type ReadyStatus = 'True' | 'False' | 'Unknown';

/** The Ready condition's status; undefined when the kubelet never posted one. */
export function readyStatus(node: Node): ReadyStatus | undefined {
  const s = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  if (s === undefined) return undefined;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

/**
 * The node's conditions once its kubelet is considered gone (tryUpdateNodeHealth past the
 * grace period): each monitored condition not already Unknown becomes Unknown with reason
 * NodeStatusUnknown, "Kubelet stopped posting node status."; a missing one is added with
 * NodeStatusNeverUpdated, "Kubelet never posted node status.". Returns undefined when nothing changes.
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] | undefined {
  const current = node.status?.conditions ?? [];
  const next = current.map((c) => ({ ...c }));
  let changed = false;
  const t = timestamp(now);
  for (const type of monitoredConditions) {
    const c = next.find((x) => x.type === type);
    if (c === undefined) {
      next.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp ?? t, lastTransitionTime: t });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = t;
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/**
 * The taints the node's state calls for, by key and effect:
 *   NoExecute (taint-based eviction): Ready=False → not-ready, Ready=Unknown → unreachable
 *   (no Ready condition yet: neither, until the grace period marks it Unknown);
 *   NoSchedule (taint nodes by condition): the same two, memory/disk/pid pressure,
 *   network unavailable, and spec.unschedulable.
 */
export function conditionTaints(node: Node): Taint[] {
  const ready = readyStatus(node);
  const conditionTrue = (type: string): boolean => node.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;
  const want: Taint[] = [];
  if (ready === 'False') want.push({ key: notReadyTaintKey, effect: 'NoExecute' }, { key: notReadyTaintKey, effect: 'NoSchedule' });
  if (ready === 'Unknown') want.push({ key: unreachableTaintKey, effect: 'NoExecute' }, { key: unreachableTaintKey, effect: 'NoSchedule' });
  if (conditionTrue('MemoryPressure')) want.push({ key: memoryPressureTaintKey, effect: 'NoSchedule' });
  if (conditionTrue('DiskPressure')) want.push({ key: diskPressureTaintKey, effect: 'NoSchedule' });
  if (conditionTrue('PIDPressure')) want.push({ key: pidPressureTaintKey, effect: 'NoSchedule' });
  if (conditionTrue('NetworkUnavailable')) want.push({ key: networkUnavailableTaintKey, effect: 'NoSchedule' });
  if (node.spec?.unschedulable === true) want.push({ key: unschedulableTaintKey, effect: 'NoSchedule' });
  return want;
}

/** The taint keys this controller owns: it adds and removes only these, leaving users' taints alone. */
const managedKeys = new Set([notReadyTaintKey, unreachableTaintKey, memoryPressureTaintKey, diskPressureTaintKey, pidPressureTaintKey, networkUnavailableTaintKey, unschedulableTaintKey]);

/**
 * The node's taints after reconciling the managed ones with `conditionTaints`: kept when still
 * wanted (with their timeAdded), added (NoExecute ones stamped with timeAdded) when missing,
 * removed when no longer wanted. Returns undefined when nothing changes.
 */
export function reconcileTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const want = conditionTaints(node);
  const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !managedKeys.has(t.key) || want.some((w) => same(w, t)));
  const added = want.filter((w) => !current.some((t) => same(w, t))).map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: timestamp(now) } : w));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
