// Taints and tolerations: the node-condition taint keys, toleration matching, and how long a pod may stay on a NoExecute-tainted node.
import type { Node, Taint, Toleration } from '@keelson/api';

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
export const unschedulableTaintKey = 'node.kubernetes.io/unschedulable';
export const memoryPressureTaintKey = 'node.kubernetes.io/memory-pressure';
export const diskPressureTaintKey = 'node.kubernetes.io/disk-pressure';
export const pidPressureTaintKey = 'node.kubernetes.io/pid-pressure';
export const networkUnavailableTaintKey = 'node.kubernetes.io/network-unavailable';

/** Toleration.ToleratesTaint: effect (empty matches all), key (empty with Exists matches all), then Exists or an equal value. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  const operator = t.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  if (operator !== 'Equal' && operator !== '') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The NoExecute taints of a node. */
export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export interface TolerationMatch {
  /** Every taint is tolerated by some toleration. */
  all: boolean;
  /** The toleration that tolerates each taint (the first one that does). */
  used: Toleration[];
}

/** getMatchingTolerations: for each taint, a toleration of the pod that tolerates it. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): TolerationMatch {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => tolerates(x, taint));
    if (t === undefined) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/**
 * getMinTolerationTime in milliseconds: the shortest tolerationSeconds among the used
 * tolerations (negative counts as 0); undefined when none sets one (tolerated forever).
 */
export function minTolerationMs(used: readonly Toleration[]): number | undefined {
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = Math.max(0, t.tolerationSeconds) * 1000;
    if (min === undefined || ms < min) min = ms;
  }
  return min;
}

export interface DefaultTolerationSeconds {
  /** For node.kubernetes.io/not-ready:NoExecute; null adds none. */
  notReady: number | null;
  /** For node.kubernetes.io/unreachable:NoExecute; null adds none. */
  unreachable: number | null;
}

/**
 * The tolerations Kubernetes' DefaultTolerationSeconds admission plugin would have given the
 * pod: `not-ready` and `unreachable` (Exists, NoExecute, N seconds) unless the pod already has
 * a toleration for that key with effect NoExecute or empty. This API server has no such
 * admission plugin, so the controller applies it when it decides on eviction.
 */
export function withDefaultTolerations(tolerations: readonly Toleration[], defaults: DefaultTolerationSeconds): Toleration[] {
  const out = [...tolerations];
  const has = (key: string): boolean => tolerations.some((t) => (t.key === key || ((t.key ?? '') === '' && t.operator === 'Exists')) && (t.effect === 'NoExecute' || (t.effect ?? '') === ''));
  if (defaults.notReady !== null && !has(notReadyTaintKey)) out.push({ key: notReadyTaintKey, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.notReady });
  if (defaults.unreachable !== null && !has(unreachableTaintKey)) out.push({ key: unreachableTaintKey, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.unreachable });
  return out;
}
