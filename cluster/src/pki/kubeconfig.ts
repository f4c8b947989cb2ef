// Kubeconfigs with embedded credentials (certificate-authority-data, client-certificate-data, client-key-data), as k3s writes them.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dump } from 'js-yaml';

export interface KubeconfigCredentials {
  server: string;
  /** CA bundle PEM. */
  ca: string;
  /** Client certificate and key PEM; or a bearer token. */
  cert?: string;
  key?: string;
  token?: string;
  user: string;
  /** Cluster and context name (default `keelson`). */
  name?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function kubeconfigYaml(c: KubeconfigCredentials): string {
  const name = c.name ?? 'keelson';
  const user: Record<string, string> = {};
  if (c.cert !== undefined && c.key !== undefined) {
    user['client-certificate-data'] = b64(c.cert);
    user['client-key-data'] = b64(c.key);
  }
  if (c.token !== undefined) user['token'] = c.token;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: c.server, 'certificate-authority-data': b64(c.ca) } }],
    users: [{ name: c.user, user }],
    contexts: [{ name, context: { cluster: name, user: c.user, namespace: 'default' } }],
    'current-context': name,
  });
}

/** Writes a kubeconfig readable only by its owner (it holds a private key). */
export function writeKubeconfig(file: string, c: KubeconfigCredentials): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, kubeconfigYaml(c), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
