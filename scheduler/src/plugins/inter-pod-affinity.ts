// InterPodAffinity: required pod affinity and anti-affinity (the pod's and existing pods') as a filter; preferred terms as a score.
import type { Labels } from '@keelson/api';
import type { NodeInfo } from '../framework/node-info';
import { termMatches, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../framework/pod-info';
import { unresolvable, unschedulable, type FilterPlugin, type ScorePlugin, type Snapshot } from '../framework/types';

export const interPodAffinityName = 'InterPodAffinity';
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

const affinityRejected = unresolvable(errReasonAffinityRulesNotMatch);
const antiAffinityRejected = unschedulable(errReasonAntiAffinityRulesNotMatch);
const existingAntiAffinityRejected = unschedulable(errReasonExistingAntiAffinityRulesNotMatch);

/** Topology pair `key=value` counts. */
type Counts = Map<string, number>;

function pair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function bump(counts: Counts, term: AffinityTerm, labels: Labels, by: number): void {
  const value = labels[term.topologyKey];
  if (value === undefined) return;
  const k = pair(term.topologyKey, value);
  counts.set(k, (counts.get(k) ?? 0) + by);
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo, nsLabels: Labels | undefined): boolean {
  for (const t of terms) if (!termMatches(t, pod, nsLabels)) return false;
  return terms.length > 0;
}

/**
 * PreFilter counts, per topology pair: existing pods whose required anti-affinity selects the
 * incoming pod, and existing pods that the incoming pod's required affinity / anti-affinity
 * terms select. Filter then looks up the node's pairs. As in Kubernetes, the first pod of a
 * group with affinity to itself may go anywhere its topology keys exist.
 */
export function interPodAffinity(): FilterPlugin {
  return {
    name: interPodAffinityName,
    preFilter(pod, snapshot) {
      if (pod.parseError !== undefined) return unresolvable(pod.parseError);
      const podNsLabels = snapshot.namespaceLabels(pod.namespace);
      const existingAnti: Counts = new Map();
      for (const node of snapshot.nodesWithRequiredAntiAffinityPods()) {
        for (const existing of node.pods.values()) {
          for (const term of existing.requiredAntiAffinity) {
            if (termMatches(term, pod, podNsLabels)) bump(existingAnti, term, node.labels, 1);
          }
        }
      }
      const affinityTerms = pod.requiredAffinity;
      const antiTerms = pod.requiredAntiAffinity;
      if (existingAnti.size === 0 && affinityTerms.length === 0 && antiTerms.length === 0) return undefined;
      const affinity: Counts = new Map();
      const anti: Counts = new Map();
      if (affinityTerms.length > 0 || antiTerms.length > 0) {
        for (const node of snapshot.nodes) {
          for (const existing of node.pods.values()) {
            const nsLabels = snapshot.namespaceLabels(existing.namespace);
            if (affinityTerms.length > 0 && matchesAll(affinityTerms, existing, nsLabels)) {
              for (const term of affinityTerms) bump(affinity, term, node.labels, 1);
            }
            for (const term of antiTerms) if (termMatches(term, existing, nsLabels)) bump(anti, term, node.labels, 1);
          }
        }
      }
      const firstOfItsKind = affinity.size === 0 && matchesAll(affinityTerms, pod, podNsLabels);
      return (node) => {
        let podsExist = true;
        for (const term of affinityTerms) {
          const value = node.labels[term.topologyKey];
          if (value === undefined) return affinityRejected;
          if ((affinity.get(pair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
        }
        if (!podsExist && !firstOfItsKind) return affinityRejected;
        for (const term of antiTerms) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined && (anti.get(pair(term.topologyKey, value)) ?? 0) > 0) return antiAffinityRejected;
        }
        if (existingAnti.size > 0) {
          for (const [key, value] of Object.entries(node.labels)) {
            if ((existingAnti.get(pair(key, value)) ?? 0) > 0) return existingAntiAffinityRejected;
          }
        }
        return undefined;
      };
    },
  };
}

/** Weight of an existing pod's required affinity term that selects the incoming pod (hardPodAffinityWeight). */
export const hardPodAffinityWeight = 1;

function addWeighted(scores: Counts, terms: readonly WeightedAffinityTerm[], target: PodInfo, nsLabels: Labels | undefined, labels: Labels, sign: 1 | -1): void {
  for (const term of terms) if (termMatches(term, target, nsLabels)) bump(scores, term, labels, sign * term.weight);
}

/**
 * Preferred (anti-)affinity, Kubernetes' InterPodAffinity score: every existing pod adds, to
 * its node's topology pairs, the weight of each incoming preferred term selecting it (minus
 * for anti-affinity), and the weight of each of its own terms selecting the incoming pod.
 * A node scores the sum over its pairs; scores are scaled min→0, max→100.
 */
export function interPodAffinityScore(): ScorePlugin {
  return {
    name: interPodAffinityName,
    preScore(pod, _feasible, snapshot: Snapshot) {
      const hasOwn = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
      const nodes = hasOwn ? snapshot.nodes : snapshot.nodesWithAffinityPods();
      if (nodes.length === 0) return undefined;
      const podNsLabels = snapshot.namespaceLabels(pod.namespace);
      const topo: Counts = new Map();
      const consider = (existing: PodInfo, node: NodeInfo): void => {
        if (hasOwn) {
          const nsLabels = snapshot.namespaceLabels(existing.namespace);
          addWeighted(topo, pod.preferredAffinity, existing, nsLabels, node.labels, 1);
          addWeighted(topo, pod.preferredAntiAffinity, existing, nsLabels, node.labels, -1);
        }
        for (const term of existing.requiredAffinity) if (termMatches(term, pod, podNsLabels)) bump(topo, term, node.labels, hardPodAffinityWeight);
        addWeighted(topo, existing.preferredAffinity, pod, podNsLabels, node.labels, 1);
        addWeighted(topo, existing.preferredAntiAffinity, pod, podNsLabels, node.labels, -1);
      };
      for (const node of nodes) for (const existing of node.pods.values()) consider(existing, node);
      if (topo.size === 0) return undefined;
      return {
        score(node) {
          let sum = 0;
          for (const [key, value] of Object.entries(node.labels)) sum += topo.get(pair(key, value)) ?? 0;
          return sum;
        },
        normalize(scores) {
          let min = Infinity;
          let max = -Infinity;
          for (const s of scores) {
            if (s < min) min = s;
            if (s > max) max = s;
          }
          const diff = max - min;
          for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.floor((100 * ((scores[i] ?? 0) - min)) / diff) : 0;
        },
      };
    },
  };
}
