// Hundreds of generated malformed requests: each gets a 4xx Status, the server stays healthy, storage is unchanged.
import { apiVersionOf, resources, type ResourceInfo } from '@keelson/api';
import { request, startTestServer, testBackends, uniqueName, type TestServer } from './testing';

interface BadRequest {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A small deterministic PRNG (mulberry32), so a failure names a request that reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function collection(info: ResourceInfo, ns: string): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return info.namespaced ? `${root}/namespaces/${ns}/${info.resource}` : `${root}/${info.resource}`;
}

const json = { 'content-type': 'application/json' };

/** Values of the wrong type for an object field, an array field and an integer field. */
const notObjects: unknown[] = [42, 'text', true, [], [1, 'a'], -1, 1.5];
const notArrays: unknown[] = [42, 'text', true, { nested: { deep: 1 } }, -1, 1.5];
const notIntegers: unknown[] = ['text', true, [], { nested: 1 }, 1.5];
const fieldKinds: Record<string, unknown[]> = {
  spec: notObjects,
  status: notObjects,
  data: notObjects,
  subsets: notArrays,
  'spec.replicas': notIntegers,
  'spec.template': notObjects,
  'spec.containers': notArrays,
  'spec.selector': notObjects,
  'spec.ports': notArrays,
};
/** Kinds a PUT creates when absent (Kubernetes' AllowCreateOnUpdate): a PUT of a missing one is not an error. */
const createOnUpdate = new Set(['Endpoints', 'Lease', 'Event', 'Service', 'EndpointSlice']);

function generate(ns: string): BadRequest[] {
  const random = rng(20261122);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const out: BadRequest[] = [];
  for (const info of resources) {
    const base = collection(info, ns);
    const good = { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { name: 'x' } };
    const post = (name: string, body: string, headers: Record<string, string> = json): void => {
      out.push({ name: `${info.kind}: ${name}`, method: 'POST', path: base, body, headers });
    };
    // Syntax.
    post('truncated JSON', JSON.stringify(good).slice(0, -3));
    post('empty body', '');
    post('JSON array', '[]');
    post('JSON string', '"just a string"');
    post('JSON null', 'null');
    post('bad YAML', 'metadata: {name: [', { 'content-type': 'application/yaml' });
    post('YAML list', '- a\n- b\n', { 'content-type': 'application/yaml' });
    post('protobuf', '\x6b\x38\x73\x00', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    post('text/plain', 'hello', { 'content-type': 'text/plain' });
    // Identity.
    post('wrong apiVersion', JSON.stringify({ ...good, apiVersion: 'nope/v9' }));
    post('wrong kind', JSON.stringify({ ...good, kind: info.kind === 'Pod' ? 'Service' : 'Pod' }));
    post('metadata not an object', JSON.stringify({ ...good, metadata: 'x' }));
    post('invalid name', JSON.stringify({ ...good, metadata: { name: 'Not_A_Name!' } }));
    post('name too long', JSON.stringify({ ...good, metadata: { name: 'a'.repeat(300) } }));
    post('no name', JSON.stringify({ ...good, metadata: {} }));
    post('bad label', JSON.stringify({ ...good, metadata: { name: 'x', labels: { 'bad key!': 'v' } } }));
    post('label value not a string', JSON.stringify({ ...good, metadata: { name: 'x', labels: { a: pick(notIntegers.filter((v) => typeof v !== 'string')) } } }));
    post('two controller owners', JSON.stringify({ ...good, metadata: { name: 'x', ownerReferences: [1, 2].map((i) => ({ apiVersion: 'v1', kind: 'K', name: `o${i}`, uid: `u${i}`, controller: true })) } }));
    if (info.namespaced) post('namespace mismatch', JSON.stringify({ ...good, metadata: { name: 'x', namespace: 'elsewhere' } }));
    // Wrong types in the kind's own fields.
    for (const [field, wrong] of Object.entries(fieldKinds)) {
      const value = pick(wrong);
      const obj: Record<string, unknown> = structuredClone(good);
      const [head, tail] = field.split('.') as [string, string | undefined];
      if (tail === undefined) obj[head] = value;
      else obj[head] = { [tail]: value };
      // Only fields the kind has: a wrong type there must be rejected.
      if (!schemaHas(info, head, tail)) continue;
      post(`wrong type at ${field}`, JSON.stringify(obj));
    }
    // Reads and writes of things that are not there or not allowed.
    out.push({ name: `${info.kind}: get missing`, method: 'GET', path: `${base}/does-not-exist` });
    out.push({ name: `${info.kind}: PUT collection`, method: 'PUT', path: base, body: '{}', headers: json });
    if (!createOnUpdate.has(info.kind)) out.push({ name: `${info.kind}: PUT missing`, method: 'PUT', path: `${base}/nope-${info.resource}`, body: JSON.stringify({ ...good, metadata: { name: `nope-${info.resource}` } }), headers: json });
    out.push({ name: `${info.kind}: PUT name mismatch`, method: 'PUT', path: `${base}/a`, body: JSON.stringify({ ...good, metadata: { name: 'b' } }), headers: json });
    out.push({ name: `${info.kind}: PATCH missing`, method: 'PATCH', path: `${base}/nope`, body: '{}', headers: { 'content-type': 'application/merge-patch+json' } });
    out.push({ name: `${info.kind}: PATCH bad type`, method: 'PATCH', path: `${base}/nope`, body: '{}', headers: { 'content-type': 'application/xml' } });
    out.push({ name: `${info.kind}: DELETE missing`, method: 'DELETE', path: `${base}/nope` });
    out.push({ name: `${info.kind}: unknown subresource`, method: 'GET', path: `${base}/x/frobnicate` });
    out.push({ name: `${info.kind}: bad label selector`, method: 'GET', path: `${base}?labelSelector=${encodeURIComponent(pick(['a in (', '!', 'a b', '=x', 'a notin x', 'a in (b', 'k!']))}` });
    out.push({ name: `${info.kind}: bad field selector`, method: 'GET', path: `${base}?fieldSelector=${encodeURIComponent(pick(['spec.nope=1', 'x', 'metadata.name~=a']))}` });
    out.push({ name: `${info.kind}: bad limit`, method: 'GET', path: `${base}?limit=${pick(['-1', 'ten', '1.5'])}` });
    out.push({ name: `${info.kind}: bad resourceVersion`, method: 'GET', path: `${base}?resourceVersion=abc&resourceVersionMatch=Exact` });
    out.push({ name: `${info.kind}: bad resourceVersionMatch`, method: 'GET', path: `${base}?resourceVersion=1&resourceVersionMatch=Sometimes` });
    out.push({ name: `${info.kind}: bad continue`, method: 'GET', path: `${base}?limit=1&continue=${pick(['garbage', 'eyJ4IjoxfQ', '%%%'])}` });
    out.push({ name: `${info.kind}: bad dryRun`, method: 'POST', path: `${base}?dryRun=Sometimes`, body: JSON.stringify(good), headers: json });
    out.push({ name: `${info.kind}: bad propagationPolicy`, method: 'DELETE', path: `${base}/x?propagationPolicy=Eventually` });
    out.push({ name: `${info.kind}: watch bad rv`, method: 'GET', path: `${base}?watch=true&resourceVersion=xyz` });
    out.push({ name: `${info.kind}: initial events without bookmarks`, method: 'GET', path: `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=` });
  }
  // Paths that name nothing.
  for (const path of ['/api/v2/pods', '/apis/apps/v9/deployments', '/apis/nope.example.com/v1/things', '/api/v1/namespaces/default/nodes', '/api/v1/frobs', '/apis/apps/v1/namespaces/default/deployments/a/b/c']) {
    out.push({ name: `path ${path}`, method: 'GET', path });
  }
  return out;
}

/** Fields the kind's schema has at the top level (and under spec), so a wrong type is a real error. */
function schemaHas(info: ResourceInfo, head: string, tail: string | undefined): boolean {
  const specKinds: Record<string, string[]> = {
    Deployment: ['replicas', 'template', 'selector'],
    ReplicaSet: ['replicas', 'template', 'selector'],
    StatefulSet: ['replicas', 'template', 'selector'],
    DaemonSet: ['template', 'selector'],
    Job: ['template', 'selector'],
    Pod: ['containers'],
    Service: ['ports', 'selector'],
  };
  const topLevel: Record<string, string[]> = {
    ConfigMap: ['data'],
    Secret: ['data'],
    Endpoints: ['subsets'],
  };
  if (tail !== undefined) return head === 'spec' && (specKinds[info.kind] ?? []).includes(tail);
  if (head === 'status' && info.kind === 'Lease') return false;
  if (head === 'spec' || head === 'status') return info.kind !== 'ConfigMap' && info.kind !== 'Secret' && info.kind !== 'Endpoints' && info.kind !== 'Event' && info.kind !== 'ServiceAccount' && info.kind !== 'ControllerRevision' && info.kind !== 'EndpointSlice';
  return (topLevel[info.kind] ?? []).includes(head);
}

/** Everything stored that these requests could touch: the test namespace's objects and cluster-scoped objects. */
async function snapshot(srv: TestServer, ns: string): Promise<string> {
  const parts: string[] = [];
  for (const info of resources) {
    if (info.kind === 'Namespace') continue;
    const res = await request(srv.url, 'GET', collection(info, ns));
    const list = res.json() as { items: { metadata: { name: string; resourceVersion: string } }[] };
    parts.push(`${info.resource}: ${list.items.map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`).join(',')}`);
  }
  return parts.join('\n');
}

describe.each(testBackends())('malformed requests on $name', ({ name, uri }) => {
  let srv: TestServer;

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
  });

  afterAll(async () => {
    await srv?.stop();
  });

  it('answers every one with a 4xx Status and changes nothing', async () => {
    const ns = uniqueName('bad');
    await request(srv.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: ns } }), json);
    const before = await snapshot(srv, ns);
    const revisionBefore = (await request(srv.url, 'GET', '/api/v1/namespaces')).json() as { metadata: { resourceVersion: string } };
    const cases = generate(ns);
    expect(cases.length).toBeGreaterThan(300);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await request(srv.url, c.method, c.path, c.body, c.headers ?? {});
      let body: { kind?: string; status?: string; code?: number; message?: string } = {};
      try {
        body = res.json() as typeof body;
      } catch {
        body = {};
      }
      const ok = res.status >= 400 && res.status < 500 && body.kind === 'Status' && body.status === 'Failure' && body.code === res.status && !!body.message;
      if (!ok) wrong.push(`${c.name} (${c.method} ${c.path.slice(0, 80)}) → ${res.status} ${res.text.slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
    expect((await request(srv.url, 'GET', '/readyz')).status).toBe(200);
    expect(await snapshot(srv, ns)).toBe(before);
    if (name === 'sqlite') {
      // This store is the test's own: not a single revision was written.
      const revisionAfter = (await request(srv.url, 'GET', '/api/v1/namespaces')).json() as { metadata: { resourceVersion: string } };
      expect(revisionAfter.metadata.resourceVersion).toBe(revisionBefore.metadata.resourceVersion);
    }
  });
});
