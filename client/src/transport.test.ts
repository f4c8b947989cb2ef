// NodeTransport against loopback servers: TLS from a kubeconfig (CA, client certificate), keep-alive, streaming, aborts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { TransportError } from './errors';
import { RestClient } from './rest';
import { NodeTransport, readBody } from './transport';
import { splitLines } from './watch';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // the TLS suite is skipped below, saying so
  }
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address() as AddressInfo;
  return `${server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${a.port}`;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('NodeTransport over http', () => {
  let server: http.Server;
  let url: string;
  let connections = 0;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"n":1}\n');
        release = () => {
          res.write('{"n":2}\n');
          res.end();
        };
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ method: req.method, ua: req.headers['user-agent'], body: req.method === 'POST' ? 'yes' : 'no' }));
    });
    server.on('connection', () => connections++);
    url = await listen(server);
  });
  afterAll(async () => {
    await close(server);
  });

  it('reuses one keep-alive connection for consecutive requests', async () => {
    const client = new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' }, userAgent: 'ua/1' });
    const before = connections;
    const a = await client.request<{ ua: string }>({ method: 'GET', path: '/a' });
    await client.request({ method: 'POST', path: '/b', body: { x: 1 } });
    await client.request({ method: 'GET', path: '/c' });
    expect(a.ua).toBe('ua/1');
    expect(connections - before).toBe(1);
    client.close();
  });

  it('streams a body as it arrives; aborting cuts it', async () => {
    const transport = new NodeTransport();
    const abort = new AbortController();
    const res = await transport.request({ method: 'GET', url: `${url}/stream`, headers: {}, signal: abort.signal });
    expect(res.headers['content-type']).toBe('application/json');
    const lines: string[] = [];
    for await (const line of splitLines(res.body)) {
      lines.push(line);
      if (lines.length === 1) release?.();
    }
    expect(lines).toEqual(['{"n":1}', '{"n":2}']);

    const res2 = await transport.request({ method: 'GET', url: `${url}/stream`, headers: {}, signal: abort.signal });
    const reading = readBody(res2.body).then(
      () => 'completed',
      () => 'cut',
    );
    abort.abort();
    expect(await reading).toBe('cut');
    transport.close();
  });

  it('joins repeated headers and rejects with TransportError when nothing answers', async () => {
    const transport = new NodeTransport();
    const res = await transport.request({ method: 'GET', url, headers: {} });
    expect(res.headers['x-multi']).toBe('a, b');
    await readBody(res.body);
    const dead = http.createServer();
    const deadUrl = await listen(dead);
    await close(dead);
    await expect(transport.request({ method: 'GET', url: deadUrl, headers: {} })).rejects.toThrow(TransportError);
    await expect(transport.request({ method: 'GET', url: 'not a url', headers: {} })).rejects.toThrow('GET not a url: not a URL');
    transport.close();
  });
});

const tlsSuite = hasOpenssl() ? describe : describe.skip;

tlsSuite('NodeTransport over https with kubeconfig TLS', () => {
  let dir: string;
  let server: https.Server;
  let url: string;
  const pem = (name: string): Buffer => readFileSync(join(dir, name));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-tls-'));
    const ossl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=keelson-test-ca', '-days', '2');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:api.keelson.test\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const who of ['server', 'client']) {
      ossl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', who === 'server' ? '/CN=apiserver' : '/CN=alice/O=devs');
      ossl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', `${who}.ext`);
    }
    server = https.createServer({ key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ authorized: socket.authorized, cn: peer.subject?.CN ?? null, authorization: req.headers.authorization ?? null }));
    });
    url = await listen(server);
  });

  afterAll(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const b64 = (name: string): string => pem(name).toString('base64');

  it('verifies the server against the kubeconfig CA and presents the client certificate', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `current-context: t
clusters: [{name: c, cluster: {server: "${url}", certificate-authority: ca.crt}}]
users: [{name: u, user: {client-certificate: client.crt, client-key-data: ${b64('client.key')}, token: tok}}]
contexts: [{name: t, context: {cluster: c, user: u}}]
`,
    );
    const client = RestClient.fromKubeconfig({ kubeconfig });
    const seen = await client.request<{ authorized: boolean; cn: string; authorization: string }>({ method: 'GET', path: '/who' });
    expect(seen).toEqual({ authorized: true, cn: 'alice', authorization: 'Bearer tok' });
    client.close();
  });

  it('refuses a server its CA did not sign, unless told to skip verification', async () => {
    const strict = new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
    const err = await strict.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/self[- ]signed|unable to (get|verify)/i);
    strict.close();
    const insecure = new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: true }, auth: {}, source: 'test' } });
    expect(await insecure.request<{ authorized: boolean }>({ method: 'GET', path: '/' })).toMatchObject({ authorized: false, cn: null });
    insecure.close();
  });

  it('checks the name in tls-server-name when the URL does not carry it', async () => {
    const client = new RestClient({ config: { server: url.replace('127.0.0.1', 'localhost'), namespace: 'default', tls: { insecureSkipTlsVerify: false, ca: pem('ca.crt'), serverName: 'api.keelson.test' }, auth: {}, source: 'test' } });
    expect(await client.request<{ authorized: boolean }>({ method: 'GET', path: '/' })).toMatchObject({ cn: null });
    client.close();
  });
});
