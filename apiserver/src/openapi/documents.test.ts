// The OpenAPI documents describe every served kind and operation, resolve every $ref, and advertise fieldValidation as kubectl looks for it.
import { definitionNameOf, refName, resources, type SchemaObject } from '@keelson/api';
import { swaggerDocument, v3Documents, groupVersionKey } from './documents';
import { groupVersions } from './paths';
import type { OpenAPIV3Document, V3Schema } from './types';

const v2 = swaggerDocument();
const v3 = v3Documents();

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** kubectl's supportsQueryParamV3: the first PATCH operation for the kind must list the parameter. */
function supportsQueryParam(doc: OpenAPIV3Document, gvk: { group: string; version: string; kind: string }, name: string): boolean | 'no path' {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    const g = op?.['x-kubernetes-group-version-kind'];
    if (!op || g?.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p) => p.name === name && p.in === 'query');
  }
  return 'no path';
}

describe('/openapi/v2 document', () => {
  it('is Swagger 2.0 with a definition, tagged with its kind, for every registry kind', () => {
    expect(v2.swagger).toBe('2.0');
    for (const r of resources) {
      const name = definitionNameOf(r) ?? '';
      expect(v2.definitions[name]?.['x-kubernetes-group-version-kind']).toContainEqual({ group: r.group, version: r.version, kind: r.kind });
    }
  });

  it('resolves every $ref', () => {
    for (const ref of refsIn(v2)) expect(v2.definitions[refName(ref)]).toBeDefined();
  });

  it('has every verb of every resource, with unique operation ids', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const item of Object.values(v2.paths)) {
      for (const m of ['get', 'put', 'post', 'delete', 'patch'] as const) {
        const op = item[m];
        if (!op) continue;
        count++;
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
      }
    }
    expect(count).toBe(ids.size);
    for (const id of ['listCoreV1NamespacedPod', 'listCoreV1PodForAllNamespaces', 'createAppsV1NamespacedDeployment', 'patchAppsV1NamespacedDeploymentScale',
      'replaceCoreV1NamespacedPodStatus', 'createCoreV1NamespacedPodBinding', 'deleteBatchV1CollectionNamespacedJob', 'watchCoreV1NodeList',
      'readCoordinationV1NamespacedLease', 'replaceCoreV1NamespaceFinalize', 'getDiscoveryV1APIResources']) {
      expect(ids).toContain(id);
    }
    const dep = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(dep?.patch?.consumes).toContain('application/apply-patch+yaml');
    expect(dep?.parameters?.map((p) => p.name)).toEqual(['name', 'namespace', 'pretty']);
    // Namespaces cannot be deleted as a collection, and the registry says so.
    expect(v2.paths['/api/v1/namespaces']?.delete).toBeUndefined();
  });

  it('lists fieldValidation, dryRun, fieldManager and force on every PATCH, and fieldValidation on every create and replace', () => {
    let patches = 0;
    for (const [path, item] of Object.entries(v2.paths)) {
      if (item.patch) {
        patches++;
        expect([path, (item.patch.parameters ?? []).map((p) => p.name)]).toEqual([path, ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']]);
      }
      for (const op of [item.post, item.put]) if (op) expect((op.parameters ?? []).map((p) => p.name)).toContain('fieldValidation');
    }
    expect(patches).toBe(resources.filter((r) => r.verbs.includes('patch')).length + resources.reduce((n, r) => n + r.subresources.filter((s) => s === 'status' || s === 'scale').length, 0));
  });

  it('carries the patch merge keys and list markers strategic merge patch uses', () => {
    const podSpec = v2.definitions['io.k8s.api.core.v1.PodSpec']?.properties ?? {};
    expect(podSpec['containers']).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    expect(podSpec['volumes']?.['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    const container = v2.definitions['io.k8s.api.core.v1.Container']?.properties ?? {};
    expect(container['ports']?.['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(v2.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']?.['x-kubernetes-map-type']).toBe('atomic');
    // Lists without markers stay plain.
    expect(container['args']?.['x-kubernetes-patch-strategy']).toBeUndefined();
  });
});

describe('/openapi/v3 documents', () => {
  it('exist for every served group version', () => {
    expect([...v3.keys()]).toEqual(groupVersions().map((gv) => groupVersionKey(gv.group, gv.version)));
    expect([...v3.keys()]).toEqual(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/storage.k8s.io/v1']);
  });

  it.each([...v3.entries()])('%s resolves every $ref within the document', (_key, doc) => {
    expect(doc.openapi).toBe('3.0.0');
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/schemas/')).toBe(true);
      expect(doc.components.schemas[refName(ref)]).toBeDefined();
    }
  });

  it('advertises fieldValidation on each kind\'s PATCH the way kubectl checks for it', () => {
    for (const r of resources) {
      if (!r.verbs.includes('patch')) continue;
      const doc = v3.get(groupVersionKey(r.group, r.version));
      expect([r.kind, doc && supportsQueryParam(doc, r, 'fieldValidation')]).toEqual([r.kind, true]);
    }
  });

  it('writes a described $ref as allOf, and keeps the kind tags kubectl explain looks for', () => {
    const apps = v3.get('apis/apps/v1');
    const deployment = apps?.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(deployment?.['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const spec: V3Schema | undefined = deployment?.properties?.['spec'];
    expect(spec?.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
    expect(spec?.description).toMatch(/desired behavior/);
    const patch = apps?.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(Object.keys(patch?.requestBody?.content ?? {})).toContain('application/strategic-merge-patch+json');
    expect(patch?.responses['200']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
    // Only what the group version reaches: no Pod list in apps/v1.
    expect(apps?.components.schemas['io.k8s.api.core.v1.PodList']).toBeUndefined();
    expect(apps?.components.schemas['io.k8s.api.core.v1.PodSpec']).toBeDefined();
  });

  it('keeps formats and types from the definitions', () => {
    const core = v3.get('api/v1');
    const s: SchemaObject | undefined = core?.components.schemas['io.k8s.api.core.v1.ContainerPort']?.properties?.['containerPort'];
    expect(s).toMatchObject({ type: 'integer', format: 'int32' });
  });
});
