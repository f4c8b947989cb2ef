// Kubeconfig parsing, KUBECONFIG merging, context resolution with overrides, and in-cluster config.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeconfigError } from './errors';
import { inClusterConfig, loadClientConfig, loadKubeconfig, mergeKubeconfigs, parseKubeconfig, resolveClientConfig } from './kubeconfig';

const caPem = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-kubeconfig-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const full = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: certs/ca.crt
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: ${b64(caPem)}
    tls-server-name: api.prod
- name: lab
  cluster:
    server: http://127.0.0.1:8080
    insecure-skip-tls-verify: true
users:
- name: dev-user
  user:
    token: dev-token
- name: cert-user
  user:
    client-certificate: certs/client.crt
    client-key-data: ${b64('KEY')}
- name: basic
  user:
    username: admin
    password: secret
- name: file-token
  user:
    tokenFile: token
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
    namespace: team-a
- name: prod
  context:
    cluster: prod-cluster
    user: cert-user
- name: lab
  context:
    cluster: lab
    user: basic
`;

describe('parseKubeconfig', () => {
  it('reads clusters, users and contexts, resolving relative paths against the file', () => {
    const file = write('cfg/config', full);
    const kc = parseKubeconfig(full, file);
    expect(kc.currentContext).toBe('dev');
    expect(kc.clusters.get('dev-cluster')).toEqual({ server: 'https://10.0.0.1:6443/', certificateAuthority: join(dir, 'cfg/certs/ca.crt'), source: file });
    expect(kc.clusters.get('prod-cluster')?.tlsServerName).toBe('api.prod');
    expect(kc.clusters.get('lab')?.insecureSkipTlsVerify).toBe(true);
    expect(kc.users.get('cert-user')).toMatchObject({ clientCertificate: join(dir, 'cfg/certs/client.crt'), clientKeyData: b64('KEY') });
    expect(kc.users.get('file-token')?.tokenFile).toBe(join(dir, 'cfg/token'));
    expect(kc.contexts.get('dev')).toMatchObject({ cluster: 'dev-cluster', user: 'dev-user', namespace: 'team-a' });
    expect(kc.sources).toEqual([file]);
  });

  it('treats an empty file as an empty config', () => {
    const kc = parseKubeconfig('', '/x/config');
    expect(kc.clusters.size).toBe(0);
    expect(kc.currentContext).toBeUndefined();
  });

  it('names the file and line of a YAML syntax error', () => {
    expect(() => parseKubeconfig('clusters:\n  - name: a\n   bad: [', '/etc/kube/broken')).toThrow(KubeconfigError);
    try {
      parseKubeconfig('clusters:\n  - name: a\n   bad: [', '/etc/kube/broken');
    } catch (e: unknown) {
      expect((e as KubeconfigError).file).toBe('/etc/kube/broken');
      expect((e as Error).message).toMatch(/^\/etc\/kube\/broken: not valid YAML: .* at line \d+/);
    }
  });

  it('names the field of a value of the wrong type', () => {
    expect(() => parseKubeconfig('clusters:\n- name: a\n  cluster:\n    server: 6443\n', '/k/config')).toThrow('/k/config: clusters[0].cluster.server must be a string, got number');
    expect(() => parseKubeconfig('clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: "yes"\n', '/k/config')).toThrow('clusters[0].cluster.insecure-skip-tls-verify must be true or false');
    expect(() => parseKubeconfig('users: {}\n', '/k/config')).toThrow('/k/config: users must be a list');
    expect(() => parseKubeconfig('- a\n', '/k/config')).toThrow('a kubeconfig must be a YAML mapping');
    expect(() => parseKubeconfig('users:\n- name: u\n  user:\n    client-key-data: "not*base64"\n', '/k/config')).toThrow('users[0].user.client-key-data is not valid base64');
  });

  it('rejects duplicate names within one file', () => {
    expect(() => parseKubeconfig('contexts:\n- name: a\n  context: {cluster: x, user: y}\n- name: a\n  context: {cluster: z, user: y}\n', '/k/config')).toThrow('duplicate name "a" in contexts');
  });
});

describe('mergeKubeconfigs and loadKubeconfig', () => {
  const one = `current-context: a
clusters:
- name: shared
  cluster: {server: "https://first:6443"}
users:
- name: u
  user: {token: first}
contexts:
- name: a
  context: {cluster: shared, user: u}
`;
  const two = `current-context: b
clusters:
- name: shared
  cluster: {server: "https://second:6443"}
- name: only-two
  cluster: {server: "https://two:6443"}
contexts:
- name: b
  context: {cluster: only-two, user: u, namespace: ns-b}
`;

  it('lets the first file to set a name win, and the first current-context', () => {
    const a = write('a', one);
    const b = write('b', two);
    const merged = mergeKubeconfigs([parseKubeconfig(one, a), parseKubeconfig(two, b)]);
    expect(merged.clusters.get('shared')?.server).toBe('https://first:6443');
    expect(merged.clusters.get('only-two')?.server).toBe('https://two:6443');
    expect(merged.currentContext).toBe('a');
    expect(merged.sources).toEqual([a, b]);
  });

  it('merges the KUBECONFIG list, skipping missing files, empty entries and repeats', () => {
    const a = write('a', one);
    const b = write('b', two);
    const kc = loadKubeconfig({ env: { KUBECONFIG: ['', join(dir, 'missing'), b, a, b].join(delimiter) }, homeDir: dir });
    expect(kc.sources).toEqual([b, a]);
    expect(kc.currentContext).toBe('b');
    expect(kc.clusters.get('shared')?.server).toBe('https://second:6443');
    const config = resolveClientConfig(kc);
    expect(config).toMatchObject({ server: 'https://two:6443', namespace: 'ns-b', auth: { token: 'first' }, contextName: 'b' });
  });

  it('falls back to ~/.kube/config, and --kubeconfig ignores KUBECONFIG', () => {
    const home = join(dir, 'home');
    write('home/.kube/config', one);
    expect(loadKubeconfig({ env: {}, homeDir: home }).currentContext).toBe('a');
    const b = write('b', two);
    expect(loadKubeconfig({ kubeconfig: b, env: { KUBECONFIG: join(home, '.kube/config') }, homeDir: home }).currentContext).toBe('b');
    expect(loadKubeconfig({ env: {}, homeDir: join(dir, 'nobody') }).sources).toEqual([]);
  });

  it('fails with the file name when --kubeconfig does not exist', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => loadKubeconfig({ kubeconfig: missing })).toThrow(`${missing}: no such file`);
  });
});

describe('resolveClientConfig', () => {
  let file: string;
  beforeEach(() => {
    file = write('cfg/config', full);
    write('cfg/certs/ca.crt', caPem);
    write('cfg/certs/client.crt', 'CERT');
    write('cfg/token', 'rotating-token\n');
  });

  it('uses the current context: server, CA file, token, namespace', () => {
    const c = resolveClientConfig(loadKubeconfig({ kubeconfig: file }));
    expect(c.server).toBe('https://10.0.0.1:6443');
    expect(c.namespace).toBe('team-a');
    expect(c.tls.ca?.toString()).toBe(caPem);
    expect(c.tls.insecureSkipTlsVerify).toBe(false);
    expect(c.auth).toEqual({ token: 'dev-token' });
    expect(c).toMatchObject({ contextName: 'dev', clusterName: 'dev-cluster', userName: 'dev-user', source: file });
  });

  it('honours --context, and decodes -data fields; no namespace means default', () => {
    const c = resolveClientConfig(loadKubeconfig({ kubeconfig: file }), { context: 'prod' });
    expect(c.server).toBe('https://prod.example:6443');
    expect(c.tls.ca?.toString()).toBe(caPem);
    expect(c.tls.serverName).toBe('api.prod');
    expect(c.tls.cert?.toString()).toBe('CERT');
    expect(c.tls.key?.toString()).toBe('KEY');
    expect(c.namespace).toBe('default');
  });

  it('overrides cluster, user, namespace and server one by one', () => {
    const kc = loadKubeconfig({ kubeconfig: file });
    const c = resolveClientConfig(kc, { cluster: 'lab', user: 'basic', namespace: 'ops' });
    expect(c).toMatchObject({ server: 'http://127.0.0.1:8080', namespace: 'ops', auth: { username: 'admin', password: 'secret' }, tls: { insecureSkipTlsVerify: true } });
    expect(resolveClientConfig(kc, { server: 'https://other:1' }).server).toBe('https://other:1');
    const insecure = resolveClientConfig(kc, { insecureSkipTlsVerify: true });
    expect(insecure.tls.insecureSkipTlsVerify).toBe(true);
    expect(insecure.tls.ca).toBeUndefined();
    expect(resolveClientConfig(kc, { user: 'file-token' }).auth).toEqual({ tokenFile: join(dir, 'cfg/token') });
  });

  it('names what is missing', () => {
    const kc = loadKubeconfig({ kubeconfig: file });
    expect(() => resolveClientConfig(kc, { context: 'staging' })).toThrow(`context "staging" does not exist (in ${file})`);
    expect(() => resolveClientConfig(kc, { cluster: 'gone' })).toThrow('cluster "gone" does not exist');
    expect(() => resolveClientConfig(kc, { user: 'gone' })).toThrow('user "gone" does not exist');
    expect(() => resolveClientConfig(mergeKubeconfigs([]))).toThrow('no server configured');
    rmSync(join(dir, 'cfg/certs/ca.crt'));
    expect(() => resolveClientConfig(kc)).toThrow(`${file}: cluster "dev-cluster": certificate-authority ${join(dir, 'cfg/certs/ca.crt')}: no such file`);
  });

  it('rejects configurations kubectl rejects', () => {
    const bad = (user: string, cluster = 'server: https://x:1'): string => `current-context: c
clusters: [{name: k, cluster: {${cluster}}}]
users: [{name: u, user: {${user}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`;
    const resolve = (text: string): unknown => resolveClientConfig(parseKubeconfig(text, write('bad', text)));
    expect(() => resolve(bad('token: t, username: a, password: b'))).toThrow('more than one authentication method found (token, basic auth)');
    expect(() => resolve(bad(`client-certificate-data: ${b64('C')}`))).toThrow('client-certificate and client-key must be set together');
    expect(() => resolve(bad(`client-key-data: ${b64('K')}, client-key: k.pem, client-certificate-data: ${b64('C')}`))).toThrow('client-key-data and client-key are both specified');
    expect(() => resolve(bad('exec: {command: aws}'))).toThrow('exec credential plugins are not supported');
    expect(() => resolve(bad('token: t', `server: https://x:1, insecure-skip-tls-verify: true, certificate-authority-data: ${b64(caPem)}`))).toThrow('a certificate authority together with insecure-skip-tls-verify is not allowed');
    expect(() => resolve(bad('token: t', 'server: "ftp://x"'))).toThrow('must be an http:// or https:// URL');
    const err = (() => {
      try {
        resolve(bad('token: t', 'server: "::nope"'));
      } catch (e: unknown) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(KubeconfigError);
    expect((err as KubeconfigError).file).toBe(join(dir, 'bad'));
  });
});

describe('in-cluster config and loadClientConfig', () => {
  function serviceAccount(): string {
    write('sa/token', 'sa-token');
    write('sa/ca.crt', caPem);
    write('sa/namespace', 'kube-system\n');
    return join(dir, 'sa');
  }

  it('builds the service account config from the environment', () => {
    const c = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: serviceAccount() });
    expect(c).toMatchObject({ server: 'https://[fd00::1]:443', namespace: 'kube-system', auth: { tokenFile: join(dir, 'sa/token') }, source: 'in-cluster' });
    expect(c?.tls.ca?.toString()).toBe(caPem);
    expect(inClusterConfig({ env: {} })).toBeUndefined();
  });

  it('prefers a kubeconfig, then in-cluster, then fails saying where it looked', () => {
    const sa = serviceAccount();
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(loadClientConfig({ env, homeDir: join(dir, 'nobody'), serviceAccountDir: sa, namespace: 'x' })).toMatchObject({ source: 'in-cluster', namespace: 'x' });
    write('home/.kube/config', 'current-context: c\nclusters: [{name: k, cluster: {server: "https://k:6443"}}]\ncontexts: [{name: c, context: {cluster: k, user: ""}}]\n');
    expect(loadClientConfig({ env, homeDir: join(dir, 'home'), serviceAccountDir: sa }).server).toBe('https://k:6443');
    expect(() => loadClientConfig({ env: {}, homeDir: join(dir, 'nobody') })).toThrow(/no configuration has been provided: no --kubeconfig, KUBECONFIG is unset, .*nobody\/\.kube\/config does not exist, and not running in a cluster/);
    expect(loadClientConfig({ env: {}, homeDir: join(dir, 'nobody'), server: 'http://127.0.0.1:1' }).server).toBe('http://127.0.0.1:1');
  });
});
