// `keelson server`: the all-in-one control plane (k3s-style), composing every component built so far in one process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { run as runApiServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import { run as runControllerManager } from '@keelson/controller-manager';
import { run as runKubelet, type KubeletOptions } from '@keelson/kubelet';
import { run as runScheduler } from '@keelson/scheduler';

export interface ServerOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  /** Where the admin kubeconfig is written (like k3s's /etc/rancher/k3s/k3s.yaml). */
  kubeconfig: string;
  /** Overrides the storage URI (default: SQLite in the data directory). */
  storage?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Run no kubelet: a control-plane-only machine. */
  disableAgent?: boolean;
  /** The kubelet's options (node name, root dir, …); the server supplies its client. */
  kubelet?: Omit<KubeletOptions, 'client' | 'kubeconfig'>;
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
  // Components start in order on ready signals (k3s-style): the API first, then its clients.
  let controllers: ReturnType<typeof runControllerManager> | undefined;
  let scheduler: ReturnType<typeof runScheduler> | undefined;
  let kubelet: ReturnType<typeof runKubelet> | undefined;
  const ready = (async () => {
    await api.ready;
    mkdirSync(dirname(o.kubeconfig), { recursive: true });
    writeFileSync(o.kubeconfig, adminKubeconfig(api.url()), { mode: 0o600 });
    const client = new RestClient({
      config: { server: api.url(), namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'keelson server' },
      userAgent: 'keelson-server',
    });
    controllers = runControllerManager({ client, port: 0, bindAddress: '127.0.0.1', logLevel: o.logLevel }, signal);
    scheduler = runScheduler({ client, metricsPort: 0, bindAddress: '127.0.0.1', logLevel: o.logLevel }, signal);
    await Promise.all([controllers.started, scheduler.ready]);
    if (o.disableAgent !== true) {
      kubelet = runKubelet({ logLevel: o.logLevel, ...o.kubelet, client }, signal);
      await kubelet.ready;
    }
    log(`keelson server: API at ${api.url()} (storage ${storage}); kubeconfig written to ${o.kubeconfig}`);
    log(`keelson server: running components: apiserver, controller-manager, scheduler${kubelet !== undefined ? `, kubelet (node ${kubelet.config.nodeName})` : ''}`);
  })();
  const done = (async () => {
    await ready.catch(() => undefined);
    await Promise.all([api.done, controllers?.done.catch(() => undefined), scheduler?.done.catch(() => undefined), kubelet?.done.catch(() => undefined)]);
  })();
  return { ready, done };
}
