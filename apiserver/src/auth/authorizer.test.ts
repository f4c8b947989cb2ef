// Authorization decisions: admins and control-plane components, the Node authorizer's "only your own", kube-proxy, anonymous paths.
import { authorize, forbiddenMessage, type AuthorizerLookups } from './authorizer';
import { attributesOf } from './handler';
import type { Attributes, ResourceAttributes, UserInfo } from './user';

const node1: UserInfo = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const proxy: UserInfo = { name: 'system:kube-proxy', groups: ['system:authenticated'] };
const stranger: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
// A user named like a node but without the group is not a node.
const impostor: UserInfo = { name: 'system:node:n1', groups: ['system:authenticated'] };

const pods: Record<string, string> = { 'default/on-n1': 'n1', 'default/on-n2': 'n2' };
const lookups: AuthorizerLookups = { podNodeName: (ns, name) => Promise.resolve(pods[`${ns}/${name}`]) };

function req(method: string, path: string): Attributes {
  return attributesOf(method, new URL(path, 'http://x'), false);
}

async function allowed(user: UserInfo, a: Attributes): Promise<boolean> {
  return (await authorize(user, a, lookups)).allowed;
}

describe('authorizer', () => {
  it('lets system:masters, the controller-manager and the scheduler do anything', async () => {
    for (const u of [admin, { name: 'system:kube-controller-manager', groups: [] }, { name: 'system:kube-scheduler', groups: [] }]) {
      expect(await allowed(u, req('POST', '/apis/apps/v1/namespaces/default/deployments'))).toBe(true);
      expect(await allowed(u, req('DELETE', '/api/v1/nodes/n2'))).toBe(true);
      expect(await allowed(u, req('GET', '/metrics'))).toBe(true);
    }
  });

  it('lets a node write its own Node, Lease, pods\' status and deletion, and events', async () => {
    expect(await allowed(node1, req('PATCH', '/api/v1/nodes/n1'))).toBe(true);
    expect(await allowed(node1, req('PATCH', '/api/v1/nodes/n1/status'))).toBe(true);
    expect(await allowed(node1, { ...(req('POST', '/api/v1/nodes') as ResourceAttributes), name: 'n1' })).toBe(true);
    expect(await allowed(node1, req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'))).toBe(true);
    expect(await allowed(node1, req('PATCH', '/api/v1/namespaces/default/pods/on-n1/status'))).toBe(true);
    expect(await allowed(node1, req('DELETE', '/api/v1/namespaces/default/pods/on-n1'))).toBe(true);
    expect(await allowed(node1, req('POST', '/api/v1/namespaces/default/events'))).toBe(true);
  });

  it('lets a node read what a kubelet reads', async () => {
    for (const path of ['/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', '/api/v1/services?watch=true', '/api/v1/namespaces/default/secrets/s', '/api/v1/namespaces/default/configmaps/c', '/api/v1/nodes/n2', '/apis/discovery.k8s.io/v1/endpointslices', '/api/v1/persistentvolumes/pv1', '/api']) {
      expect([path, await allowed(node1, req('GET', path))]).toEqual([path, true]);
    }
  });

  it('refuses a node everything of other nodes and all other writes', async () => {
    expect(await allowed(node1, req('PATCH', '/api/v1/nodes/n2'))).toBe(false);
    expect(await allowed(node1, req('PATCH', '/api/v1/nodes/n2/status'))).toBe(false);
    expect(await allowed(node1, req('DELETE', '/api/v1/nodes/n1'))).toBe(false);
    expect(await allowed(node1, { ...(req('POST', '/api/v1/nodes') as ResourceAttributes), name: 'n2' })).toBe(false);
    expect(await allowed(node1, req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2'))).toBe(false);
    expect(await allowed(node1, req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/n1'))).toBe(false);
    expect(await allowed(node1, req('PATCH', '/api/v1/namespaces/default/pods/on-n2/status'))).toBe(false);
    expect(await allowed(node1, req('DELETE', '/api/v1/namespaces/default/pods/on-n2'))).toBe(false);
    expect(await allowed(node1, req('DELETE', '/api/v1/namespaces/default/pods/gone'))).toBe(false);
    expect(await allowed(node1, req('PUT', '/api/v1/namespaces/default/pods/on-n1'))).toBe(false);
    expect(await allowed(node1, req('POST', '/apis/apps/v1/namespaces/default/deployments'))).toBe(false);
    expect(await allowed(node1, req('PUT', '/api/v1/namespaces/default/secrets/s'))).toBe(false);
    expect(await allowed(node1, req('GET', '/api/v1/namespaces/default/pods/on-n2/log'))).toBe(false);
    expect(await allowed(impostor, req('PATCH', '/api/v1/nodes/n1'))).toBe(false);
  });

  it('lets kube-proxy read Services and endpoints only', async () => {
    expect(await allowed(proxy, req('GET', '/api/v1/services?watch=1'))).toBe(true);
    expect(await allowed(proxy, req('GET', '/apis/discovery.k8s.io/v1/endpointslices'))).toBe(true);
    expect(await allowed(proxy, req('GET', '/api/v1/secrets'))).toBe(false);
    expect(await allowed(proxy, req('PUT', '/api/v1/namespaces/default/services/web'))).toBe(false);
  });

  it('gives other authenticated users discovery only', async () => {
    expect(await allowed(stranger, req('GET', '/apis'))).toBe(true);
    expect(await allowed(stranger, req('GET', '/version'))).toBe(true);
    expect(await allowed(stranger, req('GET', '/api/v1/namespaces'))).toBe(false);
    expect(await allowed(stranger, req('GET', '/metrics'))).toBe(false);
  });

  it('words refusals as Kubernetes does', () => {
    expect(forbiddenMessage(node1, req('PATCH', '/api/v1/nodes/x'))).toBe('User "system:node:n1" cannot patch resource "nodes" in API group "" at the cluster scope');
    expect(forbiddenMessage(node1, req('GET', '/apis/apps/v1/namespaces/default/deployments?watch=true'))).toBe('User "system:node:n1" cannot watch resource "deployments" in API group "apps" in the namespace "default"');
    expect(forbiddenMessage(node1, req('PUT', '/api/v1/nodes/x/status'))).toBe('User "system:node:n1" cannot update resource "nodes/status" in API group "" at the cluster scope');
    expect(forbiddenMessage(stranger, req('GET', '/metrics'))).toBe('User "alice" cannot get path "/metrics"');
  });
});
