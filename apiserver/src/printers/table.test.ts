// Tests for toTable (rows, embedded objects, list metadata, versions, the default printer) and parseTableAccept.
import { lookupKind, resources, type Deployment, type ResourceInfo } from '@keelson/api';
import { parseTableAccept } from './accept';
import { hasPrinter } from './printers';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const deployments = lookupKind('apps/v1', 'Deployment')!;
const deployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '42', labels: { app: 'web' }, creationTimestamp: '2024-06-01T11:00:00Z' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
};

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with one row per object and the list metadata', () => {
    const t = toTable(deployments, [deployment, { ...deployment, metadata: { ...deployment.metadata, name: 'api' } }], {
      now,
      includeObject: 'None',
      listMeta: { resourceVersion: '100', continue: 'abc', remainingItemCount: 3 },
    });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '100', continue: 'abc', remainingItemCount: 3 });
    expect(t.rows.map((r) => r.cells.slice(0, 5))).toEqual([
      ['web', '2/3', 3, 2, '60m'],
      ['api', '2/3', 3, 2, '60m'],
    ]);
    expect(t.rows[0]).not.toHaveProperty('object');
    expect(t.rows[0]).not.toHaveProperty('conditions');
    expect(t.columnDefinitions[0]).toEqual({ name: 'Name', type: 'string', format: 'name', description: expect.stringContaining('Name must be unique') as unknown, priority: 0 });
  });

  it('embeds PartialObjectMetadata for includeObject=Metadata (what kubectl asks for)', () => {
    const t = toTable(deployments, [deployment], { now, includeObject: 'Metadata' });
    expect(t.rows[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: deployment.metadata });
    expect(t.metadata).toEqual({});
  });

  it('embeds the whole object for includeObject=Object, adding type meta a stored object lacks', () => {
    expect(toTable(deployments, [deployment], { now, includeObject: 'Object' }).rows[0]!.object).toBe(deployment);
    const bare = { metadata: deployment.metadata, spec: deployment.spec };
    expect(toTable(deployments, [bare], { now, includeObject: 'Object' }).rows[0]!.object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', ...bare });
  });

  it('speaks v1beta1 when asked, in the table and its partial objects', () => {
    const t = toTable(deployments, [deployment], { now, includeObject: 'Metadata', version: 'v1beta1' });
    expect(t.apiVersion).toBe('meta.k8s.io/v1beta1');
    expect(t.rows[0]!.object).toMatchObject({ apiVersion: 'meta.k8s.io/v1beta1' });
  });

  it('leaves out the column definitions when told to (later watch events)', () => {
    expect(toTable(deployments, [deployment], { now, includeObject: 'None', noHeaders: true }).columnDefinitions).toEqual([]);
  });

  it('prints Name and Age for a kind without its own printer', () => {
    const widgets: ResourceInfo = { ...deployments, group: 'example.com', kind: 'Widget', listKind: 'WidgetList', resource: 'widgets', singular: 'widget', schema: '' };
    const t = toTable(widgets, [{ metadata: { name: 'w', creationTimestamp: '2024-06-01T11:59:00Z' } }], { now, includeObject: 'None' });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(t.rows[0]!.cells).toEqual(['w', '60s']);
  });

  it('has a dedicated printer for every served kind, and prints even an empty object of each without throwing', () => {
    // A kind added to the registry without a printer shows up here by name (kubectl would show more columns).
    expect(resources.filter((r) => !hasPrinter(r)).map((r) => r.kind)).toEqual([]);
    for (const info of resources) {
      const t = toTable(info, [{}], { now, includeObject: 'Metadata' });
      expect(t.rows[0]!.cells).toHaveLength(t.columnDefinitions.length);
      expect(t.columnDefinitions.every((c) => c.priority === 0 || c.priority === 1)).toBe(true);
    }
  });
});

describe('parseTableAccept', () => {
  it('asks for a v1 Table when kubectl get does', () => {
    expect(parseTableAccept('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toEqual({ table: true, version: 'v1' });
  });

  it('falls back to v1beta1 for old clients and honours q-values', () => {
    expect(parseTableAccept('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json')).toEqual({ table: true, version: 'v1beta1' });
    expect(parseTableAccept('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5, application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toEqual({ table: true, version: 'v1beta1' });
  });

  it('skips alternatives it cannot serve and takes the next', () => {
    expect(parseTableAccept('application/json;as=Table;v=v2;g=meta.k8s.io, application/json;as=Table;v=v1;g=meta.k8s.io')).toEqual({ table: true, version: 'v1' });
    expect(parseTableAccept('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json')).toEqual({ table: false, version: 'v1' });
  });

  it('serves plain objects to everyone else', () => {
    expect(parseTableAccept('')).toEqual({ table: false, version: 'v1' });
    expect(parseTableAccept('application/json')).toEqual({ table: false, version: 'v1' });
    expect(parseTableAccept('*/*')).toEqual({ table: false, version: 'v1' });
    expect(parseTableAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toEqual({ table: false, version: 'v1' });
  });
});
