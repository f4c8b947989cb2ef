// `keelson server`: the all-in-one control plane (k3s-style) over TLS, composing every component built so far in one process.
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { run as runApiServer } from '@keelson/apiserver';
import { isStatusError } from '@keelson/api';
import { RestClient } from '@keelson/client';
import { run as runControllerManager, type ControllerManagerOptions } from '@keelson/controller-manager';
import { run as runKubelet, type KubeletOptions } from '@keelson/kubelet';
import { kubeDnsService, run as runProxy, type ProxyOptions } from '@keelson/proxy';
import { run as runScheduler } from '@keelson/scheduler';
import { ensureServerPki, writeKubeconfig, type CertPair, type ServerPki } from './pki';

export interface ServerOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  /** Where the admin kubeconfig is also written (like k3s's /etc/rancher/k3s/k3s.yaml); it is always at <data-dir>/kubeconfig. */
  kubeconfig: string;
  /** Overrides the storage URI (default: SQLite in the data directory). */
  storage?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Run no kubelet: a control-plane-only machine. */
  disableAgent?: boolean;
  /** Extra names and addresses of the API server's serving certificate (--tls-san). */
  tlsSans?: string[];
  /** The controller-manager's options (cluster CIDR, node monitor grace period, …); the server supplies its client. */
  controllerManager?: Omit<ControllerManagerOptions, 'client' | 'kubeconfig'>;
  /** The kubelet's options (node name, root dir, …); the server supplies its client. */
  kubelet?: Omit<KubeletOptions, 'client' | 'kubeconfig'>;
  /** The service proxy's options (it runs beside the kubelet; cluster DNS included unless `dns: false`); `false` runs none. */
  proxy?: Omit<ProxyOptions, 'client' | 'kubeconfig' | 'nodeName'> | false;
}

/** The first non-loopback IPv4 address: the node IP a kubelet picks when none is given. */
function defaultNodeIP(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Names and addresses the serving certificate covers beyond the built-in ones: the hostname, the node IP, a specific bind address, --tls-san. */
function servingSans(o: ServerOptions): string[] {
  const sans = [hostname().toLowerCase(), ...(o.tlsSans ?? [])];
  const nodeIP = o.kubelet?.nodeIP ?? defaultNodeIP();
  if (nodeIP !== undefined) sans.push(nodeIP);
  if (o.bindAddress !== '0.0.0.0' && o.bindAddress !== '::') sans.push(o.bindAddress);
  return sans;
}

/** Starts the server's components; resolves `ready` once the API answers and the kubeconfigs are written. */
export function runServer(o: ServerOptions, signal: AbortSignal, log: (line: string) => void): { ready: Promise<void>; done: Promise<void>; pki: ServerPki } {
  const storage = o.storage ?? `sqlite://${join(o.dataDir, 'state.db')}`;
  mkdirSync(o.dataDir, { recursive: true });
  const nodeName = o.disableAgent === true ? undefined : (o.kubelet?.nodeName ?? hostname()).toLowerCase();
  // First start: a cluster CA and every credential under <data-dir>/tls; later starts reuse them.
  const advertise = o.bindAddress !== '127.0.0.1' && o.bindAddress !== '0.0.0.0' && o.bindAddress !== '::' ? o.bindAddress : (o.kubelet?.nodeIP ?? defaultNodeIP());
  const pki = ensureServerPki({ dir: join(o.dataDir, 'tls'), sans: servingSans(o), ...(nodeName !== undefined ? { nodeName } : {}) });
  const api = runApiServer(
    {
      storage,
      port: o.port,
      bindAddress: o.bindAddress,
      logLevel: o.logLevel,
      tlsCertFile: pki.serving.certFile,
      tlsPrivateKeyFile: pki.serving.keyFile,
      clientCAFile: pki.ca.certFile,
      enableBootstrapTokenAuth: true,
      authorizationMode: 'Node',
      clusterSigningCertFile: pki.ca.certFile,
      clusterSigningKeyFile: pki.ca.keyFile,
      // The kubernetes Service's endpoint: an address pods can reach, not loopback.
      ...(advertise !== undefined ? { advertiseAddress: advertise } : {}),
    },
    signal,
  );
  // Components start in order on ready signals (k3s-style): the API first, then its clients.
  let controllers: ReturnType<typeof runControllerManager> | undefined;
  let scheduler: ReturnType<typeof runScheduler> | undefined;
  let kubelet: ReturnType<typeof runKubelet> | undefined;
  let proxy: ReturnType<typeof runProxy> | undefined;
  const ready = (async () => {
    await api.ready;
    // Bound to every address: local clients reach it over loopback (a SAN of the serving certificate).
    const url = api.url().replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:');
    const kubeconfigFor = (pair: CertPair, user: string): Parameters<typeof writeKubeconfig>[1] => ({ server: url, ca: pki.ca.cert, cert: pair.cert, key: pair.key, user });
    for (const file of new Set([join(o.dataDir, 'kubeconfig'), o.kubeconfig])) writeKubeconfig(file, kubeconfigFor(pki.admin, 'admin'));
    // Each component's own credentials, also as kubeconfigs for running it as a separate process.
    const cred = join(o.dataDir, 'cred');
    writeKubeconfig(join(cred, 'controller.kubeconfig'), kubeconfigFor(pki.controllerManager, 'system:kube-controller-manager'));
    writeKubeconfig(join(cred, 'scheduler.kubeconfig'), kubeconfigFor(pki.scheduler, 'system:kube-scheduler'));
    writeKubeconfig(join(cred, 'kube-proxy.kubeconfig'), kubeconfigFor(pki.kubeProxy, 'system:kube-proxy'));
    if (pki.kubelet !== undefined) writeKubeconfig(join(cred, 'kubelet.kubeconfig'), kubeconfigFor(pki.kubelet, `system:node:${nodeName ?? ''}`));
    const clientFor = (pair: CertPair, userAgent: string): RestClient =>
      new RestClient({
        config: { server: url, namespace: 'default', tls: { ca: Buffer.from(pki.ca.cert), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key), insecureSkipTlsVerify: false }, auth: {}, source: 'keelson server' },
        userAgent,
      });
    controllers = runControllerManager({ port: 0, bindAddress: '127.0.0.1', logLevel: o.logLevel, ...o.controllerManager, client: clientFor(pki.controllerManager, 'keelson-controller-manager') }, signal);
    scheduler = runScheduler({ client: clientFor(pki.scheduler, 'keelson-scheduler'), metricsPort: 0, bindAddress: '127.0.0.1', logLevel: o.logLevel }, signal);
    await Promise.all([controllers.started, scheduler.ready]);
    // The DNS add-on: the kube-dns Service every node's proxy answers on (installed as the controller-manager, which may create it).
    const proxyOptions = o.proxy === false ? undefined : (o.proxy ?? {});
    const dnsIP = proxyOptions?.dnsIP ?? '10.96.0.10';
    const dns = proxyOptions !== undefined && proxyOptions.dns !== false;
    if (dns) {
      // Looked up first: creating it again would be refused for its (taken) ClusterIP before its name, as upstream does.
      const services = clientFor(pki.controllerManager, 'keelson-server').resource('v1', 'Service').namespace('kube-system');
      try {
        await services.get('kube-dns');
      } catch (e: unknown) {
        if (!isStatusError(e, 'NotFound')) throw e;
        await services.create(kubeDnsService(dnsIP));
      }
    }
    if (pki.kubelet !== undefined) {
      kubelet = runKubelet({ logLevel: o.logLevel, clusterDNS: dns ? [dnsIP] : [], ...o.kubelet, nodeName, client: clientFor(pki.kubelet, `keelson-kubelet (${nodeName ?? ''})`) }, signal);
      await kubelet.ready;
      if (proxyOptions !== undefined) {
        proxy = runProxy({ logLevel: o.logLevel, ensureDnsService: false, ...proxyOptions, nodeName: kubelet.config.nodeName, client: clientFor(pki.kubeProxy, 'keelson-proxy') }, signal);
        await proxy.ready;
      }
    }
    log(`keelson server: API at ${url} (storage ${storage}); CA and certificates in ${pki.dir}; admin kubeconfig written to ${o.kubeconfig}`);
    log(`keelson server: running components: apiserver, controller-manager, scheduler${kubelet !== undefined ? `, kubelet (node ${kubelet.config.nodeName})${proxy !== undefined ? `, proxy${dns ? ` and cluster DNS on ${dnsIP}` : ''}` : ''}` : ''}`);
  })();
  const done = (async () => {
    await ready.catch(() => undefined);
    await Promise.all([api.done, controllers?.done.catch(() => undefined), scheduler?.done.catch(() => undefined), kubelet?.done.catch(() => undefined), proxy?.done.catch(() => undefined)]);
  })();
  return { ready, done, pki };
}
