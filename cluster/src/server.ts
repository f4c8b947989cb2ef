// `keelson server`: the all-in-one control plane (k3s-style), composing every component built so far in one process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { run as runApiServer } from '@keelson/apiserver';

export interface ServerOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  /** Where the admin kubeconfig is written (like k3s's /etc/rancher/k3s/k3s.yaml). */
  kubeconfig: string;
  /** Overrides the storage URI (default: SQLite in the data directory). */
  storage?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** A kubeconfig for the admin of a local server. */
export function adminKubeconfig(url: string): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    // Plain HTTP until the server serves TLS; stock clients (client-node) insist on this flag for http:// URLs.
    clusters: [{ name: 'keelson', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: {} }],
    contexts: [{ name: 'keelson', context: { cluster: 'keelson', user: 'admin', namespace: 'default' } }],
    'current-context': 'keelson',
  });
}

/** Starts the server's components; resolves `ready` once the API answers and the kubeconfig is written. */
export function runServer(o: ServerOptions, signal: AbortSignal, log: (line: string) => void): { ready: Promise<void>; done: Promise<void> } {
  const storage = o.storage ?? `sqlite://${join(o.dataDir, 'state.db')}`;
  mkdirSync(o.dataDir, { recursive: true });
  const api = runApiServer({ storage, port: o.port, bindAddress: o.bindAddress, logLevel: o.logLevel }, signal);
  const ready = api.ready.then(() => {
    mkdirSync(dirname(o.kubeconfig), { recursive: true });
    writeFileSync(o.kubeconfig, adminKubeconfig(api.url()), { mode: 0o600 });
    log(`keelson server: API at ${api.url()} (storage ${storage}); kubeconfig written to ${o.kubeconfig}`);
    log('keelson server: running components: apiserver (scheduler, controller-manager, kubelet and proxy join as they are built)');
  });
  return { ready, done: api.done };
}
