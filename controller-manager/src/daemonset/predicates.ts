// Where a daemon pod should run: taints and tolerations, nodeSelector and required node affinity, and the daemon pod's own tolerations and node affinity.
import type { Affinity, DaemonSet, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from '@keelson/api';

/** The field a daemon pod's node affinity names its node by (NodeFieldSelectorKeyNodeName). */
export const nodeNameField = 'metadata.name';

/**
 * The tolerations every daemon pod gets (util.AddOrUpdateDaemonPodTolerations): it is never
 * evicted for a node being not ready or unreachable, and it schedules onto nodes under
 * resource pressure or cordoned; a hostNetwork pod also onto nodes whose network is not up.
 */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const tolerations: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) tolerations.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return tolerations;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');
}

/**
 * Adds `toleration` to `spec`, replacing one with the same key, operator, value and effect
 * (v1helper.AddOrUpdateTolerationInPodSpec): a user's `not-ready` toleration with
 * tolerationSeconds becomes the unbounded one.
 */
export function addOrUpdateToleration(spec: PodSpec, toleration: Toleration): void {
  const current = spec.tolerations ?? [];
  let replaced = false;
  const next = current.map((t) => {
    if (!sameToleration(t, toleration)) return t;
    replaced = true;
    return { ...toleration };
  });
  if (!replaced) next.push({ ...toleration });
  spec.tolerations = next;
}

/** `spec` with the daemon tolerations added (changes `spec`). */
export function addDaemonTolerations(spec: PodSpec): void {
  for (const t of daemonTolerations(spec.hostNetwork === true)) addOrUpdateToleration(spec, t);
}

/** Toleration.ToleratesTaint: effect and key match when set; `Exists` matches any value, `Equal` (or none) the same value. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if ((t.effect ?? '') !== '' && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  const op = t.operator ?? '';
  if (op === 'Exists') return true;
  if (op === '' || op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first taint passing `filter` that no toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

/** One label (or field) requirement against a value; an unknown operator or a bad number matches nothing. */
function requirementMatches(req: NodeSelectorRequirement, has: boolean, value: string): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/**
 * A node selector term (nodeaffinity.nodeSelectorTerm): its label expressions and field
 * requirements (only `metadata.name`, In/NotIn) all hold. A term with neither matches nothing.
 */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (!requirementMatches(e, has, has ? (labels[e.key] ?? '') : '')) return false;
  }
  for (const f of fields) {
    if (f.key !== nodeNameField || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, true, node.metadata?.name ?? '')) return false;
  }
  return true;
}

/** nodeSelector (every label equal) and required node affinity (any term) both admit `node` (GetRequiredNodeAffinity(pod).Match). */
export function matchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return required.nodeSelectorTerms.some((t) => termMatches(t, node));
}

/** What the scheduler would see of a daemon pod for `nodeName` (NewPod): the template, the node, the daemon tolerations. */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const template = structuredClone(ds.spec?.template ?? {});
  const spec: PodSpec = template.spec ?? { containers: [] };
  spec.nodeName = nodeName;
  addDaemonTolerations(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, namespace: ds.metadata?.namespace ?? '' }, spec };
}

/** Whether a daemon pod should be started on a node, and whether one already there may keep running. */
export interface NodePlacement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
  /** Why not, for logs and tests: the untolerated taint, or the selector. */
  reason?: 'NodeName' | 'NodeAffinity' | 'Taint';
}

/**
 * NodeShouldRunDaemonPod: the template's nodeName (if set) and node affinity must admit the
 * node; an untolerated NoSchedule or NoExecute taint stops new pods there, and only an
 * untolerated NoExecute taint also evicts a pod already running.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodePlacement {
  const name = node.metadata?.name ?? '';
  const templateNode = ds.spec?.template?.spec?.nodeName ?? '';
  if (templateNode !== '' && templateNode !== name) return { shouldRun: false, shouldContinueRunning: false, reason: 'NodeName' };
  const pod = newDaemonPod(ds, name);
  if (!matchesNodeAffinity(pod.spec, node)) return { shouldRun: false, shouldContinueRunning: false, reason: 'NodeAffinity' };
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations ?? [];
  if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') === undefined) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: evicting === undefined, reason: 'Taint' };
}

/**
 * `affinity` with its required node affinity replaced by one term selecting `nodeName` by
 * `metadata.name` (ReplaceDaemonSetPodNodeNameNodeAffinity); preferred terms are kept. The
 * scheduler then binds the pod to that node and no other.
 */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: nodeNameField, operator: 'In', values: [nodeName] }] };
  const out: Affinity = structuredClone(affinity ?? {});
  out.nodeAffinity = { ...out.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return out;
}

/**
 * The node a daemon pod is for (util.GetTargetNodeName): spec.nodeName once bound, before that
 * the single `metadata.name In [node]` field requirement of its required node affinity.
 */
export function targetNodeName(pod: Pod): string | undefined {
  const bound = pod.spec?.nodeName ?? '';
  if (bound !== '') return bound;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === nodeNameField && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
