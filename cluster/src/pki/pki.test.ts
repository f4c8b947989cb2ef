// The server PKI on disk (created once, reused, reissued when it no longer fits) and join token formatting.
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ensureServerPki } from './certs';
import { kubeconfigYaml } from './kubeconfig';
import { JoinTokenError, formatJoinToken, parseJoinToken } from './token';

describe('server PKI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-pki-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA, a serving certificate with the cluster SANs, and client certificates naming each identity', () => {
    const pki = ensureServerPki({ dir, sans: ['node1.example', '192.0.2.10'], nodeName: 'node1' });
    const ca = new X509Certificate(pki.ca.cert);
    expect(ca.ca).toBe(true);
    expect(statSync(pki.ca.keyFile).mode & 0o777).toBe(0o600);
    const serving = new X509Certificate(pki.serving.cert);
    expect(serving.checkIssued(ca)).toBe(true);
    for (const host of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'node1.example']) expect(serving.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '10.96.0.1', '192.0.2.10']) expect(serving.checkIP(ip)).toBe(ip);
    expect(new X509Certificate(pki.admin.cert).subject).toBe('O=system:masters\nCN=admin');
    expect(new X509Certificate(pki.controllerManager.cert).subject).toBe('CN=system:kube-controller-manager');
    expect(new X509Certificate(pki.scheduler.cert).subject).toBe('CN=system:kube-scheduler');
    expect(new X509Certificate(pki.kubeProxy.cert).subject).toBe('CN=system:kube-proxy');
    expect(new X509Certificate(pki.kubelet?.cert ?? '').subject).toBe('O=system:nodes\nCN=system:node:node1');
  });

  it('reuses everything on restart, and reissues only the serving certificate when a SAN is added', () => {
    const first = ensureServerPki({ dir, sans: [] });
    const again = ensureServerPki({ dir, sans: [] });
    expect(again.ca.cert).toBe(first.ca.cert);
    expect(again.serving.cert).toBe(first.serving.cert);
    expect(again.admin.cert).toBe(first.admin.cert);
    const widened = ensureServerPki({ dir, sans: ['extra.example'] });
    expect(widened.ca.cert).toBe(first.ca.cert);
    expect(widened.admin.cert).toBe(first.admin.cert);
    expect(widened.serving.cert).not.toBe(first.serving.cert);
    expect(new X509Certificate(widened.serving.cert).checkHost('extra.example')).toBe('extra.example');
    expect(readFileSync(widened.serving.certFile, 'utf8')).toBe(widened.serving.cert);
  });

  it('reissues a leaf that is close to expiry', () => {
    const first = ensureServerPki({ dir, sans: [] });
    const in300Days = new Date(Date.now() + 300 * 24 * 3600 * 1000);
    const later = ensureServerPki({ dir, sans: [], now: () => in300Days });
    expect(later.ca.cert).toBe(first.ca.cert);
    expect(later.admin.cert).not.toBe(first.admin.cert);
  });

  it('embeds the CA and credentials in kubeconfigs', () => {
    const doc = load(kubeconfigYaml({ server: 'https://127.0.0.1:6443', ca: 'CA', cert: 'CERT', key: 'KEY', user: 'admin' })) as {
      clusters: { cluster: Record<string, string> }[];
      users: { name: string; user: Record<string, string> }[];
    };
    expect(doc.clusters[0]?.cluster).toEqual({ server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') });
    expect(doc.users[0]).toEqual({ name: 'admin', user: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') } });
  });
});

describe('join tokens', () => {
  it('are K10<sha256 of the CA bundle>::<id>.<secret> and parse back', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';
    const t = formatJoinToken(ca, { id: 'abcdef', secret: '0123456789abcdef' });
    expect(t).toBe(`K10${createHash('sha256').update(ca).digest('hex')}::abcdef.0123456789abcdef`);
    expect(parseJoinToken(`${t}\n`)).toEqual({ caHash: createHash('sha256').update(ca).digest('hex'), bootstrap: { id: 'abcdef', secret: '0123456789abcdef' } });
  });

  it('refuses anything else with a message saying what a token looks like', () => {
    expect(() => parseJoinToken('abcdef.0123456789abcdef')).toThrow(JoinTokenError);
    expect(() => parseJoinToken(`K10${'0'.repeat(64)}::admin:password`)).toThrow(/K10<sha256 of the CA>/);
    expect(() => parseJoinToken(`K10${'0'.repeat(63)}::abcdef.0123456789abcdef`)).toThrow(JoinTokenError);
  });
});
