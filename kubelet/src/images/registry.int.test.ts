// Integration tests of push/pull against a real local registry (Debian's docker-registry), anonymous, basic and bearer auth.
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBusyboxImage, type BuiltImage } from './build-busybox';
import { sha256 } from './digest';
import { DigestMismatchError, UnauthorizedError } from './errors';
import { ImageStore } from './image-store';
import { MediaTypes, goArch } from './oci';

const USER = 'keel';
const PASS = 's3cret';
const TOKEN = 'tok-' + Math.random().toString(36).slice(2);

describe('ImageStore pull/push against a real registry', () => {
  let work: string;
  let registry: ChildProcess | undefined;
  let registryPort = 0;
  let built: BuiltImage;
  let source: ImageStore;
  const servers: http.Server[] = [];
  let tokenRequests: string[] = [];

  beforeAll(async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'keelson-registry-'));
    registryPort = await freePort();
    const config = [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(work, 'registry-data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${registryPort}`,
      '',
    ].join('\n');
    await fsp.writeFile(path.join(work, 'config.yml'), config);
    registry = spawn('/usr/bin/docker-registry', ['serve', path.join(work, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    registry.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${registryPort}/v2/`)).status === 200, () => `registry did not start: ${stderr}`);

    built = await buildBusyboxImage({ out: path.join(work, 'busybox.tar') });
    source = await ImageStore.open({ root: path.join(work, 'source') });
    await source.importArchive(built.path);
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    if (registry !== undefined && registry.exitCode === null) {
      const exited = new Promise((r) => registry!.once('exit', r));
      registry.kill('SIGTERM');
      await exited;
    }
    await fsp.rm(work, { recursive: true, force: true });
  });

  const freshStore = async (): Promise<ImageStore> => ImageStore.open({ root: await fsp.mkdtemp(path.join(work, 'store-')) });

  it('pushes an image over HTTP and pulls it into a fresh store, digests intact', async () => {
    const remote = `127.0.0.1:${registryPort}/keelson/busybox:v1`;
    expect(await source.push('busybox', remote)).toBe(built.manifestDigest);

    const store = await freshStore();
    const status = await store.pull(remote);
    expect(status).toMatchObject({
      id: built.configDigest,
      repoTags: [remote],
      repoDigests: [`127.0.0.1:${registryPort}/keelson/busybox@${built.manifestDigest}`],
    });
    const resolved = await store.resolve(remote);
    expect(resolved.config.Cmd).toEqual(['sh']);
    expect((await fsp.stat(path.join(resolved.layerDirs[0]!, 'bin/busybox'))).isFile()).toBe(true);
    // Pulling by digest finds the same image.
    expect((await store.resolve(`127.0.0.1:${registryPort}/keelson/busybox@${built.manifestDigest}`)).id).toBe(built.configDigest);
  });

  it('pulls a multi-platform index and picks this machine\'s platform', async () => {
    const base = `http://127.0.0.1:${registryPort}/v2/keelson/multi`;
    await source.push('busybox', `127.0.0.1:${registryPort}/keelson/multi:plain`);
    const manifestSize = (await fsp.stat(source.content.blobPath(built.manifestDigest))).size;
    const other = goArch() === 'amd64' ? 's390x' : 'amd64';
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: built.manifestDigest, size: manifestSize, platform: { os: 'linux', architecture: other } },
          { mediaType: MediaTypes.ociManifest, digest: built.manifestDigest, size: manifestSize, platform: { os: 'linux', architecture: goArch() } },
        ],
      }),
    );
    const put = await fetch(`${base}/manifests/multi`, { method: 'PUT', headers: { 'Content-Type': MediaTypes.ociIndex }, body: index });
    expect(put.status).toBe(201);

    const store = await freshStore();
    const ref = `127.0.0.1:${registryPort}/keelson/multi:multi`;
    const status = await store.pull(ref);
    expect(status.id).toBe(built.configDigest);
    // The image is known by the index digest (what the registry serves for the tag), as containerd reports it.
    expect(status.repoDigests).toEqual([`127.0.0.1:${registryPort}/keelson/multi@${sha256(index)}`]);
    expect((await store.resolve(ref)).manifestDigest).toBe(built.manifestDigest);

    const s390 = await ImageStore.open({ root: await fsp.mkdtemp(path.join(work, 'store-')), platform: { os: 'linux', architecture: 'riscv64' } });
    await expect(s390.pull(ref)).rejects.toThrow(/linux\/riscv64/);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const store = await freshStore();
    const wrong = `sha256:${'0'.repeat(64)}`;
    const proxy = await startProxy(registryPort, 'none', (req, res) => {
      if (req.url?.includes('/manifests/')) {
        res.writeHead(200, { 'Content-Type': MediaTypes.ociManifest });
        res.end('{"schemaVersion":2}');
        return true;
      }
      return false;
    });
    await expect(store.pull(`127.0.0.1:${proxy}/keelson/busybox@${wrong}`)).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it('authenticates with Basic credentials when the registry asks for them', async () => {
    const port = await startProxy(registryPort, 'basic');
    const ref = `127.0.0.1:${port}/keelson/busybox:v1`;
    await expect((await freshStore()).pull(ref)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect((await freshStore()).pull(ref, { username: USER, password: 'wrong' })).rejects.toBeInstanceOf(UnauthorizedError);
    const status = await (await freshStore()).pull(ref, { username: USER, password: PASS });
    expect(status.id).toBe(built.configDigest);
  });

  it('follows the Bearer token flow (realm, service, scope) for pull and push', async () => {
    const port = await startProxy(registryPort, 'bearer');
    tokenRequests = [];
    const ref = `127.0.0.1:${port}/keelson/pushed-with-token:v2`;
    await expect(source.push('busybox', ref)).rejects.toBeInstanceOf(UnauthorizedError);
    await source.push('busybox', ref, { username: USER, password: PASS });
    expect(tokenRequests).toContain('service=test-registry&scope=repository%3Akeelson%2Fpushed-with-token%3Apull%2Cpush');

    const store = await freshStore();
    const status = await store.pull(ref, { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') });
    expect(status.id).toBe(built.configDigest);
    expect(tokenRequests.some((q) => q.endsWith('%3Apull'))).toBe(true);
  });

  // A reverse proxy in front of the registry that demands auth the way real registries do.
  async function startProxy(upstreamPort: number, mode: 'none' | 'basic' | 'bearer', intercept?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<number> {
    const basicOk = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        tokenRequests.push(url.searchParams.toString());
        if (req.headers.authorization !== basicOk) {
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        // Like a real token server, the token grants exactly the scope asked for.
        const granted = `${TOKEN}.${Buffer.from(url.searchParams.get('scope') ?? '').toString('base64url')}`;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: granted }));
        return;
      }
      if (intercept?.(req, res)) return;
      const addr = server.address() as AddressInfo;
      if (mode === 'basic' && req.headers.authorization !== basicOk) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
        return;
      }
      const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      const actions = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'pull,push';
      const auth = req.headers.authorization ?? '';
      const scope = auth.startsWith(`Bearer ${TOKEN}.`) ? Buffer.from(auth.slice(`Bearer ${TOKEN}.`.length), 'base64url').toString() : '';
      const [, scopeRepo, scopeActions] = /^repository:(.+):([a-z,]+)$/.exec(scope) ?? [];
      const allowed = scopeRepo === repo && actions.split(',').every((a) => (scopeActions ?? '').split(',').includes(a));
      if (mode === 'bearer' && !allowed) {
        res
          .writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${addr.port}/token",service="test-registry",scope="repository:${repo}:${actions}"` })
          .end();
        return;
      }
      const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...req.headers, authorization: '' } }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }
});

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(check: () => Promise<boolean>, msg: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(msg());
}
