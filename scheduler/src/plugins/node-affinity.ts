// NodeAffinity: filter by spec.nodeSelector and required node affinity; score by preferred node affinity.
import type { Labels, NodeSelectorTerm, Pod } from '@keelson/api';
import { nodeSelectorMatches, nodeSelectorTermMatches } from '../framework/helpers';
import type { NodeInfo } from '../framework/node-info';
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework/types';

export const nodeAffinityName = 'NodeAffinity';
export const errReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";

const rejected = unresolvable(errReasonNodeAffinity);

/** spec.nodeSelector and the required node affinity together (what topology spread's nodeAffinityPolicy: Honor uses too). */
export function requiredNodeAffinity(pod: Pod): ((node: NodeInfo) => boolean) | undefined {
  const selector = pod.spec?.nodeSelector ?? {};
  const entries = Object.entries(selector);
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (entries.length === 0 && required == null) return undefined;
  return (node) => {
    const labels: Labels = node.labels;
    for (const [k, v] of entries) if (labels[k] !== v) return false;
    return required == null || nodeSelectorMatches(required, node.name, labels);
  };
}

export function nodeAffinity(): FilterPlugin {
  return {
    name: nodeAffinityName,
    preFilter(pod) {
      const matches = requiredNodeAffinity(pod.pod);
      if (matches === undefined) return undefined;
      return (node) => (matches(node) ? undefined : rejected);
    },
  };
}

export function nodeAffinityScore(): ScorePlugin {
  return {
    name: nodeAffinityName,
    preScore(pod) {
      const preferred = (pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((p) => p.weight !== 0);
      if (preferred.length === 0) return undefined;
      const terms: { term: NodeSelectorTerm; weight: number }[] = preferred.map((p) => ({ term: p.preference, weight: p.weight }));
      return {
        score(node) {
          let sum = 0;
          for (const t of terms) if (nodeSelectorTermMatches(t.term, node.name, node.labels)) sum += t.weight;
          return sum;
        },
        normalize: (scores) => defaultNormalize(scores, false),
      };
    },
  };
}
