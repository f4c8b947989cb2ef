// OCI distribution API v2 client: manifests and blobs over http(s), anonymous/basic/bearer-token auth, push.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type Digest, sha256 } from './digest';
import { DigestMismatchError, RegistryError, UnauthorizedError } from './errors';
import { MediaTypes, sniffMediaType } from './oci';
import { DEFAULT_DOMAIN, type ImageReference } from './reference';

/** Credentials as in CRI's AuthConfig. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** base64 of `username:password`. */
  auth?: string;
  /** A bearer token sent as is (CRI registry_token). */
  registryToken?: string;
}

export type FetchFn = typeof fetch;

export interface RegistryClientOptions {
  fetch?: FetchFn;
  /** Hosts (host[:port]) reached over plain http; localhost and 127.0.0.1 always are. */
  insecureRegistries?: readonly string[];
}

export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
].join(', ');

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="a,b"`. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2] ?? ''); p !== null; p = re.exec(m[2] ?? '')) {
    params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

/** The host the v2 API is served on (`docker.io` is really `registry-1.docker.io`). */
export function registryHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '');
  return h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h.startsWith('127.');
}

/** One client per registry host and credential; caches the Basic header and bearer tokens by scope. */
export class RegistryClient {
  private readonly fetchFn: FetchFn;
  private readonly base: string;
  private basic: string | undefined;
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly domain: string,
    private readonly auth: RegistryAuth | undefined,
    opts: RegistryClientOptions = {},
  ) {
    this.fetchFn = opts.fetch ?? fetch;
    const host = registryHost(domain);
    const insecure = isLoopback(host) || (opts.insecureRegistries ?? []).includes(domain);
    this.base = `${insecure ? 'http' : 'https'}://${host}`;
    if (auth?.registryToken) this.tokens.set('*', auth.registryToken);
  }

  /** GET a manifest or index by tag or digest; verifies the body against the digest it was asked by / announced. */
  async getManifest(ref: ImageReference, reference: string): Promise<{ body: Buffer; mediaType: string; digest: Digest }> {
    const url = `${this.base}/v2/${ref.path}/manifests/${reference}`;
    const res = await this.request(url, { method: 'GET', headers: { Accept: MANIFEST_ACCEPT } }, ref.path, 'pull');
    const body = Buffer.from(await res.arrayBuffer());
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) throw new DigestMismatchError(reference, digest, 'manifest');
    const announced = res.headers.get('docker-content-digest');
    if (announced !== null && announced.startsWith('sha256:') && announced !== digest) {
      throw new DigestMismatchError(announced, digest, 'manifest (Docker-Content-Digest)');
    }
    let doc: { mediaType?: unknown; manifests?: unknown; config?: unknown; schemaVersion?: unknown };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch (err: unknown) {
      throw new RegistryError(url, res.status, `manifest is not JSON: ${String(err)}`);
    }
    const headerType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : headerType !== '' && headerType !== 'application/json' ? headerType : sniffMediaType(doc);
    return { body, mediaType, digest };
  }

  /** A stream of the blob's bytes (redirects to storage back-ends are followed). */
  async getBlob(ref: ImageReference, digest: Digest): Promise<Readable> {
    const url = `${this.base}/v2/${ref.path}/blobs/${digest}`;
    const res = await this.request(url, { method: 'GET' }, ref.path, 'pull');
    if (res.body === null) throw new RegistryError(url, res.status, 'empty body');
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  async hasBlob(ref: ImageReference, digest: Digest): Promise<boolean> {
    const url = `${this.base}/v2/${ref.path}/blobs/${digest}`;
    const res = await this.request(url, { method: 'HEAD' }, ref.path, 'pull,push', [404]);
    return res.status !== 404;
  }

  /** Monolithic upload: POST /blobs/uploads/ then PUT <Location>?digest=… with the whole blob. */
  async putBlob(ref: ImageReference, digest: Digest, data: Buffer): Promise<void> {
    if (await this.hasBlob(ref, digest)) return;
    const start = `${this.base}/v2/${ref.path}/blobs/uploads/`;
    const res = await this.request(start, { method: 'POST', headers: { 'Content-Length': '0' } }, ref.path, 'pull,push');
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (location === null) throw new RegistryError(start, res.status, 'upload started without a Location header');
    const u = new URL(location, start);
    u.searchParams.set('digest', digest);
    const put = await this.request(
      u.toString(),
      { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) }, body: data },
      ref.path,
      'pull,push',
    );
    await put.arrayBuffer();
  }

  async putManifest(ref: ImageReference, reference: string, body: Buffer, mediaType: string): Promise<void> {
    const url = `${this.base}/v2/${ref.path}/manifests/${reference}`;
    const res = await this.request(url, { method: 'PUT', headers: { 'Content-Type': mediaType }, body }, ref.path, 'pull,push');
    await res.arrayBuffer();
  }

  // Sends a request, answering one 401 challenge (Basic or Bearer) and retrying once.
  private async request(url: string, init: RequestInit, repo: string, actions: string, okStatuses: number[] = []): Promise<Response> {
    const scopeHint = `repository:${repo}:${actions}`;
    let res = await this.fetchFn(url, this.withAuth(init, scopeHint));
    if (res.status === 401) {
      const header = res.headers.get('www-authenticate') ?? '';
      await res.arrayBuffer();
      const challenge = parseChallenge(header);
      if (challenge === undefined) throw new UnauthorizedError(url, '401 without a WWW-Authenticate challenge');
      await this.answer(challenge, url, scopeHint);
      res = await this.fetchFn(url, this.withAuth(init, scopeHint));
      if (res.status === 401) {
        await res.arrayBuffer();
        throw new UnauthorizedError(url, 'credentials rejected');
      }
    }
    if (!res.ok && !okStatuses.includes(res.status)) {
      const text = await res.text().catch(() => '');
      throw new RegistryError(url, res.status, text.slice(0, 500) || res.statusText);
    }
    return res;
  }

  private withAuth(init: RequestInit, scope: string): RequestInit {
    const headers = new Headers(init.headers);
    const token = this.tokens.get(scope) ?? this.tokens.get('*');
    if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
    else if (this.basic !== undefined) headers.set('Authorization', this.basic);
    return { ...init, headers };
  }

  private basicHeader(): string | undefined {
    const a = this.auth;
    if (a?.auth) return `Basic ${a.auth}`;
    if (a?.username !== undefined && a.username !== '') {
      return `Basic ${Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64')}`;
    }
    return undefined;
  }

  private async answer(ch: Challenge, url: string, scopeHint: string): Promise<void> {
    if (ch.scheme === 'basic') {
      const basic = this.basicHeader();
      if (basic === undefined) throw new UnauthorizedError(url, 'registry wants Basic auth and no credentials were given');
      this.basic = basic;
      return;
    }
    if (ch.scheme !== 'bearer') throw new UnauthorizedError(url, `unsupported auth scheme "${ch.scheme}"`);
    const realm = ch.params.realm;
    if (realm === undefined || realm === '') throw new UnauthorizedError(url, 'Bearer challenge without realm');
    const tokenUrl = new URL(realm);
    if (ch.params.service !== undefined) tokenUrl.searchParams.set('service', ch.params.service);
    // The registry names the scope it needs; fall back to the one this request implies.
    tokenUrl.searchParams.set('scope', ch.params.scope ?? scopeHint);
    const headers: Record<string, string> = {};
    const basic = this.basicHeader();
    if (basic !== undefined) headers.Authorization = basic;
    const res = await this.fetchFn(tokenUrl.toString(), { headers });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      if (res.status === 401 || res.status === 403) throw new UnauthorizedError(tokenUrl.toString(), text || `HTTP ${res.status}`);
      throw new RegistryError(tokenUrl.toString(), res.status, text);
    }
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (token === undefined || token === '') throw new UnauthorizedError(tokenUrl.toString(), 'token endpoint returned no token');
    this.tokens.set(scopeHint, token);
  }
}
