// The registry answers what kubectl users type and what URLs name.
import { lookupKind, lookupResource, resolveResourceName, resources, storageKey, storagePrefix, apiGroups } from './registry';

describe('registry', () => {
  it('serves every kind the API promises, once', () => {
    const kinds = resources.map((r) => `${r.group}/${r.kind}`);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const k of ['/Namespace', '/Node', '/Pod', '/Service', '/Endpoints', '/ConfigMap', '/Secret', '/Event', '/ServiceAccount',
      '/PersistentVolume', '/PersistentVolumeClaim', 'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet',
      'apps/ControllerRevision', 'batch/Job', 'batch/CronJob', 'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice']) {
      expect(kinds).toContain(k);
    }
  });

  it('finds resources by apiVersion+kind and by URL parts', () => {
    expect(lookupKind('apps/v1', 'Deployment')?.resource).toBe('deployments');
    expect(lookupKind('v1', 'Deployment')).toBeUndefined();
    expect(lookupResource('', 'v1', 'pods')?.kind).toBe('Pod');
    expect(lookupResource('batch', 'v1', 'cronjobs')?.shortNames).toEqual(['cj']);
    expect(lookupResource('', 'v1', 'nodes')?.namespaced).toBe(false);
  });

  it('resolves names the way kubectl does', () => {
    for (const n of ['deploy', 'deployment', 'deployments', 'Deployment', 'deployments.apps', 'deploy.apps']) {
      expect(resolveResourceName(n).map((r) => r.kind)).toEqual(['Deployment']);
    }
    expect(resolveResourceName('po')[0]?.kind).toBe('Pod');
    expect(resolveResourceName('svc')[0]?.kind).toBe('Service');
    expect(resolveResourceName('ns')[0]?.kind).toBe('Namespace');
    expect(resolveResourceName('pods.apps')).toEqual([]);
    expect(resolveResourceName('nothing')).toEqual([]);
  });

  it('lists the scale and status subresources where Kubernetes has them', () => {
    expect(lookupKind('apps/v1', 'Deployment')?.subresources).toEqual(expect.arrayContaining(['status', 'scale']));
    expect(lookupKind('v1', 'Pod')?.subresources).toEqual(expect.arrayContaining(['status', 'binding', 'log', 'exec']));
    expect(lookupKind('v1', 'ConfigMap')?.subresources).toEqual([]);
  });

  it('lays out storage keys as /registry/<resource>/<namespace>/<name>', () => {
    const pods = lookupResource('', 'v1', 'pods')!;
    const nodes = lookupResource('', 'v1', 'nodes')!;
    expect(storageKey(pods, 'default', 'web')).toBe('/registry/pods/default/web');
    expect(storagePrefix(pods, 'default')).toBe('/registry/pods/default/');
    expect(storagePrefix(pods)).toBe('/registry/pods/');
    expect(storageKey(nodes, undefined, 'n1')).toBe('/registry/nodes/n1');
  });

  it('lists API groups for discovery', () => {
    expect(apiGroups()).toEqual(expect.arrayContaining([{ group: 'apps', versions: ['v1'] }, { group: 'batch', versions: ['v1'] }]));
    expect(apiGroups().some((g) => g.group === '')).toBe(false);
  });
});
