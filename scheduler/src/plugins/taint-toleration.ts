// TaintToleration: filter out nodes with an untolerated NoSchedule/NoExecute taint; prefer nodes with fewer untolerated PreferNoSchedule taints.
import { tolerationsTolerateTaint, untoleratedScheduleTaint } from '../framework/helpers';
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin, type Status } from '../framework/types';

export const taintTolerationName = 'TaintToleration';

export function taintToleration(): FilterPlugin {
  // One status per distinct taint, so a cycle over many nodes with the same taint allocates once.
  const statuses = new Map<string, Status>();
  return {
    name: taintTolerationName,
    preFilter(pod) {
      return (node) => {
        if (node.taints.length === 0) return undefined;
        const taint = untoleratedScheduleTaint(node.taints, pod.tolerations);
        if (taint === undefined) return undefined;
        const reason = `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
        let status = statuses.get(reason);
        if (status === undefined) {
          if (statuses.size > 1000) statuses.clear();
          status = unresolvable(reason);
          statuses.set(reason, status);
        }
        return status;
      };
    },
  };
}

export function taintTolerationScore(): ScorePlugin {
  return {
    name: taintTolerationName,
    preScore(pod, feasible) {
      if (!feasible.some((n) => n.taints.some((t) => t.effect === 'PreferNoSchedule'))) return undefined;
      const tolerations = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      return {
        score: (node) => node.taints.filter((t) => t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, t)).length,
        normalize: (scores) => defaultNormalize(scores, true),
      };
    },
  };
}
