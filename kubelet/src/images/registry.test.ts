// Unit tests of the registry client's pieces: WWW-Authenticate parsing, endpoints, and the bearer retry with a fake fetch.
import { UnauthorizedError } from './errors';
import { parseReference } from './reference';
import { RegistryClient, parseChallenge, registryHost } from './registry';

describe('parseChallenge', () => {
  it('reads quoted params with commas inside (Docker Hub style)', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
  });
});

describe('RegistryClient', () => {
  it('maps docker.io to registry-1.docker.io over https and loopback registries to http', async () => {
    expect(registryHost('docker.io')).toBe('registry-1.docker.io');
    const urls: string[] = [];
    const fake: typeof fetch = async (input) => {
      urls.push((input as string));
      return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    };
    await new RegistryClient('docker.io', undefined, { fetch: fake }).getManifest(parseReference('busybox'), 'latest');
    await new RegistryClient('localhost:5000', undefined, { fetch: fake }).getManifest(parseReference('localhost:5000/a'), 'latest');
    await new RegistryClient('reg.internal:5000', undefined, { fetch: fake, insecureRegistries: ['reg.internal:5000'] }).getManifest(parseReference('reg.internal:5000/a'), 'v1');
    expect(urls).toEqual([
      'https://registry-1.docker.io/v2/library/busybox/manifests/latest',
      'http://localhost:5000/v2/a/manifests/latest',
      'http://reg.internal:5000/v2/a/manifests/v1',
    ]);
  });

  it('gets a token from the realm with basic credentials and retries with it; a second 401 is Unauthorized', async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    let accept = true;
    const fake: typeof fetch = async (input, init) => {
      const url = (input as string);
      const auth = new Headers(init?.headers).get('authorization');
      seen.push({ url, auth });
      if (url.startsWith('https://auth.example/token')) return Response.json({ token: 'T' });
      if (auth === 'Bearer T' && accept) return new Response('{"schemaVersion":2,"config":{}}', { status: 200 });
      return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"' } });
    };
    const client = new RegistryClient('reg.example', { username: 'u', password: 'p' }, { fetch: fake });
    await client.getManifest(parseReference('reg.example/a/b:1'), '1');
    expect(seen.map((s) => s.auth)).toEqual([null, `Basic ${Buffer.from('u:p').toString('base64')}`, 'Bearer T']);
    expect(seen[1]!.url).toBe('https://auth.example/token?service=reg&scope=repository%3Aa%2Fb%3Apull');

    accept = false;
    await expect(new RegistryClient('reg.example', undefined, { fetch: fake }).getManifest(parseReference('reg.example/a/b:1'), '1')).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
