// Tests for the unaggregated discovery documents, checked against what a real v1.30 cluster returns.
import { apiGroups, resources } from '@keelson/api';
import { apiGroup, apiGroupList, apiResourceList, apiResources, apiVersions, storageVersionHash } from './legacy';

function entry(group: string, version: string, name: string): unknown {
  return apiResources(group, version).find((r) => r.name === name);
}

describe('storageVersionHash', () => {
  it('matches the hashes a real cluster publishes', () => {
    expect(storageVersionHash({ group: '', version: 'v1', kind: 'Pod' })).toBe('xPOwRZ+Yhw8=');
    expect(storageVersionHash({ group: '', version: 'v1', kind: 'ConfigMap' })).toBe('qFsyl6wFWjQ=');
    expect(storageVersionHash({ group: '', version: 'v1', kind: 'Namespace' })).toBe('Q3oi5N2YM8M=');
    expect(storageVersionHash({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('8aSe+NMegvE=');
  });
});

describe('apiResourceList', () => {
  it('lists pods exactly as kube-apiserver does, subresources included', () => {
    expect(entry('', 'v1', 'pods')).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      storageVersionHash: 'xPOwRZ+Yhw8=',
    });
    expect(entry('', 'v1', 'pods/binding')).toEqual({ name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
    expect(entry('', 'v1', 'pods/eviction')).toEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    expect(entry('', 'v1', 'pods/exec')).toEqual({ name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(entry('', 'v1', 'pods/attach')).toMatchObject({ kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    expect(entry('', 'v1', 'pods/portforward')).toMatchObject({ kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
    expect(entry('', 'v1', 'pods/log')).toEqual({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    expect(entry('', 'v1', 'pods/status')).toEqual({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  });

  it('serializes an APIResource with the same key order as upstream', () => {
    expect(JSON.stringify(entry('apps', 'v1', 'deployments/scale'))).toBe(
      '{"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]}',
    );
    expect(JSON.stringify(entry('', 'v1', 'namespaces'))).toBe(
      '{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["ns"],"storageVersionHash":"Q3oi5N2YM8M="}',
    );
  });

  it('omits shortNames and categories when a resource has none', () => {
    expect(entry('', 'v1', 'secrets')).not.toHaveProperty('shortNames');
    expect(entry('', 'v1', 'secrets')).not.toHaveProperty('categories');
  });

  it('sorts entries by name, each subresource right after its resource', () => {
    const names = apiResources('apps', 'v1').map((r) => r.name);
    expect(names).toEqual([...names].sort());
    expect(names.slice(names.indexOf('deployments'), names.indexOf('deployments') + 3)).toEqual(['deployments', 'deployments/scale', 'deployments/status']);
  });

  it('has one entry per registry resource and subresource, and nothing else', () => {
    for (const { group, versions } of [{ group: '', versions: ['v1'] }, ...apiGroups()]) {
      for (const version of versions) {
        const expected = resources
          .filter((r) => r.group === group && r.version === version)
          .flatMap((r) => [r.resource, ...r.subresources.map((s) => `${r.resource}/${s}`)])
          .sort();
        expect(apiResources(group, version).map((r) => r.name)).toEqual(expected);
      }
    }
  });

  it('omits apiVersion on /api/v1 and sets it on group lists, as upstream does', () => {
    const core = apiResourceList('', 'v1');
    expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    expect(core).not.toHaveProperty('apiVersion');
    expect(apiResourceList('batch', 'v1')).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'batch/v1' });
  });

  it('is undefined for a group version that is not served', () => {
    expect(apiResourceList('apps', 'v1beta1')).toBeUndefined();
    expect(apiResourceList('nope.example.com', 'v1')).toBeUndefined();
  });
});

describe('apiVersions', () => {
  it('lists the core versions and the given addresses', () => {
    expect(apiVersions([{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }])).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
  });
});

describe('apiGroupList and apiGroup', () => {
  it('lists every served group with its preferred version, core excluded', () => {
    const list = apiGroupList();
    expect(list.kind).toBe('APIGroupList');
    expect(list.apiVersion).toBe('v1');
    expect(list.groups.map((g) => g.name)).toEqual(apiGroups().map((g) => g.group));
    expect(list.groups.find((g) => g.name === 'apps')).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect(list.groups.some((g) => g.name === '')).toBe(false);
  });

  it('serves one group, or undefined for an unknown one', () => {
    expect(apiGroup('coordination.k8s.io')).toEqual({
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'coordination.k8s.io',
      versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
    });
    expect(apiGroup('nope.example.com')).toBeUndefined();
  });
});
