// Against a real API server: unknown fields are never stored (Strict 400, Warn headers, Ignore silent) and /openapi/v2 and /openapi/v3 describe every kind.
import { apiVersionOf, resources } from '@keelson/api';
import { request, startTestServer, testBackends, uniqueName, type RawResponse, type TestServer } from '../testing';

const json = { 'content-type': 'application/json' };

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
}

function deployment(name: string, extra: { spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx', ...extra.container }] },
      },
      ...extra.spec,
    },
  };
}

/** The Warning headers of a response, each `299 - "…"`. */
function warnings(res: RawResponse): string[] {
  const raw = res.headers.get('warning');
  if (raw === null) return [];
  // Header values are joined with ", "; each warning is `299 - "<quoted>"`.
  return [...raw.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
}

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

describe.each(testBackends())('unknown fields and OpenAPI on $name', ({ uri }) => {
  let server: TestServer;
  let ns: string;
  let base: string;

  beforeAll(async () => {
    const u = uri();
    server = await startTestServer(u.uri, u.cleanup);
    ns = uniqueName('openapi');
    const created = await request(server.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: ns } }), json);
    expect(created.status).toBe(201);
    base = `/apis/apps/v1/namespaces/${ns}/deployments`;
  });

  afterAll(async () => {
    await server.stop();
  });

  const get = (name: string): Promise<RawResponse> => request(server.url, 'GET', `${base}/${name}`);

  it('drops unknown fields of a created Deployment, nested in containers too, warns about each, and stores none', async () => {
    const body = deployment('warned', { spec: { nonsense: 'x' }, container: { imagePullPolicyy: 'Always', ports: [{ containerPort: 80, portt: 1 }] } });
    const res = await request(server.url, 'POST', base, JSON.stringify(body), json);
    expect(res.status).toBe(201);
    expect(warnings(res)).toEqual([
      'unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
      'unknown field "spec.template.spec.containers[0].ports[0].portt"',
      'unknown field "spec.nonsense"',
    ]);
    expect(res.headers.get('warning')).toContain('299 - "unknown field \\"spec.nonsense\\""');
    const stored = (await get('warned')).json() as { spec: { nonsense?: unknown; template: { spec: { containers: Record<string, unknown>[] } } } };
    expect(stored.spec.nonsense).toBeUndefined();
    expect(stored.spec.template.spec.containers[0]).not.toHaveProperty('imagePullPolicyy');
    expect(stored.spec.template.spec.containers[0]?.['ports']).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(stored.spec.template.spec.containers[0]?.['image']).toBe('nginx');
  });

  it('fails Strict with 400 listing every unknown and duplicate field, and stores nothing', async () => {
    const text = JSON.stringify(deployment('strict', { spec: { nonsense: 'x' }, container: { bogus: true } })).replace('"replicas":1', '"replicas":1,"replicas":2');
    const res = await request(server.url, 'POST', `${base}?fieldValidation=Strict`, text, json);
    expect(res.status).toBe(400);
    const status = res.json() as StatusBody;
    expect(status).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(status.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.replicas", unknown field "spec.template.spec.containers[0].bogus", unknown field "spec.nonsense"',
    );
    expect((await get('strict')).status).toBe(404);
  });

  it('fails Strict for every kind', async () => {
    for (const r of resources) {
      if (!r.verbs.includes('create')) continue;
      const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const path = r.namespaced ? `${root}/namespaces/${ns}/${r.resource}` : `${root}/${r.resource}`;
      const body = { apiVersion: apiVersionOf(r), kind: r.kind, metadata: { name: 'strict-any', bogusMeta: 1 }, nonsense: { deep: 1 } };
      const res = await request(server.url, 'POST', `${path}?fieldValidation=Strict`, JSON.stringify(body), json);
      expect([r.kind, res.status, (res.json() as StatusBody).message]).toEqual([
        r.kind,
        400,
        `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: unknown field "metadata.bogusMeta", unknown field "nonsense"`,
      ]);
    }
  });

  it('drops unknown fields silently with Ignore, and from YAML bodies too', async () => {
    const res = await request(server.url, 'POST', `${base}?fieldValidation=Ignore`, JSON.stringify(deployment('ignored', { spec: { nonsense: 1 } })), json);
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toBeNull();
    expect((res.json() as { spec: Record<string, unknown> }).spec).not.toHaveProperty('nonsense');
    const yaml = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: from-yaml', 'spec:', '  nonsense: 1',
      '  selector: {matchLabels: {app: y}}', '  template:', '    metadata: {labels: {app: y}}', '    spec:', '      containers: [{name: c, image: i, foo: bar}]',
    ].join('\n');
    const y = await request(server.url, 'POST', `${base}?fieldValidation=Warn`, yaml, { 'content-type': 'application/yaml' });
    expect(y.status).toBe(201);
    expect(warnings(y)).toEqual(['unknown field "spec.nonsense"', 'unknown field "spec.template.spec.containers[0].foo"']);
  });

  it('still answers a known field of the wrong type with 422, even under Strict', async () => {
    const res = await request(server.url, 'POST', `${base}?fieldValidation=Strict`, JSON.stringify(deployment('typed', { spec: { replicas: 'three' } })), json);
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ reason: 'Invalid', code: 422 });
    expect((res.json() as StatusBody).message).toMatch(/spec\.replicas/);
  });

  it('applies fieldValidation to PUT and to every kind of PATCH', async () => {
    await request(server.url, 'POST', base, JSON.stringify(deployment('patched')), json);
    const merge = { 'content-type': 'application/merge-patch+json' };
    const strict = await request(server.url, 'PATCH', `${base}/patched?fieldValidation=Strict`, JSON.stringify({ spec: { paused: true, nonsense: 1 } }), merge);
    expect(strict.status).toBe(400);
    expect((strict.json() as StatusBody).message).toBe('strict decoding error: unknown field "spec.nonsense"');
    expect(((await get('patched')).json() as { spec: { paused?: boolean } }).spec.paused).toBeUndefined();

    const warned = await request(server.url, 'PATCH', `${base}/patched`, JSON.stringify({ spec: { paused: true, nonsense: 1 } }), { 'content-type': 'application/strategic-merge-patch+json' });
    expect(warned.status).toBe(200);
    expect(warnings(warned)).toEqual(['unknown field "spec.nonsense"']);
    const afterPatch = (await get('patched')).json() as { spec: Record<string, unknown> };
    expect(afterPatch.spec['paused']).toBe(true);
    expect(afterPatch.spec).not.toHaveProperty('nonsense');

    const jsonPatch = await request(server.url, 'PATCH', `${base}/patched?fieldValidation=Strict`, JSON.stringify([{ op: 'add', path: '/spec/other', value: 1 }]), {
      'content-type': 'application/json-patch+json',
    });
    expect((jsonPatch.json() as StatusBody).message).toBe('strict decoding error: unknown field "spec.other"');

    const apply = await request(server.url, 'PATCH', `${base}/patched?fieldManager=t&fieldValidation=Strict`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: patched}\nspec: {applied: 1}\n', {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(apply.status).toBe(400);
    expect((apply.json() as StatusBody).message).toMatch(/unknown field "spec.applied"/);

    const current = (await get('patched')).json() as Record<string, unknown>;
    const put = await request(server.url, 'PUT', `${base}/patched`, JSON.stringify({ ...current, extra: 1 }).replace('"kind":"Deployment"', '"kind":"Deployment","kind":"Deployment"'), json);
    expect(put.status).toBe(200);
    expect(warnings(put)).toEqual(['duplicate field "kind"', 'unknown field "extra"']);
    expect((await get('patched')).json()).not.toHaveProperty('extra');
  });

  it('prunes status writes and subresource bodies', async () => {
    const current = (await get('warned')).json() as Record<string, unknown>;
    const res = await request(server.url, 'PUT', `${base}/warned/status`, JSON.stringify({ ...current, status: { replicas: 0, madeUp: 1 } }), json);
    expect(res.status).toBe(200);
    expect(warnings(res)).toEqual(['unknown field "status.madeUp"']);
    expect((res.json() as { status?: Record<string, unknown> }).status).not.toHaveProperty('madeUp');
    const scale = await request(server.url, 'PUT', `${base}/warned/scale?fieldValidation=Strict`, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'warned' }, spec: { replicas: 2, surge: 1 } }), json);
    expect(scale.status).toBe(400);
    expect((scale.json() as StatusBody).message).toBe('Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.surge"');
  });

  it('serves /openapi/v2 with a definition for every kind and fieldValidation on every PATCH', async () => {
    const res = await request(server.url, 'GET', '/openapi/v2', undefined, { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.json() as {
      swagger: string;
      definitions: Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }>;
      paths: Record<string, { patch?: { parameters?: { name: string; in: string }[] } }>;
    };
    expect(doc.swagger).toBe('2.0');
    const kinds = Object.values(doc.definitions).flatMap((d) => d['x-kubernetes-group-version-kind'] ?? []);
    for (const r of resources) expect(kinds).toContainEqual({ group: r.group, version: r.version, kind: r.kind });
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    for (const ref of refsIn(doc)) expect(doc.definitions[ref.replace('#/definitions/', '')]).toBeDefined();
    const etag = res.headers.get('etag') ?? '';
    expect((await request(server.url, 'GET', '/openapi/v2', undefined, { 'if-none-match': etag })).status).toBe(304);
    // Protobuf only is not served.
    expect((await request(server.url, 'GET', '/openapi/v2', undefined, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })).status).toBe(406);
  });

  it('serves /openapi/v3 listing every group version, each document resolving its $refs', async () => {
    const root = await request(server.url, 'GET', '/openapi/v3');
    expect(root.status).toBe(200);
    const paths = (root.json() as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    const expected = [...new Set(resources.map((r) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)))];
    expect(Object.keys(paths)).toEqual(expected);
    for (const [key, { serverRelativeURL }] of Object.entries(paths)) {
      expect(serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
      const res = await request(server.url, 'GET', serverRelativeURL, undefined, { accept: 'application/json' });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
      const doc = res.json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
      expect(doc.openapi).toBe('3.0.0');
      expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
      for (const ref of refsIn(doc)) expect([key, doc.components.schemas[ref.replace('#/components/schemas/', '')] !== undefined]).toEqual([key, true]);
    }
    // A stale hash is sent to the current document.
    const stale = await fetch(`${server.url}/openapi/v3/apis/apps/v1?hash=ABC`, { redirect: 'manual' });
    expect(stale.status).toBe(301);
    expect(stale.headers.get('location')).toBe(paths['apis/apps/v1']?.serverRelativeURL);
    expect((await request(server.url, 'GET', '/openapi/v3/apis/nope/v1')).status).toBe(404);
  });
});
