// Kubeconfig loading as kubectl does it: files, KUBECONFIG merging, overrides, in-cluster config.
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import { KubeconfigError } from './errors';

/** One `clusters[].cluster` entry. Paths are absolute (resolved against the file that named them). */
export interface KubeconfigCluster {
  server: string;
  certificateAuthority?: string;
  /** Base64, as written in the file. */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** The file this entry came from. */
  source?: string;
}

/** One `users[].user` entry. Paths are absolute. */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  username?: string;
  password?: string;
  /** An exec credential plugin or auth-provider is configured (not supported by this client). */
  plugin?: 'exec' | 'auth-provider';
  source?: string;
}

/** One `contexts[].context` entry. */
export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
  source?: string;
}

/** A kubeconfig: one file parsed, or several merged. */
export interface Kubeconfig {
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
  currentContext?: string;
  /** The files it was read from, in precedence order. */
  sources: string[];
}

/** TLS material for talking to the server; PEM buffers, already read and decoded. */
export interface TlsConfig {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify: boolean;
  serverName?: string;
}

/** How the client authenticates. `tokenFile` is re-read periodically (rotated service account tokens). */
export interface AuthConfig {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
}

/** Everything the REST client needs to reach one server as one user: the completed config. */
export interface ClientConfig {
  /** Base URL, e.g. `https://10.0.0.1:6443` (may carry a path prefix). */
  server: string;
  /** The namespace of the context (or override), `default` when none is set. */
  namespace: string;
  tls: TlsConfig;
  auth: AuthConfig;
  contextName?: string;
  clusterName?: string;
  userName?: string;
  /** Where this came from: the kubeconfig files, or `in-cluster`. */
  source: string;
}

/** `--context`, `--cluster`, `--user`, `--namespace`, `--server`, `--insecure-skip-tls-verify`, `--token`. */
export interface ConfigOverrides {
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  insecureSkipTlsVerify?: boolean;
  token?: string;
}

export interface LoadOptions {
  /** `--kubeconfig`: exactly this file, which must exist (KUBECONFIG and the default are ignored). */
  kubeconfig?: string;
  /** The environment: KUBECONFIG, and KUBERNETES_SERVICE_HOST/PORT for in-cluster config. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~/.kube/config`. Default `os.homedir()`. */
  homeDir?: string;
  /** Service account directory for in-cluster config. Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  serviceAccountDir?: string;
}

export const defaultServiceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

// ---------------------------------------------------------------------------------------
// Parsing one file

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class FileParser {
  constructor(
    private readonly file: string,
    private readonly dir: string,
  ) {}

  fail(message: string): never {
    throw new KubeconfigError(message, this.file);
  }

  str(o: Obj, key: string, at: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(`${at}.${key} must be a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    return v;
  }

  bool(o: Obj, key: string, at: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(`${at}.${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  path(o: Obj, key: string, at: string): string | undefined {
    const p = this.str(o, key, at);
    if (p === undefined || p === '') return undefined;
    return isAbsolute(p) ? p : resolve(this.dir, p);
  }

  base64(o: Obj, key: string, at: string): string | undefined {
    const v = this.str(o, key, at);
    if (v === undefined || v === '') return undefined;
    if (!/^[A-Za-z0-9+/=\s]*$/.test(v)) this.fail(`${at}.${key} is not valid base64`);
    return v;
  }

  /** `clusters:`, `users:`, `contexts:`: a list of `{name, <field>: {...}}`, names unique. */
  named(root: Obj, list: string, field: string): { name: string; body: Obj; at: string }[] {
    const v = root[list];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(`${list} must be a list`);
    const seen = new Set<string>();
    return (v as unknown[]).map((entry, i) => {
      const at = `${list}[${i}]`;
      if (!isObj(entry)) this.fail(`${at} must be a mapping`);
      const name = entry['name'];
      if (typeof name !== 'string' || name === '') this.fail(`${at}.name must be a non-empty string`);
      if (seen.has(name)) this.fail(`duplicate name "${name}" in ${list}`);
      seen.add(name);
      const body = entry[field] ?? {};
      if (!isObj(body)) this.fail(`${at}.${field} must be a mapping`);
      return { name, body, at: `${at}.${field}` };
    });
  }
}

/**
 * Parses one kubeconfig file's text. Relative paths (certificate-authority, client-certificate,
 * client-key, tokenFile) resolve against the file's directory, as kubectl resolves them.
 * An empty file is an empty config.
 */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = load(text, { filename: file });
  } catch (e: unknown) {
    const detail = e instanceof YAMLException ? `${e.reason} at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : String(e);
    throw new KubeconfigError(`not valid YAML: ${detail}`, file, { cause: e });
  }
  const config: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), sources: [file] };
  if (doc === undefined || doc === null) return config;
  const p: FileParser = new FileParser(file, dirname(resolve(file)));
  if (!isObj(doc)) p.fail('a kubeconfig must be a YAML mapping');

  for (const { name, body, at } of p.named(doc, 'clusters', 'cluster')) {
    const c: KubeconfigCluster = { server: p.str(body, 'server', at) ?? '', source: file };
    const ca = p.path(body, 'certificate-authority', at);
    if (ca !== undefined) c.certificateAuthority = ca;
    const caData = p.base64(body, 'certificate-authority-data', at);
    if (caData !== undefined) c.certificateAuthorityData = caData;
    const insecure = p.bool(body, 'insecure-skip-tls-verify', at);
    if (insecure !== undefined) c.insecureSkipTlsVerify = insecure;
    const sni = p.str(body, 'tls-server-name', at);
    if (sni) c.tlsServerName = sni;
    config.clusters.set(name, c);
  }

  for (const { name, body, at } of p.named(doc, 'users', 'user')) {
    const u: KubeconfigUser = { source: file };
    const token = p.str(body, 'token', at);
    if (token) u.token = token;
    const tokenFile = p.path(body, 'tokenFile', at);
    if (tokenFile !== undefined) u.tokenFile = tokenFile;
    const cert = p.path(body, 'client-certificate', at);
    if (cert !== undefined) u.clientCertificate = cert;
    const certData = p.base64(body, 'client-certificate-data', at);
    if (certData !== undefined) u.clientCertificateData = certData;
    const key = p.path(body, 'client-key', at);
    if (key !== undefined) u.clientKey = key;
    const keyData = p.base64(body, 'client-key-data', at);
    if (keyData !== undefined) u.clientKeyData = keyData;
    const username = p.str(body, 'username', at);
    if (username) u.username = username;
    const password = p.str(body, 'password', at);
    if (password) u.password = password;
    if (body['exec'] !== undefined && body['exec'] !== null) u.plugin = 'exec';
    else if (body['auth-provider'] !== undefined && body['auth-provider'] !== null) u.plugin = 'auth-provider';
    config.users.set(name, u);
  }

  for (const { name, body, at } of p.named(doc, 'contexts', 'context')) {
    const c: KubeconfigContext = { cluster: p.str(body, 'cluster', at) ?? '', user: p.str(body, 'user', at) ?? '', source: file };
    const ns = p.str(body, 'namespace', at);
    if (ns) c.namespace = ns;
    config.contexts.set(name, c);
  }

  const current = p.str(doc, 'current-context', 'kubeconfig');
  if (current) config.currentContext = current;
  return config;
}

/** Reads and parses one file; a missing or unreadable file is a KubeconfigError naming it. */
export function readKubeconfigFile(file: string): Kubeconfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    const code = (e as { code?: unknown }).code;
    throw new KubeconfigError(code === 'ENOENT' ? 'no such file' : `cannot read: ${e instanceof Error ? e.message : String(e)}`, file, { cause: e });
  }
  return parseKubeconfig(text, file);
}

/**
 * Merges configs as kubectl merges the KUBECONFIG list: for clusters, users and contexts the
 * first config to set a name wins; the first non-empty current-context wins.
 */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const out: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), sources: [] };
  for (const c of configs) {
    for (const [k, v] of c.clusters) if (!out.clusters.has(k)) out.clusters.set(k, v);
    for (const [k, v] of c.users) if (!out.users.has(k)) out.users.set(k, v);
    for (const [k, v] of c.contexts) if (!out.contexts.has(k)) out.contexts.set(k, v);
    if (out.currentContext === undefined && c.currentContext) out.currentContext = c.currentContext;
    out.sources.push(...c.sources);
  }
  return out;
}

/**
 * The kubeconfig kubectl would use: the `--kubeconfig` file alone; else every file in KUBECONFIG
 * (path-list separated; empty entries, duplicates and missing files skipped) merged; else
 * `~/.kube/config` if it exists; else an empty config (`sources` empty).
 */
export function loadKubeconfig(options: LoadOptions = {}): Kubeconfig {
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') return readKubeconfigFile(options.kubeconfig);
  const env = options.env ?? process.env;
  const list = env['KUBECONFIG'];
  if (list !== undefined && list !== '') {
    const files = [...new Set(list.split(delimiter).filter((f) => f !== ''))];
    return mergeKubeconfigs(files.filter((f) => existsSync(f)).map(readKubeconfigFile));
  }
  const fallback = join(options.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(fallback)) return readKubeconfigFile(fallback);
  return { clusters: new Map(), users: new Map(), contexts: new Map(), sources: [] };
}

// ---------------------------------------------------------------------------------------
// Resolving a context into a ClientConfig

function describeSources(kc: Kubeconfig): string {
  return kc.sources.length === 0 ? 'no kubeconfig file' : kc.sources.join(delimiter);
}

function readPem(path: string, what: string, source: string | undefined): Buffer {
  try {
    return readFileSync(path);
  } catch (e: unknown) {
    const code = (e as { code?: unknown }).code;
    throw new KubeconfigError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`, source, { cause: e });
  }
}

function pem(data: string | undefined, path: string | undefined, field: string, owner: string, source: string | undefined): Buffer | undefined {
  if (data !== undefined && path !== undefined) {
    throw new KubeconfigError(`${owner}: ${field}-data and ${field} are both specified; set only one`, source);
  }
  if (data !== undefined) return Buffer.from(data, 'base64');
  if (path !== undefined) return readPem(path, `${owner}: ${field}`, source);
  return undefined;
}

function checkServer(server: string, source: string | undefined, owner: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch (e: unknown) {
    throw new KubeconfigError(`${owner}: server "${server}" is not a URL`, source, { cause: e });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`${owner}: server "${server}" must be an http:// or https:// URL`, source);
  }
  return server.replace(/\/+$/, '');
}

/**
 * The ClientConfig for the current context (or `overrides.context`), with cluster, user and
 * namespace overridable one by one, as kubectl's flags do. Certificates and keys are read now,
 * so a missing file fails here with its name, not on the first request.
 */
export function resolveClientConfig(kc: Kubeconfig, overrides: ConfigOverrides = {}): ClientConfig {
  const contextName = overrides.context ?? kc.currentContext;
  let context: KubeconfigContext | undefined;
  if (contextName !== undefined) {
    context = kc.contexts.get(contextName);
    if (context === undefined) throw new KubeconfigError(`context "${contextName}" does not exist (in ${describeSources(kc)})`);
  }
  const clusterName = overrides.cluster ?? (context?.cluster || undefined);
  const userName = overrides.user ?? (context?.user || undefined);

  let cluster: KubeconfigCluster | undefined;
  if (clusterName !== undefined) {
    cluster = kc.clusters.get(clusterName);
    if (cluster === undefined) throw new KubeconfigError(`cluster "${clusterName}" does not exist (in ${describeSources(kc)})`, context?.source);
  }
  let user: KubeconfigUser | undefined;
  if (userName !== undefined) {
    user = kc.users.get(userName);
    if (user === undefined) throw new KubeconfigError(`user "${userName}" does not exist (in ${describeSources(kc)})`, context?.source);
  }

  const rawServer = overrides.server ?? cluster?.server ?? '';
  if (rawServer === '') {
    throw new KubeconfigError(
      clusterName !== undefined
        ? `cluster "${clusterName}" has no server`
        : `no server configured: no current context and no --server (read ${describeSources(kc)})`,
      cluster?.source,
    );
  }
  const owner = `cluster "${clusterName ?? '(override)'}"`;
  const server = checkServer(rawServer, overrides.server !== undefined ? undefined : cluster?.source, owner);

  const tls: TlsConfig = { insecureSkipTlsVerify: overrides.insecureSkipTlsVerify ?? cluster?.insecureSkipTlsVerify ?? false };
  if (cluster?.tlsServerName) tls.serverName = cluster.tlsServerName;
  // As kubectl: --insecure-skip-tls-verify drops the cluster's CA rather than clashing with it.
  if (overrides.insecureSkipTlsVerify !== true && cluster !== undefined) {
    const ca = pem(cluster.certificateAuthorityData, cluster.certificateAuthority, 'certificate-authority', owner, cluster.source);
    if (ca !== undefined) {
      if (tls.insecureSkipTlsVerify) {
        throw new KubeconfigError(`${owner}: a certificate authority together with insecure-skip-tls-verify is not allowed`, cluster.source);
      }
      tls.ca = ca;
    }
  }

  const auth: AuthConfig = {};
  if (overrides.token !== undefined) {
    auth.token = overrides.token;
  } else if (user !== undefined) {
    const uOwner = `user "${userName ?? ''}"`;
    const methods: string[] = [];
    if (user.token !== undefined || user.tokenFile !== undefined) methods.push('token');
    if (user.username !== undefined || user.password !== undefined) methods.push('basic auth');
    if (methods.length > 1) {
      throw new KubeconfigError(`${uOwner}: more than one authentication method found (${methods.join(', ')}); only one is allowed`, user.source);
    }
    if (user.token !== undefined) auth.token = user.token;
    else if (user.tokenFile !== undefined) {
      // Read once now so a wrong path fails early; the client re-reads it as the token rotates.
      readPem(user.tokenFile, `${uOwner}: tokenFile`, user.source);
      auth.tokenFile = user.tokenFile;
    }
    if (user.username !== undefined) auth.username = user.username;
    if (user.password !== undefined) auth.password = user.password;
    const cert = pem(user.clientCertificateData, user.clientCertificate, 'client-certificate', uOwner, user.source);
    const key = pem(user.clientKeyData, user.clientKey, 'client-key', uOwner, user.source);
    if ((cert === undefined) !== (key === undefined)) {
      throw new KubeconfigError(`${uOwner}: client-certificate and client-key must be set together`, user.source);
    }
    if (cert !== undefined && key !== undefined) {
      tls.cert = cert;
      tls.key = key;
    }
    if (user.plugin !== undefined && methods.length === 0 && cert === undefined) {
      throw new KubeconfigError(`${uOwner}: ${user.plugin} credential plugins are not supported by the Keelson client`, user.source);
    }
  }

  const config: ClientConfig = {
    server,
    namespace: overrides.namespace ?? context?.namespace ?? 'default',
    tls,
    auth,
    source: describeSources(kc),
  };
  if (contextName !== undefined) config.contextName = contextName;
  if (clusterName !== undefined) config.clusterName = clusterName;
  if (userName !== undefined) config.userName = userName;
  return config;
}

/**
 * The config of a pod's service account (KUBERNETES_SERVICE_HOST/PORT, the mounted token, CA
 * and namespace), or undefined when not running in a cluster.
 */
export function inClusterConfig(options: LoadOptions = {}): ClientConfig | undefined {
  const env = options.env ?? process.env;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) return undefined;
  const dir = options.serviceAccountDir ?? defaultServiceAccountDir;
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  readPem(tokenFile, 'service account token', undefined);
  const config: ClientConfig = {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    namespace: 'default',
    tls: { insecureSkipTlsVerify: false },
    auth: { tokenFile },
    source: 'in-cluster',
  };
  if (existsSync(caFile)) config.tls.ca = readPem(caFile, 'service account CA', undefined);
  const nsFile = join(dir, 'namespace');
  if (existsSync(nsFile)) {
    const ns = readFileSync(nsFile, 'utf8').trim();
    if (ns !== '') config.namespace = ns;
  }
  return config;
}

/**
 * What kubectl does end to end: the kubeconfig (see loadKubeconfig) resolved with the
 * overrides; when no kubeconfig file exists and nothing names a server, the in-cluster config;
 * else a KubeconfigError saying where it looked.
 */
export function loadClientConfig(options: LoadOptions & ConfigOverrides = {}): ClientConfig {
  const env = options.env ?? process.env;
  const kc = loadKubeconfig({ ...options, env });
  const overrides: ConfigOverrides = {};
  if (options.context !== undefined) overrides.context = options.context;
  if (options.cluster !== undefined) overrides.cluster = options.cluster;
  if (options.user !== undefined) overrides.user = options.user;
  if (options.namespace !== undefined) overrides.namespace = options.namespace;
  if (options.server !== undefined) overrides.server = options.server;
  if (options.insecureSkipTlsVerify !== undefined) overrides.insecureSkipTlsVerify = options.insecureSkipTlsVerify;
  if (options.token !== undefined) overrides.token = options.token;
  if (kc.sources.length === 0 && overrides.server === undefined && overrides.context === undefined) {
    const inCluster = inClusterConfig({ ...options, env });
    if (inCluster !== undefined) {
      if (overrides.namespace !== undefined) inCluster.namespace = overrides.namespace;
      return inCluster;
    }
    const home = join(options.homeDir ?? homedir(), '.kube', 'config');
    throw new KubeconfigError(`no configuration has been provided: no --kubeconfig, KUBECONFIG is ${env['KUBECONFIG'] ? 'set but names no existing file' : 'unset'}, ${home} does not exist, and not running in a cluster`);
  }
  return resolveClientConfig(kc, overrides);
}
