// The EndpointSlice reconcile: endpoints grouped by address type and port set, in slices of at most 100, reusing the slices there are.
import { isStatusError, type Endpoint, type EndpointSlice, type EndpointSlicePort, type Pod, type Service } from '@keelson/api';
import { splitKey, type Lister, type Logger, type RestClient } from '@keelson/client';
import { canonicalJson, fnv32a, safeEncode } from '../common/hash';
import { isPodReady } from '../common/pods';
import { managesEndpoints, podPorts, selectedPods, shouldPodBeInEndpoints } from '../endpoints/addresses';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedBy = 'endpointslice-controller.k8s.io';
/** Endpoints per slice (kube-controller-manager --max-endpoints-per-slice default). */
export const maxEndpointsPerSlice = 100;

export interface EndpointSliceSyncDeps {
  client: RestClient;
  services: Lister<Service>;
  pods: Lister<Pod>;
  slices: Lister<EndpointSlice>;
  logger: Logger;
  maxEndpointsPerSlice: number;
}

type AddressType = 'IPv4' | 'IPv6';

/** One pod as a slice endpoint: ready (and not terminating), serving (ready even while terminating), terminating. */
export function podEndpoint(pod: Pod, svc: Service): Endpoint {
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  const serving = svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
  const e: Endpoint = {
    addresses: [pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? ''],
    conditions: { ready: serving && !terminating, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') e.nodeName = pod.spec.nodeName;
  if (pod.spec?.hostname !== undefined && pod.spec.hostname !== '' && pod.spec.subdomain === svc.metadata?.name) e.hostname = pod.spec.hostname;
  return e;
}

interface Group {
  addressType: AddressType;
  ports: EndpointSlicePort[];
  endpoints: Endpoint[];
}

/** The desired endpoints of a Service, grouped by address type and the exact set of ports they serve. */
export function desiredGroups(svc: Service, pods: readonly Pod[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const endpoint = podEndpoint(pod, svc);
    const addressType: AddressType = (endpoint.addresses[0] ?? '').includes(':') ? 'IPv6' : 'IPv4';
    const ports: EndpointSlicePort[] = podPorts(pod, svc)
      .map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) }))
      .sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
    const key = `${addressType}|${canonicalJson(ports)}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { addressType, ports, endpoints: [] };
      groups.set(key, g);
    }
    g.endpoints.push(endpoint);
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => ((a.addresses[0] ?? '') < (b.addresses[0] ?? '') ? -1 : 1));
  return groups;
}

/** The key a slice is grouped under: its address type and ports. */
function sliceKey(s: EndpointSlice): string {
  const ports = [...(s.ports ?? [])].map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) })).sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  return `${s.addressType}|${canonicalJson(ports)}`;
}

/**
 * Reconciles the EndpointSlices of Service `namespace/name`:
 *
 *   Service gone ─► nothing (its slices are owned by it: the garbage collector removes them)
 *   desired endpoints by (address type, ports) ─► chunks of maxEndpointsPerSlice
 *   per group: existing managed slices of that group are updated in place (name order), missing
 *   chunks created, surplus slices deleted; slices of groups no longer wanted are deleted
 *
 * Slice names are deterministic (`<service>-<hash of group>[-n]`) rather than generated, so a
 * sync on a stale cache cannot create a second copy: it fails AlreadyExists and retries.
 */
export async function syncEndpointSlices(d: EndpointSliceSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const ns = namespace ?? '';
  const svc = d.services.get(namespace, name);
  if (svc === undefined || !managesEndpoints(svc)) return;
  const api = d.client.resource('discovery.k8s.io/v1', 'EndpointSlice').namespace(ns);
  const existing = d.slices
    .namespace(ns)
    .list({ [serviceNameLabel]: name, [managedByLabel]: managedBy })
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const groups = desiredGroups(svc, selectedPods(d.pods, svc));
  const labels = { ...(svc.metadata?.labels ?? {}), [serviceNameLabel]: name, [managedByLabel]: managedBy };
  const owner = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
  const used = new Set<string>();

  for (const [gkey, g] of groups) {
    const base = `${name}-${safeEncode(String(fnv32a(new TextEncoder().encode(gkey))))}`;
    const mine = existing.filter((s) => sliceKey(s) === gkey);
    const chunks: Endpoint[][] = [];
    for (let i = 0; i < g.endpoints.length; i += d.maxEndpointsPerSlice) chunks.push(g.endpoints.slice(i, i + d.maxEndpointsPerSlice));
    for (const [i, endpoints] of chunks.entries()) {
      const current = mine[i];
      const desired: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: current?.metadata?.name ?? (i === 0 ? base : `${base}-${i}`), namespace: ns, labels, ownerReferences: [owner] },
        addressType: g.addressType,
        endpoints,
        ports: g.ports,
      };
      used.add(desired.metadata?.name ?? '');
      if (current === undefined) {
        await api.create(desired);
        continue;
      }
      if (canonicalJson([current.endpoints, current.ports ?? [], current.metadata?.labels ?? {}]) === canonicalJson([desired.endpoints, desired.ports, labels])) continue;
      await api.update({ ...desired, metadata: { ...structuredClone(current.metadata), labels, ownerReferences: [owner] } });
    }
  }
  for (const s of existing) {
    const sname = s.metadata?.name ?? '';
    if (used.has(sname)) continue;
    try {
      await api.delete(sname);
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
