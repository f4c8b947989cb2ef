// The cluster's certificates under <data-dir>/tls: a CA, the API server's serving certificate, and client certificates of the admin and components.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { certificateSubject, generateKey, issueCertificate, loadPrivateKey, privateKeyPem, type Subject, type Usage } from '@keelson/apiserver';

/** A certificate and its key as files (PEM) and contents. */
export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface ServerPki {
  dir: string;
  ca: CertPair;
  serving: CertPair;
  admin: CertPair;
  controllerManager: CertPair;
  scheduler: CertPair;
  kubeProxy: CertPair;
  /** The server's own kubelet (system:node:<name>), when it runs one. */
  kubelet?: CertPair;
}

export interface PkiOptions {
  /** `<data-dir>/tls`. */
  dir: string;
  /** Names and addresses the serving certificate must cover (beyond the built-in ones). */
  sans: readonly string[];
  /** The server's own node (its kubelet's client certificate), if it runs a kubelet. */
  nodeName?: string;
  now?: () => Date;
}

const day = 24 * 3600 * 1000;
const caValidity = 10 * 365 * day;
const leafValidity = 365 * day;
/** A leaf this close to expiry is reissued on start (k3s renews at 90 days). */
const renewBefore = 90 * day;

/** What the serving certificate always covers: the in-cluster names and the first Service IP (as kubeadm and k3s). */
export const builtinSans: readonly string[] = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '127.0.0.1', '10.96.0.1'];

function writeAtomic(file: string, data: string): void {
  writeFileSync(`${file}.tmp`, data, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function read(certFile: string, keyFile: string): CertPair | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function sansOf(cert: X509Certificate): Set<string> {
  const out = new Set<string>();
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) out.add(part.slice(4));
    else if (part.startsWith('IP Address:')) out.add(part.slice(11));
  }
  return out;
}

function sameSubject(a: Subject, b: Subject): boolean {
  return a.commonName === b.commonName && JSON.stringify([...(a.organizations ?? [])].sort()) === JSON.stringify([...(b.organizations ?? [])].sort());
}

/**
 * Creates what is missing under `dir` and reuses what is there: the CA is never replaced (every
 * credential hangs off it); a leaf is reissued only when missing, not from this CA, near expiry, of
 * another subject, or (serving) not covering every wanted SAN.
 */
export function ensureServerPki(o: PkiOptions): ServerPki {
  const now = o.now ?? (() => new Date());
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const caCertFile = join(o.dir, 'server-ca.crt');
  const caKeyFile = join(o.dir, 'server-ca.key');
  let ca = read(caCertFile, caKeyFile);
  if (ca === undefined) {
    const key = generateKey();
    const start = now();
    const cert = issueCertificate({
      subject: { commonName: `keelson-server-ca@${Math.floor(start.getTime() / 1000)}` },
      publicKey: key.publicKey,
      signingKey: key.privateKey,
      usages: ['ca'],
      notBefore: new Date(start.getTime() - 60_000),
      notAfter: new Date(start.getTime() + caValidity),
    });
    writeAtomic(caKeyFile, privateKeyPem(key.privateKey));
    writeAtomic(caCertFile, cert);
    ca = { certFile: caCertFile, keyFile: caKeyFile, cert, key: privateKeyPem(key.privateKey) };
  }
  const issuer = { cert: new X509Certificate(ca.cert), key: loadPrivateKey(ca.key) };

  const leaf = (base: string, subject: Subject, usages: Usage[], sans: readonly string[] = []): CertPair => {
    const certFile = join(o.dir, `${base}.crt`);
    const keyFile = join(o.dir, `${base}.key`);
    const have = read(certFile, keyFile);
    if (have !== undefined && fresh(have, subject, sans, issuer, now())) return have;
    return issueLeaf(certFile, keyFile, subject, usages, sans, issuer, now());
  };
  const sans = [...new Set([...builtinSans, ...o.sans])];
  const pki: ServerPki = {
    dir: o.dir,
    ca,
    serving: leaf('serving-kube-apiserver', { commonName: 'kube-apiserver' }, ['server'], sans),
    admin: leaf('client-admin', { commonName: 'admin', organizations: ['system:masters'] }, ['client']),
    controllerManager: leaf('client-controller', { commonName: 'system:kube-controller-manager' }, ['client']),
    scheduler: leaf('client-scheduler', { commonName: 'system:kube-scheduler' }, ['client']),
    kubeProxy: leaf('client-kube-proxy', { commonName: 'system:kube-proxy' }, ['client']),
  };
  if (o.nodeName !== undefined) pki.kubelet = leaf('client-kubelet', { commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'] }, ['client']);
  return pki;
}

function fresh(have: CertPair, subject: Subject, sans: readonly string[], issuer: { cert: X509Certificate; key: KeyObject }, now: Date): boolean {
  try {
    const cert = new X509Certificate(have.cert);
    if (!cert.checkIssued(issuer.cert) || !cert.verify(issuer.cert.publicKey)) return false;
    if (Date.parse(cert.validTo) - now.getTime() < renewBefore) return false;
    if (!sameSubject(certificateSubject(cert), subject)) return false;
    const covered = sansOf(cert);
    return sans.every((s) => covered.has(s));
  } catch {
    // An unreadable certificate is replaced, as a missing one.
    return false;
  }
}

function issueLeaf(certFile: string, keyFile: string, subject: Subject, usages: Usage[], sans: readonly string[], issuer: { cert: X509Certificate; key: KeyObject }, now: Date): CertPair {
  const key = generateKey();
  const cert = issueCertificate({
    subject,
    publicKey: key.publicKey,
    issuer,
    usages,
    dnsNames: sans.filter((s) => isIP(s) === 0),
    ipAddresses: sans.filter((s) => isIP(s) !== 0),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + leafValidity),
  });
  const keyPem = privateKeyPem(key.privateKey);
  writeAtomic(keyFile, keyPem);
  writeAtomic(certFile, cert);
  return { certFile, keyFile, cert, key: keyPem };
}
