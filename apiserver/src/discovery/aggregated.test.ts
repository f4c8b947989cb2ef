// Tests for aggregated discovery (apidiscovery.k8s.io/v2 and v2beta1).
import { apiGroups, resources } from '@keelson/api';
import { aggregatedContentType, aggregatedDiscovery, discoveryETag, resourceDiscovery } from './aggregated';
import { apiResources } from './legacy';

describe('aggregatedDiscovery', () => {
  it('puts the core group, unnamed, in /api', () => {
    const doc = aggregatedDiscovery('api', 'v2');
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.metadata).toEqual({});
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0]?.metadata).toEqual({});
    expect(doc.items[0]?.versions?.map((v) => [v.version, v.freshness])).toEqual([['v1', 'Current']]);
  });

  it('describes pods with every subresource and its response kind', () => {
    const pods = aggregatedDiscovery('api', 'v2').items[0]?.versions?.[0]?.resources?.find((r) => r.resource === 'pods');
    expect(pods).toEqual({
      resource: 'pods',
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      subresources: [
        { subresource: 'attach', responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
        { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
        { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
        { subresource: 'exec', responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
        { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
        { subresource: 'portforward', responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
        { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
  });

  it('lists every named group in /apis, with group-qualified response kinds and cluster scope where due', () => {
    const doc = aggregatedDiscovery('apis', 'v2');
    expect(doc.items.map((g) => g.metadata.name)).toEqual(apiGroups().map((g) => g.group));
    const apps = doc.items.find((g) => g.metadata.name === 'apps')?.versions?.[0]?.resources;
    const deployments = apps?.find((r) => r.resource === 'deployments');
    expect(deployments?.responseKind).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(deployments?.subresources).toEqual([
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
    ]);
    const nodes = aggregatedDiscovery('api', 'v2').items[0]?.versions?.[0]?.resources?.find((r) => r.resource === 'nodes');
    expect(nodes?.scope).toBe('Cluster');
  });

  it('omits empty shortNames, categories and subresources', () => {
    const leases = resourceDiscovery('coordination.k8s.io', 'v1').find((r) => r.resource === 'leases');
    expect(leases).toEqual({
      resource: 'leases',
      responseKind: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
      scope: 'Namespaced',
      singularResource: 'lease',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
  });

  it('covers every registry resource once, and agrees with the legacy lists', () => {
    const all = [...aggregatedDiscovery('api', 'v2').items, ...aggregatedDiscovery('apis', 'v2').items].flatMap((g) =>
      (g.versions ?? []).flatMap((v) => (v.resources ?? []).map((r) => ({ group: g.metadata.name ?? '', version: v.version, r }))),
    );
    expect(all.map(({ group, r }) => `${r.resource}.${group}`).sort()).toEqual(resources.map((r) => `${r.resource}.${r.group}`).sort());
    for (const { group, version, r } of all) {
      const legacy = apiResources(group, version);
      expect(legacy.find((l) => l.name === r.resource)?.verbs).toEqual(r.verbs);
      expect((r.subresources ?? []).map((s) => `${r.resource}/${s.subresource}`)).toEqual(
        legacy.filter((l) => l.name.startsWith(`${r.resource}/`)).map((l) => l.name),
      );
    }
  });

  it('has the same shape in v2beta1, differing only in apiVersion', () => {
    const beta = aggregatedDiscovery('apis', 'v2beta1');
    expect(beta.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect({ ...beta, apiVersion: '' }).toEqual({ ...aggregatedDiscovery('apis', 'v2'), apiVersion: '' });
  });
});

describe('aggregatedContentType and discoveryETag', () => {
  it('names the aggregated kind in the content type, as client-go requires', () => {
    expect(aggregatedContentType('v2')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(aggregatedContentType('v2beta1')).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  });

  it('gives a quoted ETag that changes with the document', () => {
    const a = discoveryETag(aggregatedDiscovery('api', 'v2'));
    expect(a).toMatch(/^"[0-9a-f]{64}"$/);
    expect(discoveryETag(aggregatedDiscovery('api', 'v2'))).toBe(a);
    expect(discoveryETag(aggregatedDiscovery('apis', 'v2'))).not.toBe(a);
  });
});
