// PodTopologySpread filter: whenUnsatisfiable DoNotSchedule constraints (maxSkew, minDomains, node inclusion policies).
import { selectorFromLabelSelector, type Selector, type TopologySpreadConstraint } from '@keelson/api';
import { untoleratedScheduleTaint } from '../framework/helpers';
import type { NodeInfo } from '../framework/node-info';
import type { PodInfo } from '../framework/pod-info';
import { unresolvable, unschedulable, type FilterPlugin } from '../framework/types';
import { requiredNodeAffinity } from './node-affinity';

export const podTopologySpreadName = 'PodTopologySpread';
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

const skewRejected = unschedulable(errReasonConstraintsNotMatch);
const labelRejected = unresolvable(errReasonNodeLabelNotMatch);

interface Constraint {
  topologyKey: string;
  maxSkew: number;
  minDomains: number;
  selector: Selector;
  /** Does the incoming pod itself match (it then adds one to the domain it lands in)? */
  selfMatch: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function parseConstraints(pod: PodInfo, all: readonly TopologySpreadConstraint[]): Constraint[] {
  return all
    .filter((c) => (c.whenUnsatisfiable || 'DoNotSchedule') === 'DoNotSchedule')
    .map((c) => {
      let selector = selectorFromLabelSelector(c.labelSelector);
      for (const key of c.matchLabelKeys ?? []) {
        const v = pod.labels[key];
        if (v !== undefined) selector = selector.add({ key, operator: 'in', values: [v] });
      }
      return {
        topologyKey: c.topologyKey,
        maxSkew: c.maxSkew,
        minDomains: c.minDomains ?? 1,
        selector,
        selfMatch: selector.matches(pod.labels) ? 1 : 0,
        honorAffinity: (c.nodeAffinityPolicy || 'Honor') === 'Honor',
        honorTaints: c.nodeTaintsPolicy === 'Honor',
      };
    });
}

function countMatching(node: NodeInfo, namespace: string, selector: Selector): number {
  let n = 0;
  for (const p of node.pods.values()) if (!p.terminating && p.namespace === namespace && selector.matches(p.labels)) n++;
  return n;
}

/**
 * Kubernetes' PodTopologySpread filter. PreFilter counts matching pods (same namespace,
 * not terminating) per domain over the nodes that count: nodes carrying every constraint's
 * topology key, matching the pod's node selector and required affinity (nodeAffinityPolicy
 * Honor, the default) and, with nodeTaintsPolicy Honor, without untolerated taints. A node
 * then fits when `count(its domain) + self − min(count over domains) ≤ maxSkew`, the minimum
 * being 0 while there are fewer domains than minDomains.
 */
export function podTopologySpread(): FilterPlugin {
  return {
    name: podTopologySpreadName,
    preFilter(pod, snapshot) {
      const spec = pod.pod.spec?.topologySpreadConstraints ?? [];
      if (spec.length === 0) return undefined;
      let constraints: Constraint[];
      try {
        constraints = parseConstraints(pod, spec);
      } catch (e: unknown) {
        return unresolvable(`parsing pod: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (constraints.length === 0) return undefined;
      const affinity = requiredNodeAffinity(pod.pod);
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of snapshot.nodes) {
        if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
        constraints.forEach((c, i) => {
          if (c.honorAffinity && affinity !== undefined && !affinity(node)) return;
          if (c.honorTaints && untoleratedScheduleTaint(node.taints, pod.tolerations) !== undefined) return;
          const domain = node.labels[c.topologyKey] ?? '';
          const m = counts[i] as Map<string, number>;
          m.set(domain, (m.get(domain) ?? 0) + countMatching(node, pod.namespace, c.selector));
        });
      }
      const minimums = counts.map((m, i) => {
        if (m.size < (constraints[i]?.minDomains ?? 1)) return 0;
        let min = Infinity;
        for (const v of m.values()) if (v < min) min = v;
        return min === Infinity ? 0 : min;
      });
      return (node) => {
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i] as Constraint;
          const domain = node.labels[c.topologyKey];
          if (domain === undefined) return labelRejected;
          const skew = (counts[i]?.get(domain) ?? 0) + c.selfMatch - (minimums[i] ?? 0);
          if (skew > c.maxSkew) return skewRejected;
        }
        return undefined;
      };
    },
  };
}
