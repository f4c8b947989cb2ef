// keelctl logs and exec speak the Kubernetes API: checked against a stub server that serves pods/log and records requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keelctl, writeKubeconfig } from '../testing';

describe('keelctl logs and exec requests', () => {
  let server: Server;
  let kc: { path: string; cleanup: () => void };
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '';
      seen.push(`${req.method ?? ''} ${url}`);
      if (url === '/api/v1/namespaces/ns1/pods/web-0') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'ns1', annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' } }, spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] } }));
      } else if (url.startsWith('/api/v1/namespaces/ns1/pods/web-0/log')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('line one\n');
        res.end('line two\n');
      } else {
        res.writeHead(405, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: 'not here' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kc = writeKubeconfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'ns1');
  });
  afterAll(async () => {
    kc.cleanup();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => (seen.length = 0));

  it('streams the log of the default container, with the query kubectl sends', async () => {
    expect(await keelctl(kc.path, ['logs', 'web-0'])).toEqual({ code: 0, out: 'line one\nline two\n', err: '' });
    expect(seen).toEqual(['GET /api/v1/namespaces/ns1/pods/web-0', 'GET /api/v1/namespaces/ns1/pods/web-0/log?container=sidecar']);
  });

  it('passes -c, -f, -p, --tail, --timestamps, --since and --limit-bytes through', async () => {
    await keelctl(kc.path, ['logs', 'pod/web-0', '-c', 'app', '-f', '-p', '--tail=10', '--timestamps', '--since=2m', '--limit-bytes=512']);
    expect(seen[1]).toBe('GET /api/v1/namespaces/ns1/pods/web-0/log?container=app&follow=true&previous=true&tailLines=10&timestamps=true&sinceSeconds=120&limitBytes=512');
  });

  it('asks pods/exec for the command, one parameter per word', async () => {
    expect(await keelctl(kc.path, ['exec', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo hi'])).toEqual({ code: 1, out: '', err: 'Error from server (MethodNotAllowed): not here\n' });
    expect(seen[1]).toBe('GET /api/v1/namespaces/ns1/pods/web-0/exec?command=sh&command=-c&command=echo+hi&container=app&stdin=false&stdout=true&stderr=true&tty=false');
  });
});
