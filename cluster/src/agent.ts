// `keelson agent`: joins this machine to a cluster with a join token (fetch and verify the CA, get node credentials), then runs its kubelet.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { caCertsPath, certificateSubject, createCsr, generateKey, nodeCertificatePath, privateKeyPem, sha256Hex } from '@keelson/apiserver';
import { loadClientConfig } from '@keelson/client';
import { run as runKubelet, type KubeletOptions } from '@keelson/kubelet';
import { run as runProxy, type ProxyOptions } from '@keelson/proxy';
import { parseJoinToken, writeKubeconfig } from './pki';

/** Joining failed: the server is unreachable, its CA does not match the token, or it refused the token. */
export class JoinError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JoinError';
  }
}

export interface AgentOptions {
  /** `https://host:6443`. */
  server: string;
  /** The join token from `keelson token create`. */
  token: string;
  /** The kubelet's options; `rootDir` also holds `kubelet.kubeconfig`. The agent supplies the kubeconfig. */
  kubelet: Omit<KubeletOptions, 'client' | 'kubeconfig'> & { rootDir: string };
  /** The service proxy's options; `false` runs none (tests that only need a node). */
  proxy?: Omit<ProxyOptions, 'client' | 'kubeconfig' | 'nodeName'> | false;
  now?: () => Date;
}

/** A reused node certificate must be valid at least this long (else the agent enrols again). */
const minRemainingMs = 7 * 24 * 3600 * 1000;

interface Answer {
  status: number;
  text: string;
}

function call(url: string, init: { method: string; ca?: string; token?: string; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method,
        // Before the CA is known the connection cannot be verified; what it fetches is checked against the token's hash instead.
        ...(init.ca !== undefined ? { ca: init.ca } : { rejectUnauthorized: false }),
        headers: { ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/x-pem-file' } : {}) },
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e: Error) => reject(new JoinError(`${init.method} ${url}: ${e.message}`, { cause: e })));
    req.end(init.body);
  });
}

/** The node credentials already on disk, if they are for this node, from this CA, and not about to expire. */
function reusable(file: string, ca: string, nodeName: string, now: Date): boolean {
  if (!existsSync(file)) return false;
  try {
    const config = loadClientConfig({ kubeconfig: file, env: {} });
    if (config.tls.ca?.toString('utf8') !== ca || config.tls.cert === undefined) return false;
    const cert = new X509Certificate(config.tls.cert);
    return certificateSubject(cert).commonName === `system:node:${nodeName}` && cert.checkIssued(new X509Certificate(ca)) && Date.parse(cert.validTo) - now.getTime() > minRemainingMs;
  } catch {
    // An unreadable kubeconfig is replaced by enrolling again.
    return false;
  }
}

/**
 * Joins the cluster: downloads the CA from `<server>/cacerts` and checks its sha256 against the
 * token; posts a CSR for `system:node:<name>` (O=system:nodes) with the bootstrap token to
 * `/v1-keelson/client-kubelet.crt`; writes `<root>/kubelet.kubeconfig`. Reuses that kubeconfig on
 * restart while it is still good. Returns the kubeconfig's path.
 */
export async function joinCluster(o: AgentOptions, nodeName: string): Promise<string> {
  const token = parseJoinToken(o.token);
  const server = o.server.replace(/\/+$/, '');
  if (!server.startsWith('https://')) throw new JoinError(`--server ${o.server}: must be an https:// URL`);
  const now = (o.now ?? (() => new Date()))();
  const cacerts = await call(`${server}${caCertsPath}`, { method: 'GET' });
  if (cacerts.status !== 200) throw new JoinError(`GET ${server}${caCertsPath}: HTTP ${cacerts.status}`);
  const ca = cacerts.text;
  if (sha256Hex(ca) !== token.caHash) throw new JoinError(`the CA served by ${server} does not match the join token's hash (sha256 ${sha256Hex(ca)}, token wants ${token.caHash}): wrong server or a man in the middle`);
  mkdirSync(o.kubelet.rootDir, { recursive: true });
  const file = join(o.kubelet.rootDir, 'kubelet.kubeconfig');
  if (reusable(file, ca, nodeName, now)) return file;
  const key = generateKey();
  const csr = createCsr({ commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] }, key.privateKey);
  const signed = await call(`${server}${nodeCertificatePath}`, { method: 'POST', ca, token: `${token.bootstrap.id}.${token.bootstrap.secret}`, body: csr });
  if (signed.status === 401) throw new JoinError(`${server} refused the join token (expired, deleted, or never created)`);
  if (signed.status !== 201) throw new JoinError(`${server} did not sign a node certificate: HTTP ${signed.status}: ${signed.text.slice(0, 500)}`);
  writeKubeconfig(file, { server, ca, cert: signed.text, key: privateKeyPem(key.privateKey), user: `system:node:${nodeName}` });
  return file;
}

/** `keelson agent`: join, then run the kubelet with the node's own credentials until `signal` aborts. */
export function runAgent(o: AgentOptions, signal: AbortSignal, log: (line: string) => void): { ready: Promise<void>; done: Promise<void> } {
  const nodeName = (o.kubelet.nodeName ?? hostname()).toLowerCase();
  let kubelet: ReturnType<typeof runKubelet> | undefined;
  let proxy: ReturnType<typeof runProxy> | undefined;
  const ready = (async () => {
    const kubeconfig = await joinCluster(o, nodeName);
    log(`keelson agent: joined ${o.server} as node ${nodeName} (credentials in ${kubeconfig})`);
    if (signal.aborted) return;
    kubelet = runKubelet({ ...o.kubelet, nodeName, kubeconfig }, signal);
    await kubelet.ready;
    // The node's own credentials read what the proxy needs (Services, EndpointSlices, Nodes); the server installs kube-dns.
    if (o.proxy !== false) {
      proxy = runProxy({ ...o.proxy, ensureDnsService: false, nodeName, kubeconfig }, signal);
      await proxy.ready;
    }
    log(`keelson agent: kubelet running (node ${nodeName})`);
  })();
  const done = (async () => {
    await ready.catch(() => undefined);
    await Promise.all([kubelet?.done.catch(() => undefined), proxy?.done.catch(() => undefined)]);
  })();
  return { ready, done };
}
