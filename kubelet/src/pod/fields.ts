// Values of the downward API: `fieldRef` paths and `resourceFieldRef` resources of a pod, as env vars and volume files see them.
import { parseQuantity, quantityToNumber, type Pod } from '@keelson/api';

/** The value at a fieldRef path; unknown paths are refused by validation, so they read as empty here. */
export function fieldRefValue(pod: Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m !== null) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default:
      return '';
  }
}

/**
 * A container's request or limit divided by `divisor` and rounded up, as the kubelet does; an unset limit reads as
 * the node's allocatable amount (`nodeAllocatable`).
 */
export function resourceFieldRefValue(
  pod: Pod,
  ref: { containerName?: string; resource: string; divisor?: string | number },
  containerName?: string,
  nodeAllocatable: Record<string, string> = {},
): string {
  const name = ref.containerName ?? containerName;
  const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  const values = kind === 'limits' ? container?.resources?.limits : container?.resources?.requests;
  let raw = values?.[resource];
  if (raw === undefined && kind === 'limits') raw = nodeAllocatable[resource];
  if (raw === undefined) return '0';
  const amount = quantityToNumber(parseQuantity(String(raw)));
  const divisor = ref.divisor === undefined || ref.divisor === '' || ref.divisor === 0 ? 1 : quantityToNumber(parseQuantity(String(ref.divisor)));
  return String(Math.ceil(amount / divisor));
}
