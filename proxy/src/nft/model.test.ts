// The ruleset built from Service ports, and the incremental nft transactions between rulesets.
import { servicePorts, type ServicePortInfo } from '../endpoints';
import type { EndpointSlice, Service } from '@keelson/api';
import { buildRuleset, diffScript, emptyRuleset, endpointChainName, rulesetCounts, serviceChainName } from './model';

function service(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec };
}

function slice(svc: string, ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[], eps: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean; node?: string }[], name = `${svc}-abc`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ...(e.ready !== undefined ? { ready: e.ready } : {}), ...(e.serving !== undefined ? { serving: e.serving } : {}), ...(e.terminating !== undefined ? { terminating: e.terminating } : {}) },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
  };
}

const opts = { nodeName: 'n1', clusterCIDR: '10.244.0.0/16' };

describe('servicePorts', () => {
  it('keeps only ready endpoints, resolves named target ports from the slice, and skips headless and ExternalName', () => {
    const ports = servicePorts(
      [
        service('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
        service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
        service('ext', { type: 'ExternalName', externalName: 'example.com' }),
      ],
      [slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.3' }, { ip: '10.244.0.2', ready: true }, { ip: '10.244.0.9', ready: false }])],
    );
    expect(ports).toHaveLength(1);
    expect(ports[0]?.endpoints).toEqual([{ ip: '10.244.0.2', port: 8080 }, { ip: '10.244.0.3', port: 8080 }]);
  });

  it('falls back to serving terminating endpoints only when none is ready', () => {
    const svc = service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] });
    const eps = [{ ip: '10.244.0.4', ready: false, serving: true, terminating: true }, { ip: '10.244.0.5', ready: false, serving: false, terminating: true }];
    expect(servicePorts([svc], [slice('web', [{ port: 80 }], eps)])[0]?.endpoints.map((e) => e.ip)).toEqual(['10.244.0.4']);
    const withReady = [...eps, { ip: '10.244.0.6', ready: true }];
    expect(servicePorts([svc], [slice('web', [{ port: 80 }], withReady)])[0]?.endpoints.map((e) => e.ip)).toEqual(['10.244.0.6']);
  });

  it('leaves out excluded ClusterIPs (the node-local DNS address)', () => {
    const svc = service('kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(servicePorts([svc], [], { excludeIPs: new Set(['10.96.0.10']) })).toEqual([]);
  });
});

describe('buildRuleset', () => {
  const web = service('web', { type: 'NodePort', clusterIP: '10.96.0.20', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  const webSlice = slice('web', [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }], [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }]);

  it('maps ClusterIP and NodePort to chains that pick a random endpoint, with masquerade, hairpin and affinity', () => {
    const ports = servicePorts([web], [webSlice]);
    const r = buildRuleset(ports, opts);
    const http = ports[0] as ServicePortInfo;
    const svcChain = serviceChainName(http);
    expect(r.maps.get('service-ips')?.elements.get('10.96.0.20 . tcp . 80')).toBe(`goto ${svcChain}`);
    expect(r.maps.get('service-ips')?.elements.get('10.96.0.20 . udp . 53')).toBeDefined();
    expect([...(r.maps.get('service-nodeports')?.elements.keys() ?? [])]).toEqual(['tcp . 30080']);
    const rules = r.chains.get(svcChain)?.rules ?? [];
    expect(rules[0]).toBe('ip daddr 10.96.0.20 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade');
    expect(rules.at(-1)).toMatch(/^numgen random mod 2 vmap \{ 0 : goto endpoint-.*__10\.244\.0\.2\/8080 , 1 : goto endpoint-.*__10\.244\.0\.3\/8080 \}$/);
    expect(rules.filter((x) => x.startsWith('ip saddr @affinity-'))).toHaveLength(2);
    const ep = r.chains.get(endpointChainName(http, { ip: '10.244.0.2', port: 8080 }))?.rules ?? [];
    expect(ep[0]).toBe('ip saddr 10.244.0.2 jump mark-for-masquerade');
    expect(ep[1]).toMatch(/^update @affinity-.* \{ ip saddr \}$/);
    expect(ep[2]).toBe('meta l4proto tcp dnat to 10.244.0.2:8080');
    expect(r.sets.get(`affinity-10800s-${endpointChainName(http, { ip: '10.244.0.2', port: 8080 }).slice(9)}`)).toContain('timeout 10800s');
  });

  it('rejects traffic to Services without endpoints instead of dropping it', () => {
    const r = buildRuleset(servicePorts([web], []), opts);
    expect(r.maps.get('service-ips')?.elements.size).toBe(0);
    expect(r.maps.get('no-endpoint-services')?.elements.get('10.96.0.20 . tcp . 80')).toBe('goto reject-chain');
    expect(r.maps.get('no-endpoint-nodeports')?.elements.get('tcp . 30080')).toBe('goto reject-chain');
  });

  it('sends externalTrafficPolicy Local NodePort traffic only to local endpoints, without masquerade', () => {
    const local = service('loc', { type: 'NodePort', clusterIP: '10.96.0.30', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30081 }] });
    const ports = servicePorts([local], [slice('loc', [{ port: 80 }], [{ ip: '10.244.1.2', node: 'n2' }, { ip: '10.244.0.7', node: 'n1' }])]);
    const r = buildRuleset(ports, opts);
    const ext = [...r.chains.entries()].find(([n]) => n.startsWith('external-'))?.[1].rules ?? [];
    expect(ext).toHaveLength(1);
    expect(ext[0]).toMatch(/^goto endpoint-.*__10\.244\.0\.7\/80$/);
  });
});

describe('diffScript', () => {
  const svc = (eps: string[]) =>
    buildRuleset(servicePorts([service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }), service('other', { clusterIP: '10.96.0.21', ports: [{ port: 81 }] })], [slice('web', [{ port: 80 }], eps.map((ip) => ({ ip }))), slice('other', [{ port: 81 }], [{ ip: '10.244.0.50' }])]), opts);

  it('rebuilds the table in one transaction on a full sync', () => {
    const s = diffScript('kp', emptyRuleset(), svc(['10.244.0.2']), true);
    expect(s.split('\n').slice(0, 3)).toEqual(['add table ip kp', 'delete table ip kp', 'add table ip kp']);
    // Chains exist before any rule refers to them.
    const lines = s.split('\n');
    const firstRule = lines.findIndex((l) => l.startsWith('add rule'));
    expect(lines.slice(firstRule).some((l) => l.startsWith('add chain'))).toBe(false);
  });

  it('touches only the changed Service on an incremental sync, and nothing when nothing changed', () => {
    const a = svc(['10.244.0.2']);
    const b = svc(['10.244.0.2', '10.244.0.3']);
    expect(diffScript('kp', a, svc(['10.244.0.2']), false)).toBe('');
    const s = diffScript('kp', a, b, false);
    expect(s).not.toContain('other');
    expect(s).toContain('add chain ip kp endpoint-');
    expect(s).toMatch(/flush chain ip kp service-[A-Z2-7]{8}-ns\/web\/tcp\/\n/);
    const back = diffScript('kp', b, a, false);
    expect(back).toMatch(/delete chain ip kp endpoint-.*__10\.244\.0\.3\/80/);
    expect(rulesetCounts(b).chains).toBe(rulesetCounts(a).chains + 1);
  });
});
