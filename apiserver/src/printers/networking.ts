// Service, Endpoints and EndpointSlice rows: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) like `80:30080/TCP`, and endpoint lists.
import type { EndpointSlice, Endpoints, Service, ServicePort } from '@keelson/api';
import { since } from './duration';
import { formatLabels, joinHostPort, listWithMore } from './format';
import { ageColumn, column, definePrinter, nameColumn, wide } from './printer';

/** PORT(S): `80/TCP`, or `80:30080/TCP` when a node port is allocated; `<none>` without ports. */
export function portsCell(ports: readonly ServicePort[] | undefined): string {
  const pieces = (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return pieces.length === 0 ? '<none>' : pieces.join(',');
}

/** Load-balancer ingress IPs (or hostnames), deduplicated and sorted as sets.String does. */
function loadBalancerIngress(svc: Service): string[] {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort();
}

/** EXTERNAL-IP: external IPs, load-balancer ingress (`<pending>` until assigned), or the ExternalName. */
export function externalIPCell(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const servicePrinter = definePrinter<Service>(
  [
    nameColumn,
    column('Type', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.'),
    column('Port(s)', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    ageColumn,
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.'),
  ],
  (svc, { now }) => [
    svc.metadata?.name ?? '',
    svc.spec?.type ?? 'ClusterIP',
    svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>',
    externalIPCell(svc),
    portsCell(svc.spec?.ports),
    since(svc.metadata?.creationTimestamp, now),
    formatLabels(svc.spec?.selector),
  ],
);

/** formatEndpoints: `10.0.0.1:80,10.0.0.2:80 + 3 more...`; addresses alone for port-less (headless) subsets. */
export function endpointsCell(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if ((ss.ports ?? []).length === 0) {
      all.push(...addresses.map((a) => a.ip));
      continue;
    }
    for (const port of ss.ports ?? []) all.push(...addresses.map((a) => joinHostPort(a.ip, port.port)));
  }
  return listWithMore(all, 3, '');
}

export const endpointsPrinter = definePrinter<Endpoints>(
  [nameColumn, column('Endpoints', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share.'), ageColumn],
  (ep, { now }) => [ep.metadata?.name ?? '', endpointsCell(ep), since(ep.metadata?.creationTimestamp, now)],
);

export const endpointSlicePrinter = definePrinter<EndpointSlice>(
  [
    nameColumn,
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  (slice, { now }) => [
    slice.metadata?.name ?? '',
    slice.addressType,
    listWithMore(
      (slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '*'))),
      3,
      '<unset>',
    ),
    listWithMore(
      (slice.endpoints ?? []).flatMap((e) => e.addresses),
      3,
      '<unset>',
    ),
    since(slice.metadata?.creationTimestamp, now),
  ],
);
