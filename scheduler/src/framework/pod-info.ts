// PodInfo: what the plugins need from a pod, computed once per pod version (requests, ports, affinity terms).
import {
  selectorFromLabelSelector,
  type Labels,
  type Pod,
  type PodAffinityTerm,
  type Selector,
  type Toleration,
  type WeightedPodAffinityTerm,
} from '@keelson/api';
import { podRequests, type NonZeroRequests, type Resources } from './resources';

/** A host port a pod claims: `hostIP` defaults to 0.0.0.0, protocol to TCP. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term with its selectors parsed. */
export interface AffinityTerm {
  selector: Selector;
  /** Namespaces the term names (the pod's own when it names neither these nor a namespace selector). */
  namespaces: ReadonlySet<string>;
  /** Matches namespaces by their labels; Selector.nothing() when the term has none. */
  namespaceSelector: Selector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly labels: Labels;
  readonly priority: number;
  /** The node the pod is bound (or assumed) to; '' while pending. */
  readonly nodeName: string;
  readonly terminating: boolean;
  readonly requests: Resources;
  readonly nonZero: NonZeroRequests;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  /** The UID of the pod's controller (its ownerReference with controller: true), for spreading. */
  readonly controllerUid: string | undefined;
  /** Why a selector of the pod could not be parsed; the pod is then unschedulable. */
  readonly parseError: string | undefined;
}

/** Does `term` select `pod`, given the labels of the pod's namespace? */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: Labels | undefined): boolean {
  if (!term.namespaces.has(pod.namespace) && !term.namespaceSelector.matches(namespaceLabels)) return false;
  return term.selector.matches(pod.labels);
}

function parseTerm(pod: Pod, labels: Labels, t: PodAffinityTerm): AffinityTerm {
  let selector = selectorFromLabelSelector(t.labelSelector);
  // matchLabelKeys / mismatchLabelKeys: `key in (pod's value)` / `key notin (pod's value)`.
  if (t.labelSelector) {
    for (const key of t.matchLabelKeys ?? []) {
      const v = labels[key];
      if (v !== undefined) selector = selector.add({ key, operator: 'in', values: [v] });
    }
    for (const key of t.mismatchLabelKeys ?? []) {
      const v = labels[key];
      if (v !== undefined) selector = selector.add({ key, operator: 'notin', values: [v] });
    }
  }
  const ns = pod.metadata?.namespace ?? '';
  const names = t.namespaces ?? [];
  const namespaces = new Set(names.length === 0 && t.namespaceSelector == null ? [ns] : names);
  return { selector, namespaces, namespaceSelector: selectorFromLabelSelector(t.namespaceSelector), topologyKey: t.topologyKey };
}

function parseWeighted(pod: Pod, labels: Labels, terms: readonly WeightedPodAffinityTerm[]): WeightedAffinityTerm[] {
  return terms.map((w) => ({ ...parseTerm(pod, labels, w.podAffinityTerm), weight: w.weight }));
}

function hostPortsOf(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

const none: readonly never[] = Object.freeze([]);

/** Builds the PodInfo of a pod. `nodeName` overrides the pod's (an assumed pod). */
export function podInfo(pod: Pod, nodeName = pod.spec?.nodeName ?? ''): PodInfo {
  const meta = pod.metadata ?? {};
  const labels: Labels = meta.labels ?? {};
  const affinity = pod.spec?.affinity;
  let requiredAffinity: AffinityTerm[] = [];
  let requiredAntiAffinity: AffinityTerm[] = [];
  let preferredAffinity: WeightedAffinityTerm[] = [];
  let preferredAntiAffinity: WeightedAffinityTerm[] = [];
  let parseError: string | undefined;
  try {
    requiredAffinity = (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, labels, t));
    requiredAntiAffinity = (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, labels, t));
    preferredAffinity = parseWeighted(pod, labels, affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
    preferredAntiAffinity = parseWeighted(pod, labels, affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
  } catch (e: unknown) {
    parseError = `parsing pod: ${e instanceof Error ? e.message : String(e)}`;
  }
  const controller = (meta.ownerReferences ?? []).find((r) => r.controller === true);
  return {
    pod,
    uid: meta.uid ?? '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    key: `${meta.namespace ?? ''}/${meta.name ?? ''}`,
    labels,
    priority: pod.spec?.priority ?? 0,
    nodeName,
    terminating: meta.deletionTimestamp != null,
    requests: podRequests(pod),
    nonZero: (() => {
      const r = podRequests(pod, true);
      return { milliCPU: r.milliCPU, memory: r.memory };
    })(),
    hostPorts: hostPortsOf(pod),
    tolerations: pod.spec?.tolerations ?? none,
    requiredAffinity,
    requiredAntiAffinity,
    preferredAffinity,
    preferredAntiAffinity,
    controllerUid: controller?.uid,
    parseError,
  };
}

/** The same pod placed on `nodeName` (what the cache holds for an assumed pod). */
export function onNode(pi: PodInfo, nodeName: string): PodInfo {
  return { ...pi, nodeName };
}

export function hasAffinityTerms(pi: PodInfo): boolean {
  return pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;
}
