// Matching rules shared by several plugins: tolerations against taints, node selector terms against nodes.
import type { Labels, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from '@keelson/api';

/** Kubernetes' Toleration.ToleratesTaint. An empty key with `Exists` tolerates every taint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first NoSchedule or NoExecute taint no toleration covers (v1helper.FindMatchingUntoleratedTaint). */
export function untoleratedScheduleTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One NodeSelectorTerm: every expression and every field requirement must hold; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, nodeName: string, labels: Labels): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) {
    // metadata.name is the only field Kubernetes supports here.
    if (r.key !== 'metadata.name' || !requirementMatches(r, nodeName)) return false;
  }
  return true;
}

/** A NodeSelector: its terms are ORed. */
export function nodeSelectorMatches(selector: NodeSelector, nodeName: string, labels: Labels): boolean {
  for (const term of selector.nodeSelectorTerms) if (nodeSelectorTermMatches(term, nodeName, labels)) return true;
  return false;
}
