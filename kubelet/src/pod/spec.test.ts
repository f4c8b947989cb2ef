// QoS classes, cgroup conversions and DNS settings derived from a Pod spec.
import type { Container, Pod } from '@keelson/api';
import { containerResources, dnsConfig, podCgroup, qosClass, sandboxConfig } from './spec';

function pod(containers: Container[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers, ...extra } };
}

describe('qosClass', () => {
  it('classifies as Kubernetes does', () => {
    expect(qosClass(pod([{ name: 'a' }]))).toBe('BestEffort');
    expect(qosClass(pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }]))).toBe('Guaranteed');
    expect(qosClass(pod([{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }]))).toBe('Guaranteed');
    expect(qosClass(pod([{ name: 'a', resources: { requests: { cpu: '500m' } } }]))).toBe('Burstable');
    expect(qosClass(pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }]))).toBe('Burstable');
    expect(podCgroup(pod([{ name: 'a' }]))).toBe('besteffort/podu1');
    expect(podCgroup(pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }]))).toBe('podu1');
  });
});

describe('containerResources', () => {
  it('turns requests into shares and limits into CFS quota and a memory limit, with QoS oom_score_adj', () => {
    const c: Container = { name: 'a', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } };
    expect(containerResources(pod([c]), c, 4 * 1024 ** 3)).toEqual({ cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 512 * 1024 ** 2, oomScoreAdj: 938, pidsLimit: 0 });
    const g: Container = { name: 'a', resources: { limits: { cpu: '2', memory: '1Gi' } } };
    expect(containerResources(pod([g]), g, 4 * 1024 ** 3)).toMatchObject({ cpuShares: 2048, cpuQuota: 200000, oomScoreAdj: -997 });
    const b: Container = { name: 'a' };
    expect(containerResources(pod([b]), b, 4 * 1024 ** 3)).toMatchObject({ cpuShares: 2, cpuQuota: 0, memoryLimitInBytes: 0, oomScoreAdj: 1000 });
  });
});

describe('DNS and sandbox config', () => {
  const dns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
  it('gives ClusterFirst pods the cluster DNS, search path and ndots:5; Default pods the node\'s', () => {
    expect(dnsConfig(pod([{ name: 'a' }]), dns)).toEqual({ servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
    expect(dnsConfig(pod([{ name: 'a' }], { dnsPolicy: 'Default' }), dns)).toEqual({ servers: [], searches: [], options: [] });
    expect(dnsConfig(pod([{ name: 'a' }], { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] } }), dns)).toEqual({ servers: ['1.1.1.1'], searches: [], options: ['ndots:2'] });
  });

  it('names the pod by hostname/subdomain and maps hostPorts', () => {
    const p = pod([{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }], { hostname: 'db-0', subdomain: 'db' });
    const s = sandboxConfig(p, 0, '/var/lib/k', dns);
    expect(s.hostname).toBe('db-0');
    expect(s.fqdn).toBe('db-0.db.ns.svc.cluster.local');
    expect(s.portMappings).toEqual([{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
    expect(s.logDirectory).toBe('/var/lib/k/logs/pods/ns_p_u1');
  });
});
