// What each subresource serves (response kind and verbs), as a real API server lists it in discovery.
import { subresourceKinds, type ResourceInfo, type Subresource } from '@keelson/api';
import type { GroupVersionKind } from './types';

/** One subresource of one resource, as discovery describes it. */
export interface SubresourceDescriptor {
  /** `status`, `scale`, … */
  subresource: Subresource;
  /** The kind the endpoint returns; its group and version may differ from the parent's. */
  responseKind: GroupVersionKind;
  /** Sorted, as upstream lists verbs. */
  verbs: readonly string[];
}

const readWrite = ['get', 'patch', 'update'] as const;
const connect = ['create', 'get'] as const;

/**
 * Per subresource, not per kind: the parent's kind stands in where upstream uses it
 * (`pods/status` → Pod, `pods/log` → Pod), connect subresources return `<Kind><Sub>Options`
 * (`pods/exec` → PodExecOptions, as nodes/proxy → NodeProxyOptions), and the rest name a
 * fixed kind of another group (`…/scale` → autoscaling/v1 Scale, `pods/eviction` → policy/v1
 * Eviction). A Record, so a new Subresource in the registry does not compile until described.
 */
const table: Readonly<Record<Subresource, (parent: GroupVersionKind) => Omit<SubresourceDescriptor, 'subresource'>>> = {
  status: (p) => ({ responseKind: p, verbs: readWrite }),
  scale: () => ({ responseKind: gvk(subresourceKinds.Scale), verbs: readWrite }),
  binding: () => ({ responseKind: gvk(subresourceKinds.Binding), verbs: ['create'] }),
  log: (p) => ({ responseKind: p, verbs: ['get'] }),
  exec: (p) => ({ responseKind: { ...p, kind: `${p.kind}ExecOptions` }, verbs: connect }),
  attach: (p) => ({ responseKind: { ...p, kind: `${p.kind}AttachOptions` }, verbs: connect }),
  portforward: (p) => ({ responseKind: { ...p, kind: `${p.kind}PortForwardOptions` }, verbs: connect }),
  eviction: () => ({ responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] }),
};

function gvk(k: { group: string; version: string; kind: string }): GroupVersionKind {
  return { group: k.group, version: k.version, kind: k.kind };
}

/** The subresources of a resource, sorted by name as discovery lists them. */
export function subresourcesOf(info: ResourceInfo): SubresourceDescriptor[] {
  const parent = gvk(info);
  return [...info.subresources].sort().map((s) => ({ subresource: s, ...table[s](parent) }));
}
