// Certificates and CSRs built here are accepted by OpenSSL and node:crypto, with the names and SANs asked for.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateError, certificateSubject, createCsr, generateKey, issueCertificate, parseCsr } from './x509';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2036-01-01T00:00:00Z');

function makeCa(): { cert: X509Certificate; key: ReturnType<typeof generateKey> } {
  const key = generateKey();
  const pem = issueCertificate({ subject: { commonName: 'keelson-ca' }, publicKey: key.publicKey, signingKey: key.privateKey, usages: ['ca'], notBefore: now, notAfter: later });
  return { cert: new X509Certificate(pem), key };
}

describe('x509', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-x509-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a self-signed CA and a serving certificate OpenSSL verifies, with DNS and IP SANs', () => {
    const ca = makeCa();
    expect(ca.cert.ca).toBe(true);
    expect(ca.cert.verify(ca.key.publicKey)).toBe(true);
    const leaf = generateKey();
    const pem = issueCertificate({
      subject: { commonName: 'kube-apiserver' },
      publicKey: leaf.publicKey,
      issuer: { cert: ca.cert, key: ca.key.privateKey },
      usages: ['server'],
      dnsNames: ['localhost', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '10.96.0.1', '::1'],
      notBefore: now,
      notAfter: new Date('2030-06-01T00:00:00Z'),
    });
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca.cert)).toBe(true);
    expect(cert.verify(ca.key.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:localhost, DNS:kubernetes.default.svc.cluster.local, IP Address:127.0.0.1, IP Address:10.96.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkHost('kubernetes.default.svc.cluster.local')).toBe('kubernetes.default.svc.cluster.local');
    expect(cert.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(new Date(cert.validTo).toISOString()).toBe('2030-06-01T00:00:00.000Z');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

    writeFileSync(join(dir, 'ca.crt'), ca.cert.toString());
    writeFileSync(join(dir, 'leaf.crt'), pem);
    const out = execFileSync('openssl', ['verify', '-attime', String(Date.parse('2027-01-01') / 1000), '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')], { encoding: 'utf8' });
    expect(out.trim()).toBe(`${join(dir, 'leaf.crt')}: OK`);
    // A client certificate is not good for serving.
    const client = issueCertificate({ subject: { commonName: 'admin', organizations: ['system:masters'] }, publicKey: generateKey().publicKey, issuer: { cert: ca.cert, key: ca.key.privateKey }, usages: ['client'], notBefore: now, notAfter: later });
    writeFileSync(join(dir, 'client.crt'), client);
    expect(() => execFileSync('openssl', ['verify', '-attime', String(Date.parse('2027-01-01') / 1000), '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.crt'), join(dir, 'client.crt')], { stdio: 'pipe' })).toThrow();
  });

  it('writes the user in CN and the groups in O, as Kubernetes reads client certificates', () => {
    const ca = makeCa();
    const pem = issueCertificate({
      subject: { commonName: 'system:node:worker-1', organizations: ['system:nodes', 'extra'] },
      publicKey: generateKey().publicKey,
      issuer: { cert: ca.cert, key: ca.key.privateKey },
      usages: ['client'],
      notBefore: now,
      notAfter: later,
    });
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe('O=system:nodes\nO=extra\nCN=system:node:worker-1');
    expect(cert.issuer).toBe('CN=keelson-ca');
    expect(certificateSubject(cert)).toEqual({ commonName: 'system:node:worker-1', organizations: ['system:nodes', 'extra'] });
  });

  it('round-trips a CSR that OpenSSL accepts, and rejects a tampered one', () => {
    const key = generateKey();
    const csr = createCsr({ commonName: 'system:node:n1', organizations: ['system:nodes'] }, key.privateKey);
    writeFileSync(join(dir, 'n1.csr'), csr);
    const text = execFileSync('openssl', ['req', '-in', join(dir, 'n1.csr'), '-noout', '-verify', '-subject'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toContain('subject=O = system:nodes, CN = system:node:n1');
    const parsed = parseCsr(csr);
    expect(parsed.subject).toEqual({ commonName: 'system:node:n1', organizations: ['system:nodes'] });
    expect(parsed.publicKey.export({ type: 'spki', format: 'pem' })).toBe(key.publicKey.export({ type: 'spki', format: 'pem' }));

    // One bit of the signature flipped: the request no longer proves it holds the key.
    const der = Buffer.from(csr.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const flipped = Buffer.from(der);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${flipped.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => parseCsr(tampered)).toThrow(CertificateError);
    // The subject rewritten to another node after signing: refused as well.
    const renamed = Buffer.from(der.toString('latin1').replace('system:node:n1', 'system:node:n2'), 'latin1');
    expect(renamed.equals(der)).toBe(false);
    expect(() => parseCsr(`-----BEGIN CERTIFICATE REQUEST-----\n${renamed.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`)).toThrow('certificate request signature does not verify');
    expect(() => parseCsr('not a csr')).toThrow(/not a PEM/);
  });
});
