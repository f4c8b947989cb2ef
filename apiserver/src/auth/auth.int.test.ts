// An API server over TLS with authentication and the Node authorizer, driven by real HTTPS clients with certificates and tokens.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, testBackends, type TestServer } from '../testing';
import { createCsr, generateKey, issueCertificate, privateKeyPem } from './x509';

interface Answer {
  status: number;
  text: string;
  json(): { message?: string; reason?: string; code?: number; details?: unknown };
}

interface Creds {
  cert?: string;
  key?: string;
  token?: string;
}

describe('API server authentication and authorization over TLS', () => {
  let dir: string;
  let server: TestServer;
  let ca: string;
  const creds: Record<string, Creds> = {};
  const now = new Date(Date.now() - 60_000);
  const later = new Date(Date.now() + 3600_000);

  function call(who: Creds, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = httpsRequest(
        `${server.url}${path}`,
        {
          method,
          ca,
          ...(who.cert !== undefined ? { cert: who.cert, key: who.key } : {}),
          headers: { ...(who.token !== undefined ? { authorization: `Bearer ${who.token}` } : {}), ...(payload !== undefined ? { 'content-type': contentType } : {}) },
          agent: false,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as ReturnType<Answer['json']> }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-auth-'));
    const caKey = generateKey();
    ca = issueCertificate({ subject: { commonName: 'test-ca' }, publicKey: caKey.publicKey, signingKey: caKey.privateKey, usages: ['ca'], notBefore: now, notAfter: later });
    const issuer = { cert: new X509Certificate(ca), key: caKey.privateKey };
    const leaf = (commonName: string, organizations: string[], usages: ('server' | 'client')[], by = issuer): Creds => {
      const k = generateKey();
      const cert = issueCertificate({ subject: { commonName, organizations }, publicKey: k.publicKey, issuer: by, usages, ipAddresses: ['127.0.0.1'], notBefore: now, notAfter: later });
      return { cert, key: privateKeyPem(k.privateKey) };
    };
    const serving = leaf('kube-apiserver', [], ['server']);
    creds['admin'] = leaf('admin', ['system:masters'], ['client']);
    creds['n1'] = leaf('system:node:n1', ['system:nodes'], ['client']);
    // Same subject, signed by a CA the server does not trust.
    const rogueKey = generateKey();
    const rogueCa = issueCertificate({ subject: { commonName: 'rogue' }, publicKey: rogueKey.publicKey, signingKey: rogueKey.privateKey, usages: ['ca'], notBefore: now, notAfter: later });
    creds['rogue'] = leaf('admin', ['system:masters'], ['client'], { cert: new X509Certificate(rogueCa), key: rogueKey.privateKey });
    creds['alice'] = { token: 'alice-token' };
    writeFileSync(join(dir, 'ca.crt'), ca);
    writeFileSync(join(dir, 'ca.key'), privateKeyPem(caKey.privateKey));
    writeFileSync(join(dir, 'serving.crt'), serving.cert ?? '');
    writeFileSync(join(dir, 'serving.key'), serving.key ?? '');
    writeFileSync(join(dir, 'tokens.csv'), 'alice-token,alice,1000,"dev"\n');
    const backend = testBackends()[0]!.uri();
    server = await startTestServer(backend.uri, backend.cleanup, {
      tlsCertFile: join(dir, 'serving.crt'),
      tlsPrivateKeyFile: join(dir, 'serving.key'),
      clientCAFile: join(dir, 'ca.crt'),
      tokenAuthFile: join(dir, 'tokens.csv'),
      enableBootstrapTokenAuth: true,
      clusterSigningCertFile: join(dir, 'ca.crt'),
      clusterSigningKeyFile: join(dir, 'ca.key'),
    });
    const admin = creds['admin'];
    for (const n of ['n1', 'n2']) expect((await call(admin, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } })).status).toBe(201);
    for (const [pod, node] of [['on-n1', 'n1'], ['on-n2', 'n2']]) {
      const created = await call(admin, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS and refuses anonymous requests with 401, except health, version and the CA bundle', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const anon = await call({}, 'GET', '/api/v1/namespaces');
    expect(anon.status).toBe(401);
    expect(anon.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
    expect((await call({}, 'GET', '/apis')).status).toBe(401);
    expect((await call({}, 'GET', '/healthz')).text).toBe('ok');
    expect((await call({}, 'GET', '/readyz')).status).toBe(200);
    expect((await call({}, 'GET', '/version')).status).toBe(200);
    const cacerts = await call({}, 'GET', '/cacerts');
    expect(cacerts.text).toBe(ca);
    // A bad token is refused even where anonymous would pass; a certificate from another CA too.
    expect((await call({ token: 'nope' }, 'GET', '/api/v1/namespaces')).status).toBe(401);
    expect((await call(creds['rogue']!, 'GET', '/api/v1/namespaces')).status).toBe(401);
  });

  it('lets the admin (O=system:masters) do anything', async () => {
    expect((await call(creds['admin']!, 'GET', '/api/v1/namespaces')).status).toBe(200);
    expect((await call(creds['admin']!, 'GET', '/metrics')).status).toBe(200);
  });

  it('lets a node touch its own Node and pods and nothing of another node', async () => {
    const n1 = creds['n1']!;
    const merge = 'application/merge-patch+json';
    expect((await call(n1, 'PATCH', '/api/v1/nodes/n1/status', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, merge)).status).toBe(200);
    expect((await call(n1, 'PATCH', '/api/v1/nodes/n1', { metadata: { labels: { a: 'b' } } }, merge)).status).toBe(200);
    expect((await call(n1, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1')).status).toBe(200);
    expect((await call(n1, 'PATCH', '/api/v1/namespaces/default/pods/on-n1/status', { status: { phase: 'Running' } }, merge)).status).toBe(200);

    const other = await call(n1, 'PATCH', '/api/v1/nodes/n2', { metadata: { labels: { a: 'b' } } }, merge);
    expect(other.status).toBe(403);
    expect(other.json()).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: 'nodes "n2" is forbidden: User "system:node:n1" cannot patch resource "nodes" in API group "" at the cluster scope',
      details: { name: 'n2', kind: 'nodes' },
    });
    expect((await call(n1, 'PATCH', '/api/v1/namespaces/default/pods/on-n2/status', { status: { phase: 'Running' } }, merge)).status).toBe(403);
    expect((await call(n1, 'DELETE', '/api/v1/namespaces/default/pods/on-n2')).status).toBe(403);
    const deploy = await call(n1, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sneaky' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    expect(deploy.status).toBe(403);
    expect(deploy.json().message).toBe('deployments.apps is forbidden: User "system:node:n1" cannot create resource "deployments" in API group "apps" in the namespace "default"');
    expect((await call(creds['admin']!, 'GET', '/apis/apps/v1/namespaces/default/deployments/sneaky')).status).toBe(404);
    // Its own pod it may delete (graceful: 202, the pod gets a deletionTimestamp).
    expect((await call(n1, 'DELETE', '/api/v1/namespaces/default/pods/on-n1')).status).toBe(202);
  });

  it('checks WebSocket upgrades (exec) too: 401 anonymous, 403 for a node', async () => {
    const upgrade = (who: Creds): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(`${server.url}/api/v1/namespaces/default/pods/on-n2/exec?command=sh&stdout=true`, {
          ca,
          ...(who.cert !== undefined ? { cert: who.cert, key: who.key } : {}),
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' },
          agent: false,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', (_res, socket) => {
          socket.destroy();
          resolve(101);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await upgrade({})).toBe(401);
    expect(await upgrade(creds['n1']!)).toBe(403);
    // The admin gets past auth (the pod has no running kubelet behind it, so the proxy itself then fails).
    expect([401, 403]).not.toContain(await upgrade(creds['admin']!));
  });

  it('gives a token-file user discovery but not resources', async () => {
    expect((await call(creds['alice']!, 'GET', '/apis')).status).toBe(200);
    const list = await call(creds['alice']!, 'GET', '/api/v1/namespaces/default/pods');
    expect(list.status).toBe(403);
    expect(list.json().message).toBe('pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('signs a node client certificate for a valid bootstrap token, which then works as that node', async () => {
    const admin = creds['admin']!;
    const data = (v: string): string => Buffer.from(v).toString('base64');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: 'bootstrap-token-abc123', namespace: 'kube-system' },
      data: { 'token-id': data('abc123'), 'token-secret': data('0123456789abcdef'), 'usage-bootstrap-authentication': data('true'), expiration: data(later.toISOString()) },
    };
    expect((await call(admin, 'POST', '/api/v1/namespaces/kube-system/secrets', secret)).status).toBe(201);
    const key = generateKey();
    const csr = createCsr({ commonName: 'system:node:n3', organizations: ['system:nodes'] }, key.privateKey);
    const token = { token: 'abc123.0123456789abcdef' };

    // A bootstrap token is good for nothing but enrolment.
    expect((await call(token, 'GET', '/api/v1/pods')).status).toBe(403);
    expect((await call({ token: 'abc123.0123456789abcdee' }, 'POST', '/v1-keelson/client-kubelet.crt', csr, 'application/x-pem-file')).status).toBe(401);
    expect((await call({}, 'POST', '/v1-keelson/client-kubelet.crt', csr, 'application/x-pem-file')).status).toBe(401);
    const wrongSubject = await call(token, 'POST', '/v1-keelson/client-kubelet.crt', createCsr({ commonName: 'admin', organizations: ['system:masters'] }, key.privateKey), 'application/x-pem-file');
    expect(wrongSubject.status).toBe(400);
    // A node may not enrol another node.
    expect((await call(creds['n1']!, 'POST', '/v1-keelson/client-kubelet.crt', csr, 'application/x-pem-file')).status).toBe(403);

    const signed = await call(token, 'POST', '/v1-keelson/client-kubelet.crt', csr, 'application/x-pem-file');
    expect(signed.status).toBe(201);
    const cert = new X509Certificate(signed.text);
    expect(cert.subject).toBe('O=system:nodes\nCN=system:node:n3');
    expect(cert.checkIssued(new X509Certificate(ca))).toBe(true);
    const n3 = { cert: signed.text, key: privateKeyPem(key.privateKey) };
    expect((await call(n3, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' } })).status).toBe(201);
    expect((await call(n3, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n4' } })).status).toBe(403);

    // Once the Secret is deleted the token stops working.
    expect((await call(admin, 'DELETE', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abc123')).status).toBe(200);
    expect((await call(token, 'POST', '/v1-keelson/client-kubelet.crt', csr, 'application/x-pem-file')).status).toBe(401);
  });
});
