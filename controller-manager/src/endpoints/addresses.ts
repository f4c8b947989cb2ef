// From a Service and its pods to endpoint addresses and ports: which pods count, their readiness, target ports, canonical subsets.
import { selectorFromSet, type EndpointAddress, type EndpointPort, type EndpointSubset, type Pod, type Service, type ServicePort } from '@keelson/api';
import type { Lister } from '@keelson/client';
import { isPodReady } from '../common/pods';

/** A Service that gets endpoints from this controller: it has a selector and is not ExternalName. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.selector !== undefined;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** The pods a Service selects (a selector-less Service selects none here). */
export function selectedPods(pods: Lister<Pod>, svc: Service): Pod[] {
  if (svc.spec?.selector === undefined) return [];
  return pods.namespace(svc.metadata?.namespace ?? '').list(selectorFromSet(svc.spec.selector));
}

/**
 * Whether a pod appears in endpoints (ShouldPodBeInEndpoints): it has an IP and has not
 * finished; a terminating pod only where terminating endpoints are wanted (EndpointSlices).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if ((pod.status?.podIP ?? '') === '' && (pod.status?.podIPs ?? []).length === 0) return false;
  return includeTerminating || pod.metadata?.deletionTimestamp === undefined;
}

/** The pod port a Service port targets: a number as is, a name looked up among the pod's container ports (podutil.FindPort). */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

/** The endpoint ports of one pod for a Service (ports whose named target the pod lacks are left out). */
export function podPorts(pod: Pod, svc: Service): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name !== undefined && sp.name !== '') ep.name = sp.name;
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** The address of a pod, pointing back at it; with a hostname when the pod asks for one under this Service. */
export function podAddress(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') a.nodeName = pod.spec.nodeName;
  if (pod.spec?.hostname !== undefined && pod.spec.hostname !== '' && pod.spec.subdomain === svc.metadata?.name) a.hostname = pod.spec.hostname;
  return a;
}

/** Ready for traffic, or published anyway (publishNotReadyAddresses). */
export function isEndpointReady(pod: Pod, svc: Service): boolean {
  return svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}/${a.targetRef?.uid ?? ''}`;
}

/**
 * The Endpoints subsets for a Service, in canonical form (RepackSubsets): addresses grouped
 * by the exact set of ports they serve, ready ones in `addresses` and the others in
 * `notReadyAddresses`, everything sorted.
 */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const headless = isHeadless(svc) && (svc.spec?.ports ?? []).length === 0;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, false)) continue;
    const ports = podPorts(pod, svc).sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
    if (ports.length === 0 && !headless) continue;
    const key = ports.map(portKey).join(',');
    let g = groups.get(key);
    if (g === undefined) {
      g = { ports, ready: [], notReady: [] };
      groups.set(key, g);
    }
    (isEndpointReady(pod, svc) ? g.ready : g.notReady).push(podAddress(pod, svc));
  }
  const byKey = (a: EndpointAddress, b: EndpointAddress): number => (addressKey(a) < addressKey(b) ? -1 : addressKey(a) > addressKey(b) ? 1 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length > 0) s.addresses = g.ready.sort(byKey);
      if (g.notReady.length > 0) s.notReadyAddresses = g.notReady.sort(byKey);
      if (g.ports.length > 0) s.ports = g.ports;
      return s;
    });
}
