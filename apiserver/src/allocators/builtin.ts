// The API server's own Service objects: the `kubernetes` Service with its endpoints, and the allocation repair pass.
import { networkInterfaces } from 'node:os';
import { NotFoundError, lookupKind, toStatusError, type KubeObject, type ResourceInfo, type Service } from '@keelson/api';
import type { ResourceStore } from '../rest/store';
import type { ServiceAllocator } from './service';

type Stores = ReadonlyMap<ResourceInfo, ResourceStore>;

function storeOf(stores: Stores, apiVersion: string, kind: string): ResourceStore {
  const info = lookupKind(apiVersion, kind);
  const store = info ? stores.get(info) : undefined;
  if (!store) throw new Error(`no store for ${apiVersion} ${kind}`);
  return store;
}

/** The address other nodes reach this server at: the bound one, or the first non-loopback IPv4 when bound to every address. */
export function advertisedAddress(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::' && bound !== '') return bound;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Marks what existing Services hold and frees long-leaked values (Kubernetes' ClusterIP/NodePort repair controllers). */
export async function repairServices(stores: Stores, alloc: ServiceAllocator, leaks: Map<string, number>): Promise<{ added: number; freed: number }> {
  const list = await storeOf(stores, 'v1', 'Service').list(undefined);
  return alloc.repair(list.items as Service[], leaks);
}

export const kubernetesServiceLabels = { component: 'apiserver', provider: 'kubernetes' };

/**
 * Creates `default/kubernetes` with the range's first address (as kube-apiserver's
 * bootstrap controller) and points its Endpoints and EndpointSlice at this server.
 */
export async function ensureKubernetesService(stores: Stores, alloc: ServiceAllocator, ip: string, port: number): Promise<void> {
  const services = storeOf(stores, 'v1', 'Service');
  const ports = [{ name: 'https', port: 443, protocol: 'TCP' as const, targetPort: port }];
  let current: Service | undefined;
  try {
    current = (await services.get('default', 'kubernetes')) as Service;
  } catch (e: unknown) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  if (!current) {
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: kubernetesServiceLabels },
      spec: { type: 'ClusterIP', clusterIP: alloc.firstIP(), ports, sessionAffinity: 'None' },
    };
    try {
      await services.create('default', svc as KubeObject, { fieldManager: 'kube-apiserver' });
    } catch (e: unknown) {
      // Another API server on the same storage made it first.
      if (toStatusError(e).reason !== 'AlreadyExists') throw e;
    }
  } else if (current.spec?.ports?.[0]?.targetPort !== port) {
    await services.guaranteedUpdate('default', 'kubernetes', (cur) => ({ ...cur, spec: { ...(cur.spec as object), ports } }), { fieldManager: 'kube-apiserver' });
  }
  await storeOf(stores, 'v1', 'Endpoints').update(
    'default',
    'kubernetes',
    { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }] },
    { fieldManager: 'kube-apiserver' },
  );
  await storeOf(stores, 'discovery.k8s.io/v1', 'EndpointSlice').update(
    'default',
    'kubernetes',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
    { fieldManager: 'kube-apiserver' },
  );
}
