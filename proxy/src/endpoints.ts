// From Services and EndpointSlices to the proxy's view: one entry per Service port with its usable endpoints.
import type { EndpointSlice, Service } from '@keelson/api';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  ip: string;
  port: number;
  /** Node the endpoint runs on, when the slice says. */
  nodeName?: string;
}

/** One port of one Service, as the proxy programs it. */
export interface ServicePortInfo {
  namespace: string;
  name: string;
  /** The Service port's name ('' for an unnamed single port). */
  portName: string;
  protocol: Protocol;
  clusterIP: string | undefined;
  port: number;
  nodePort: number | undefined;
  /** ClientIP affinity timeout in seconds, undefined without affinity. */
  affinitySeconds: number | undefined;
  /** externalTrafficPolicy: Local (NodePort traffic only to endpoints on this node, no masquerade). */
  externalLocal: boolean;
  /** internalTrafficPolicy: Local. */
  internalLocal: boolean;
  /** Endpoints traffic may go to: ready ones, or serving-and-terminating ones when none is ready (upstream's fallback). */
  endpoints: Endpoint[];
}

export const serviceNameLabel = 'kubernetes.io/service-name';

/** Default ClientIP affinity timeout (3 hours), as Kubernetes. */
export const defaultAffinitySeconds = 10800;

export interface EndpointOptions {
  /** ClusterIPs this proxy leaves alone (the node-local DNS address it serves itself). */
  excludeIPs?: ReadonlySet<string>;
}

/** Indexes slices by `namespace/service`. */
export function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    if (!svc || s.addressType !== 'IPv4') continue;
    const key = `${s.metadata?.namespace ?? ''}/${svc}`;
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/**
 * The proxied ports of every Service: headless and ExternalName Services and excluded IPs have
 * none. A Service port's endpoints come from slice ports of the same name and protocol (the
 * slice port number is the resolved targetPort, named ports included).
 */
export function servicePorts(services: readonly Service[], slices: readonly EndpointSlice[], o: EndpointOptions = {}): ServicePortInfo[] {
  const bySvc = slicesByService(slices);
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    if (clusterIP !== undefined && o.excludeIPs?.has(clusterIP)) continue;
    const svcSlices = bySvc.get(`${ns}/${name}`) ?? [];
    const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      const nodePort = nodePorts && p.nodePort ? p.nodePort : undefined;
      if (clusterIP === undefined && nodePort === undefined) continue;
      out.push({
        namespace: ns,
        name,
        portName: p.name ?? '',
        protocol,
        clusterIP,
        port: p.port,
        nodePort,
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinitySeconds) : undefined,
        externalLocal: nodePort !== undefined && spec.externalTrafficPolicy === 'Local',
        internalLocal: spec.internalTrafficPolicy === 'Local',
        endpoints: usableEndpoints(svcSlices, p.name ?? '', protocol),
      });
    }
  }
  return out;
}

/** Ready endpoints of one port; when there are none, the serving-and-terminating ones. Deduplicated, sorted. */
export function usableEndpoints(slices: readonly EndpointSlice[], portName: string, protocol: Protocol): Endpoint[] {
  const ready = new Map<string, Endpoint>();
  const terminating = new Map<string, Endpoint>();
  for (const s of slices) {
    const sp = (s.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
    if (sp?.port === undefined || sp.port === null) continue;
    for (const e of s.endpoints) {
      const c = e.conditions ?? {};
      // An unset `ready` means ready; `serving` defaults to `ready` (EndpointSlice API).
      const isReady = c.ready !== false;
      const isServing = c.serving ?? isReady;
      for (const ip of e.addresses.slice(0, 1)) {
        const ep: Endpoint = { ip, port: sp.port, ...(e.nodeName ? { nodeName: e.nodeName } : {}) };
        const key = `${ip}:${sp.port}`;
        if (isReady && c.terminating !== true) ready.set(key, ep);
        else if (isServing && c.terminating === true) terminating.set(key, ep);
      }
    }
  }
  const chosen = ready.size > 0 ? ready : terminating;
  return [...chosen.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : compareIPs(a.ip, b.ip)));
}

function compareIPs(a: string, b: string): number {
  const na = a.split('.').map(Number);
  const nb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if ((na[i] ?? 0) !== (nb[i] ?? 0)) return (na[i] ?? 0) - (nb[i] ?? 0);
  return 0;
}
