// From a Pod spec to what the runtime is asked for: sandbox config (hostname, DNS, ports, cgroup), container resources, QoS, log paths, labels.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { milliValue, parseQuantity, quantityToNumber, type Container, type Pod } from '@keelson/api';
import type { ContainerConfigInput, PodSandboxConfigInput } from '../shim/types';

export const labelPodName = 'io.kubernetes.pod.name';
export const labelPodNamespace = 'io.kubernetes.pod.namespace';
export const labelPodUid = 'io.kubernetes.pod.uid';
export const labelContainerName = 'io.kubernetes.container.name';
export const annotationContainerHash = 'io.kubernetes.container.hash';
export const annotationRestartCount = 'io.kubernetes.container.restartCount';
export const annotationTerminationGrace = 'io.kubernetes.pod.terminationGracePeriod';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const milli = (q: string | number | undefined): number | undefined => (q === undefined ? undefined : Number(milliValue(parseQuantity(String(q)))));
const bytes = (q: string | number | undefined): number | undefined => (q === undefined ? undefined : quantityToNumber(parseQuantity(String(q))));

/** Kubernetes' QoS class: Guaranteed when every container's cpu and memory limits equal its requests, BestEffort when nothing is set. */
export function qosClass(pod: Pod): QOSClass {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (q !== undefined || l !== undefined) any = true;
      if (l === undefined || q === undefined || milli(q) !== milli(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The pod's cgroup under the shim's root, as the kubelet lays out kubepods: Guaranteed pods at the top, others under their class. */
export function podCgroup(pod: Pod): string {
  const uid = pod.metadata?.uid ?? '';
  const qos = qosClass(pod);
  return qos === 'Guaranteed' ? `pod${uid}` : `${qos.toLowerCase()}/pod${uid}`;
}

export function podLogDir(rootDir: string, pod: Pod): string {
  return path.join(rootDir, 'logs', 'pods', `${pod.metadata?.namespace ?? 'default'}_${pod.metadata?.name ?? ''}_${pod.metadata?.uid ?? ''}`);
}

/** A container's restart-relevant spec hash: a changed hash means the container is replaced. */
export function containerHash(c: Container): string {
  const { resources: _r, ...rest } = c;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 8);
}

export interface DnsSettings {
  clusterDNS: string[];
  clusterDomain: string;
}

/** resolv.conf content for the pod's dnsPolicy; undefined servers/searches means "the node's" (Default). */
export function dnsConfig(pod: Pod, dns: DnsSettings): { servers: string[]; searches: string[]; options: string[] } {
  const spec = pod.spec;
  const ns = pod.metadata?.namespace ?? 'default';
  let policy = spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec?.hostNetwork === true) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (policy === 'ClusterFirst' && dns.clusterDNS.length > 0) {
    servers = [...dns.clusterDNS];
    searches = [`${ns}.svc.${dns.clusterDomain}`, `svc.${dns.clusterDomain}`, dns.clusterDomain];
    options = ['ndots:5'];
  }
  const extra = spec?.dnsConfig;
  if (extra !== undefined) {
    servers = [...servers, ...(extra.nameservers ?? [])];
    searches = [...searches, ...(extra.searches ?? [])];
    for (const o of extra.options ?? []) {
      const text = o.value !== undefined ? `${o.name ?? ''}:${o.value}` : (o.name ?? '');
      options = [...options.filter((x) => x.split(':')[0] !== o.name), text];
    }
  }
  return { servers, searches, options };
}

export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname ?? pod.metadata?.name ?? '').slice(0, 63);
}

export function sandboxConfig(pod: Pod, attempt: number, rootDir: string, dns: DnsSettings): PodSandboxConfigInput {
  const meta = pod.metadata ?? {};
  const hostname = podHostname(pod);
  const subdomain = pod.spec?.subdomain;
  const ports = (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0).map((p) => ({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort ?? 0, hostIp: p.hostIP ?? '' })),
  );
  const hostNetwork = pod.spec?.hostNetwork === true;
  return {
    metadata: { name: meta.name ?? '', uid: meta.uid ?? '', namespace: meta.namespace ?? 'default', attempt },
    hostname: hostNetwork ? '' : hostname,
    logDirectory: podLogDir(rootDir, pod),
    dnsConfig: dnsConfig(pod, dns),
    portMappings: ports as PodSandboxConfigInput['portMappings'],
    labels: { [labelPodName]: meta.name ?? '', [labelPodNamespace]: meta.namespace ?? 'default', [labelPodUid]: meta.uid ?? '' },
    annotations: {},
    linux: {
      cgroupParent: podCgroup(pod),
      securityContext: {
        namespaceOptions: {
          network: hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID === true ? 'NODE' : pod.spec?.shareProcessNamespace === true ? 'POD' : 'CONTAINER',
          ipc: pod.spec?.hostIPC === true ? 'NODE' : 'POD',
        },
      },
    },
    hostAliases: (pod.spec?.hostAliases ?? []).map((a) => ({ ip: a.ip ?? '', hostnames: a.hostnames ?? [] })),
    fqdn: subdomain !== undefined && subdomain !== '' && dns.clusterDomain !== '' ? `${hostname}.${subdomain}.${meta.namespace ?? 'default'}.svc.${dns.clusterDomain}` : '',
  };
}

/** cgroup settings from requests and limits, as the kubelet converts them (cpu.shares from requests, CFS quota from limits). */
export function containerResources(pod: Pod, c: Container, nodeMemoryBytes: number): NonNullable<NonNullable<ContainerConfigInput['linux']>['resources']> {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuRequest = milli(req.cpu ?? lim.cpu);
  const cpuLimit = milli(lim.cpu);
  const memLimit = bytes(lim.memory);
  const memRequest = bytes(req.memory ?? lim.memory) ?? 0;
  const qos = qosClass(pod);
  let oomScoreAdj: number;
  if (qos === 'Guaranteed') oomScoreAdj = -997;
  else if (qos === 'BestEffort') oomScoreAdj = 1000;
  else oomScoreAdj = Math.min(999, Math.max(2, 1000 - Math.floor((1000 * memRequest) / Math.max(1, nodeMemoryBytes))));
  return {
    cpuShares: cpuRequest === undefined ? 2 : Math.max(2, Math.floor((cpuRequest * 1024) / 1000)),
    cpuPeriod: cpuLimit !== undefined ? 100_000 : 0,
    cpuQuota: cpuLimit !== undefined ? Math.max(1000, Math.floor((cpuLimit * 100_000) / 1000)) : 0,
    memoryLimitInBytes: memLimit ?? 0,
    oomScoreAdj,
    pidsLimit: 0,
  };
}
