// SelectorSpread score: spread pods of the same controller (ReplicaSet, StatefulSet, Job, …) across nodes and zones.
import type { NodeInfo } from '../framework/node-info';
import { maxNodeScore, type ScorePlugin } from '../framework/types';

export const selectorSpreadName = 'SelectorSpread';

/** Weight of the zone spread against the node spread, as in Kubernetes' SelectorSpread. */
const zoneWeighting = 2 / 3;

/**
 * Kubernetes' SelectorSpread (the predecessor of topology spread's system defaults), keyed
 * by controller: a node scores 100 × (most siblings on any node − siblings here) / most,
 * blended 1/3 : 2/3 with the same figure per zone when nodes carry zone labels. Pods without a
 * controller are not spread.
 */
export function selectorSpreadScore(): ScorePlugin {
  return {
    name: selectorSpreadName,
    preScore(pod, feasible) {
      const owner = pod.controllerUid;
      if (owner === undefined) return undefined;
      // Controller UIDs are unique cluster-wide, so the UID alone names the siblings.
      return {
        score: (node: NodeInfo) => node.ownerCounts.get(owner) ?? 0,
        normalize(scores) {
          let maxByNode = 0;
          const byZone = new Map<string, number>();
          for (let i = 0; i < feasible.length; i++) {
            const s = scores[i] ?? 0;
            if (s > maxByNode) maxByNode = s;
            const zone = feasible[i]?.zoneKey;
            if (zone !== undefined) byZone.set(zone, (byZone.get(zone) ?? 0) + s);
          }
          let maxByZone = 0;
          for (const v of byZone.values()) maxByZone = Math.max(maxByZone, v);
          const haveZones = byZone.size > 0;
          for (let i = 0; i < feasible.length; i++) {
            const s = scores[i] ?? 0;
            let f = maxByNode > 0 ? (maxNodeScore * (maxByNode - s)) / maxByNode : maxNodeScore;
            const zone = feasible[i]?.zoneKey;
            if (haveZones && zone !== undefined) {
              const zs = maxByZone > 0 ? (maxNodeScore * (maxByZone - (byZone.get(zone) ?? 0))) / maxByZone : maxNodeScore;
              f = f * (1 - zoneWeighting) + zoneWeighting * zs;
            }
            scores[i] = Math.floor(f);
          }
        },
      };
    },
  };
}
