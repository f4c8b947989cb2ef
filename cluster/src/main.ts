// The `keelson` launcher: parses the command line and runs one component (or, later, all of them).
import { hostname } from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { run as runApiServer, type ApiServerOptions } from '@keelson/apiserver';
import { run as runScheduler } from '@keelson/scheduler';
import { RestClient, loadClientConfig } from '@keelson/client';
import { run as runControllerManager, enabledControllers, ControllerManagerConfigError, parseDurationMs, parseCidr } from '@keelson/controller-manager';
import { run as runKubelet, startShim, type KubeletOptions } from '@keelson/kubelet';
import { run as runProxy } from '@keelson/proxy';
import { runServer } from './server';
import { runAgent } from './agent';
import { createBootstrapToken, formatJoinToken } from './pki';
import { version } from './version';

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command('keelson')
    .description('Keelson: a Kubernetes-style cluster orchestrator')
    .version(version, '--version', 'print the version')
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();
  program
    .command('apiserver')
    .description('serve the Kubernetes REST API over etcd or sqlite')
    .option('--storage <uri>', 'storage: etcd://host:2379[,host:2379…], sqlite:///path/to/state.db or memory://', 'sqlite:///var/lib/keelson/state.db')
    .option('--port <n>', 'port to listen on', parsePort, 6443)
    .option('--bind-address <addr>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert-file <file>', 'serve HTTPS with this certificate (PEM); plain HTTP without it')
    .option('--tls-private-key-file <file>', 'the serving certificate\'s key')
    .option('--client-ca-file <file>', 'client certificates signed by this CA authenticate (CN user, O groups)')
    .option('--token-auth-file <file>', 'static bearer tokens: CSV token,user,uid,"group1,group2"')
    .option('--enable-bootstrap-token-auth', 'bootstrap token Secrets in kube-system authenticate', false)
    .option('--authorization-mode <mode>', 'AlwaysAllow, or Node (masters, components, the Node authorizer); default Node when any authenticator is set')
    .option('--cluster-signing-cert-file <file>', 'CA certificate that signs node client certificates for bootstrap tokens')
    .option('--cluster-signing-key-file <file>', 'its key')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { storage: string; port: number; bindAddress: string; logLevel: string } & ApiServerSecurityFlags) => {
      await runUntilSignal((signal) => {
        const server = runApiServer(
          { storage: opts.storage, port: opts.port, bindAddress: opts.bindAddress, logLevel: parseLogLevel(opts.logLevel), ...apiServerSecurity(opts) },
          signal,
        );
        return { ready: server.ready, done: server.done };
      });
    });
  program
    .command('scheduler')
    .description('bind pending pods to nodes with free capacity')
    .option('--kubeconfig <file>', 'kubeconfig to reach the API server with (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--leader-elect', 'schedule only while holding the kube-system/kube-scheduler Lease (for several replicas)', false)
    .option('--metrics-port <n>', 'port of /healthz, /readyz and /metrics', parsePort, 10259)
    .option('--bind-address <addr>', 'address of /healthz, /readyz and /metrics', '127.0.0.1')
    .option('--scheduler-name <name>', 'schedule pods whose spec.schedulerName is this', 'default-scheduler')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { kubeconfig?: string; leaderElect: boolean; metricsPort: number; bindAddress: string; schedulerName: string; logLevel: string }) => {
      await runUntilSignal((signal) => {
        const scheduler = runScheduler(
          {
            ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
            leaderElect: opts.leaderElect,
            metricsPort: opts.metricsPort,
            bindAddress: opts.bindAddress,
            schedulerName: opts.schedulerName,
            logLevel: parseLogLevel(opts.logLevel),
          },
          signal,
        );
        return { ready: scheduler.ready, done: scheduler.done };
      });
    });
  program
    .command('controller-manager')
    .description('run the workload controllers (replicaset, deployment, garbagecollector, namespace, endpoint, endpointslice, job, ttl-after-finished)')
    .option('--kubeconfig <file>', 'kubeconfig to reach the API server with (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--leader-elect', 'run controllers only while holding the kube-system/kube-controller-manager Lease (for several replicas)', false)
    .option('--controllers <list>', 'controllers to run: * for all, name to add one, -name to drop one (comma-separated)', parseControllers, ['*'])
    .addOption(new Option('--node-monitor-grace-period <duration>', 'how long a node may go without renewing its Lease or heartbeat before it is marked Unknown').argParser(parseDuration).default(40_000, '40s'))
    .addOption(new Option('--node-monitor-period <duration>', 'how often the node lifecycle controller checks every node').argParser(parseDuration).default(5_000, '5s'))
    .option('--default-not-ready-toleration-seconds <n>', 'how long pods without their own toleration stay on a not-ready node', parseSeconds, 300)
    .option('--default-unreachable-toleration-seconds <n>', 'how long pods without their own toleration stay on an unreachable node', parseSeconds, 300)
    .option('--cluster-cidr <cidr>', 'the CIDR nodes\' pod CIDRs are allocated from', parseClusterCidr, '10.42.0.0/16')
    .option('--node-cidr-mask-size <n>', 'prefix length of each node\'s pod CIDR', parseMaskSize, 24)
    .option('--metrics-port <n>', 'port of /healthz, /readyz and /metrics', parsePort, 10257)
    .option('--bind-address <addr>', 'address of /healthz, /readyz and /metrics', '127.0.0.1')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { kubeconfig?: string; leaderElect: boolean; controllers: string[]; metricsPort: number; bindAddress: string; logLevel: string } & NodeControllerFlags) => {
      await runUntilSignal((signal) => {
        const cm = runControllerManager(
          {
            ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
            leaderElect: opts.leaderElect,
            controllers: opts.controllers,
            nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriod,
            nodeMonitorPeriodMs: opts.nodeMonitorPeriod,
            defaultNotReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
            defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
            clusterCidr: opts.clusterCidr,
            nodeCidrMaskSize: opts.nodeCidrMaskSize,
            port: opts.metricsPort,
            bindAddress: opts.bindAddress,
            logLevel: parseLogLevel(opts.logLevel),
          },
          signal,
        );
        return { ready: cm.ready, done: cm.done };
      });
    });
  program
    .command('server')
    .description('run a single-node cluster in one process (API server on SQLite or etcd, controller-manager, scheduler, kubelet) and write an admin kubeconfig')
    .option('--data-dir <dir>', 'where state lives', '/var/lib/keelson/server')
    .option('--storage <uri>', 'storage URI instead of SQLite in the data directory (etcd://host:2379,…)')
    .option('--port <n>', 'API port', parsePort, 6443)
    .option('--bind-address <addr>', 'API address', '127.0.0.1')
    .option('--write-kubeconfig <file>', 'where to write the admin kubeconfig', '/etc/keelson/keelson.yaml')
    .option('--disable-agent', 'run no kubelet on this machine (control plane only)', false)
    .option('--tls-san <name>', 'another hostname or IP the API server certificate is valid for (repeatable)', collect, [])
    .option('--node-name <name>', 'this machine\'s Node name (default: the hostname)')
    .option('--node-ip <addr>', 'this machine\'s InternalIP')
    .option('--kubelet-root-dir <dir>', 'the kubelet\'s pods, logs and runtime state', '/var/lib/keelson/kubelet')
    .option('--images <dir>', 'image archives the kubelet imports at start', '/var/lib/keelson/agent/images')
    // Passed through to the kubelet/shim and the controller-manager, so several clusters can share one machine (the e2e harness).
    .option('--cgroup-root <name>', 'parent cgroup of all pods', 'keelson')
    .option('--bridge <name>', 'the pod bridge', 'keelson0')
    .option('--chain-prefix <name>', 'prefix of the pod network\'s iptables chains (one per node sharing a machine)', 'KEELSON')
    .option('--cluster-cidr <cidr>', 'the CIDR nodes\' pod CIDRs are allocated from', parseClusterCidr, '10.42.0.0/16')
    .option('--kubelet-port <n>', 'port of the kubelet API', parsePort, 10250)
    .option('--local-path-dir <dir>', 'where the local-path provisioner makes volumes', '/var/lib/keelson/storage')
    // The node's service proxy: its nftables table and ports, so a test cluster's proxy never meets another on the same host.
    .option('--proxy-table <name>', 'the service proxy\'s nftables table', 'keelson-proxy')
    .option('--proxy-healthz-port <n>', 'port of the service proxy\'s /healthz (0: any free port)', parsePort, 10256)
    .option('--proxy-metrics-port <n>', 'port of the service proxy\'s /metrics (0: any free port)', parsePort, 10249)
    .addOption(new Option('--node-monitor-grace-period <duration>', 'how long a node may go without renewing its Lease or heartbeat before it is marked Unknown').argParser(parseDuration).default(40_000, '40s'))
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { dataDir: string; storage?: string; port: number; bindAddress: string; writeKubeconfig: string; logLevel: string; disableAgent: boolean; nodeName?: string; nodeIp?: string; kubeletRootDir: string; images: string; cgroupRoot: string; bridge: string; clusterCidr: string; kubeletPort: number; localPathDir: string; nodeMonitorGracePeriod: number; tlsSan: string[]; proxyTable: string; proxyHealthzPort: number; proxyMetricsPort: number; chainPrefix: string }) => {
      await runUntilSignal((signal) =>
        runServer(
          {
            dataDir: opts.dataDir,
            port: opts.port,
            bindAddress: opts.bindAddress,
            kubeconfig: opts.writeKubeconfig,
            logLevel: parseLogLevel(opts.logLevel),
            ...(opts.storage !== undefined ? { storage: opts.storage } : {}),
            disableAgent: opts.disableAgent,
            tlsSans: opts.tlsSan,
            controllerManager: { clusterCidr: opts.clusterCidr, nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriod, localPathDir: opts.localPathDir },
            proxy: { clusterCIDR: opts.clusterCidr, table: opts.proxyTable, healthzPort: opts.proxyHealthzPort, metricsPort: opts.proxyMetricsPort },
            kubelet: {
              rootDir: opts.kubeletRootDir,
              imagesImportDir: opts.images,
              port: opts.kubeletPort,
              shimArgs: ['--cgroup-root', opts.cgroupRoot, '--bridge', opts.bridge, '--cluster-cidr', opts.clusterCidr, '--chain-prefix', opts.chainPrefix],
              ...(opts.nodeName !== undefined ? { nodeName: opts.nodeName } : {}),
              ...(opts.nodeIp !== undefined ? { nodeIP: opts.nodeIp } : {}),
            },
          },
          signal,
          (line) => process.stderr.write(`${line}\n`),
        ),
      );
    });
  program
    .command('kubelet')
    .description('register this machine as a Node and run the pods bound to it through the runtime shim')
    .option('--kubeconfig <file>', 'kubeconfig to reach the API server with (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--node-name <name>', 'the Node name (default: the hostname)')
    .option('--root-dir <dir>', 'pods\' volumes, logs and the shim\'s state', '/var/lib/keelson/kubelet')
    .option('--node-ip <addr>', 'the node\'s InternalIP (default: the first non-loopback IPv4 address)')
    .option('--runtime-endpoint <socket>', 'the shim\'s unix socket (started when nothing answers there)')
    .option('--pod-cidr <cidr>', 'pod range to use until the control plane assigns one')
    .option('--cluster-cidr <cidr>', 'the whole cluster\'s pod range (traffic leaving it is masqueraded)', '10.42.0.0/16')
    .option('--cluster-dns <ips>', 'DNS servers for ClusterFirst pods (comma-separated)', '')
    .option('--cluster-domain <domain>', 'the cluster\'s DNS domain', 'cluster.local')
    .option('--max-pods <n>', 'pods this node accepts', parsePositive, 110)
    .option('--node-labels <k=v,...>', 'extra labels of the Node', parseLabels, {})
    .option('--images <dir>', 'image archives imported at start', '/var/lib/keelson/agent/images')
    .option('--cgroup-root <name>', 'parent cgroup of all pods', 'keelson')
    .option('--bridge <name>', 'the pod bridge', 'keelson0')
    .option('--chain-prefix <name>', 'prefix of the pod network\'s iptables chains (one per node sharing a machine)', 'KEELSON')
    .option('--port <n>', 'port of the kubelet API', parsePort, 10250)
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: KubeletFlags) => {
      await runUntilSignal((signal) => {
        const k = runKubelet(kubeletOptions(opts), signal);
        return { ready: k.ready, done: k.done };
      });
    });
  program
    .command('shim')
    .description('run the container runtime shim (the kubelet starts one itself when none runs)')
    .option('--root <dir>', 'state, images, sandboxes and containers', '/var/lib/keelson/kubelet/shim')
    .option('--socket <path>', 'unix socket to serve on (default: <root>/shim.sock)')
    .option('--cgroup-root <name>', 'parent cgroup of all pods', 'keelson')
    .option('--bridge <name>', 'the pod bridge', 'keelson0')
    .option('--cluster-cidr <cidr>', 'the whole cluster\'s pod range', '10.42.0.0/16')
    .option('--pod-cidr <cidr>', 'this node\'s pod range (else set by the kubelet)')
    .option('--chain-prefix <name>', 'prefix of the pod network\'s iptables chains', 'KEELSON')
    .option('--cleanup', 'remove every pod sandbox and container, the pod bridge, its iptables chains and cgroups, then exit', false)
    .action(async (opts: { root: string; socket?: string; cgroupRoot: string; bridge: string; clusterCidr: string; podCidr?: string; chainPrefix: string; cleanup: boolean }) => {
      if (opts.cleanup) {
        const shim = await startShim({
          root: opts.root,
          cgroupRoot: opts.cgroupRoot,
          bridge: opts.bridge,
          clusterCIDR: opts.clusterCidr,
          chainPrefix: opts.chainPrefix,
          socket: path.join(opts.root, `cleanup-${process.pid}.sock`),
          ...(opts.podCidr !== undefined ? { podCIDR: opts.podCidr } : {}),
        });
        await shim.destroyNode();
        await shim.close();
        return;
      }
      await runUntilSignal((signal) => {
        const started = startShim({
          root: opts.root,
          chainPrefix: opts.chainPrefix,
          cgroupRoot: opts.cgroupRoot,
          bridge: opts.bridge,
          clusterCIDR: opts.clusterCidr,
          ...(opts.socket !== undefined ? { socket: opts.socket } : {}),
          ...(opts.podCidr !== undefined ? { podCIDR: opts.podCidr } : {}),
        });
        const done = (async () => {
          const shim = await started;
          await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
          await shim.close();
        })();
        return { ready: started.then(() => undefined), done };
      });
    });
  program
    .command('agent')
    .description('join this machine to a cluster as a node (with a token from `keelson token create`) and run its kubelet')
    .requiredOption('--server <url>', 'the API server, https://host:6443')
    .option('--token <token>', 'the join token (or KEELSON_TOKEN)')
    .option('--node-name <name>', 'the Node name (default: the hostname)')
    .option('--node-ip <addr>', 'the node\'s InternalIP (default: the first non-loopback IPv4 address)')
    .option('--root-dir <dir>', 'pods\' volumes, logs, the shim\'s state and kubelet.kubeconfig', '/var/lib/keelson/agent')
    .option('--runtime-endpoint <socket>', 'the shim\'s unix socket (started when nothing answers there)')
    .option('--cluster-cidr <cidr>', 'the whole cluster\'s pod range (traffic leaving it is masqueraded)', '10.42.0.0/16')
    .option('--cluster-dns <ips>', 'DNS servers for ClusterFirst pods (comma-separated): the node-local cluster DNS', '10.96.0.10')
    .option('--cluster-domain <domain>', 'the cluster\'s DNS domain', 'cluster.local')
    .option('--max-pods <n>', 'pods this node accepts', parsePositive, 110)
    .option('--node-labels <k=v,...>', 'extra labels of the Node', parseLabels, {})
    .option('--images <dir>', 'image archives imported at start', '/var/lib/keelson/agent/images')
    .option('--cgroup-root <name>', 'parent cgroup of all pods', 'keelson')
    .option('--bridge <name>', 'the pod bridge', 'keelson0')
    .option('--chain-prefix <name>', 'prefix of the pod network\'s iptables chains (one per node sharing a machine)', 'KEELSON')
    .option('--port <n>', 'port of the kubelet API', parsePort, 10250)
    .option('--disable-proxy', 'run no service proxy (and no cluster DNS) on this node', false)
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: Omit<KubeletFlags, 'kubeconfig' | 'podCidr'> & { server: string; token?: string; disableProxy: boolean }) => {
      const token = opts.token ?? process.env['KEELSON_TOKEN'];
      if (token === undefined || token === '') throw new CommanderError(2, 'keelson.noToken', 'keelson agent: --token (or KEELSON_TOKEN) is required');
      const kubelet = { ...kubeletOptions(opts), rootDir: opts.rootDir };
      const proxy = opts.disableProxy ? (false as const) : { clusterCIDR: opts.clusterCidr, logLevel: parseLogLevel(opts.logLevel) };
      await runUntilSignal((signal) => runAgent({ server: opts.server, token, kubelet, proxy }, signal, (line) => process.stderr.write(`${line}\n`)));
    });
  program
    .command('proxy')
    .description('make Services reach their pods on this node (nftables) and answer cluster DNS on the kube-dns address')
    .option('--kubeconfig <file>', 'kubeconfig to reach the API server with (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--node-name <name>', 'this node\'s name (default: the hostname)')
    .option('--cluster-cidr <cidr>', 'the cluster\'s pod range (ClusterIP traffic from outside it is masqueraded)', '10.42.0.0/16')
    .option('--service-cidr <cidr>', 'the Service range', '10.96.0.0/12')
    .option('--dns-ip <addr>', 'the kube-dns ClusterIP this node answers DNS on', '10.96.0.10')
    .option('--disable-dns', 'answer no DNS', false)
    .option('--healthz-port <n>', 'port of /healthz', parsePort, 10256)
    .option('--metrics-port <n>', 'port of /metrics', parsePort, 10249)
    .option('--cleanup', 'remove every rule and address the proxy owns, then exit', false)
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { kubeconfig?: string; nodeName?: string; clusterCidr: string; serviceCidr: string; dnsIp: string; disableDns: boolean; healthzPort: number; metricsPort: number; cleanup: boolean; logLevel: string }) => {
      await runUntilSignal((signal) => {
        const p = runProxy(
          {
            nodeName: (opts.nodeName ?? hostname()).toLowerCase(),
            ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
            clusterCIDR: opts.clusterCidr,
            serviceCIDR: opts.serviceCidr,
            dnsIP: opts.dnsIp,
            dns: !opts.disableDns,
            healthzPort: opts.healthzPort,
            metricsPort: opts.metricsPort,
            cleanup: opts.cleanup,
            logLevel: parseLogLevel(opts.logLevel),
          },
          signal,
        );
        return { ready: p.ready, done: p.done };
      });
    });
  const token = program.command('token').description('manage join tokens');
  token
    .command('create')
    .description('create a join token for `keelson agent --token` (a bootstrap token Secret in kube-system) and print it')
    .option('--data-dir <dir>', 'the server\'s data directory (its admin kubeconfig)', '/var/lib/keelson/server')
    .option('--kubeconfig <file>', 'an admin kubeconfig (default: <data-dir>/kubeconfig)')
    .addOption(new Option('--ttl <duration>', 'how long the token is valid; 0 for ever').argParser(parseDuration).default(24 * 3600_000, '24h'))
    .option('--description <text>', 'what the token is for')
    .action(async (opts: { dataDir: string; kubeconfig?: string; ttl: number; description?: string }) => {
      const config = loadClientConfig({ kubeconfig: opts.kubeconfig ?? path.join(opts.dataDir, 'kubeconfig') });
      if (config.tls.ca === undefined) throw new CommanderError(1, 'keelson.noCA', `keelson token create: the kubeconfig (${config.source}) has no certificate authority to put in the token`);
      const client = new RestClient({ config, userAgent: 'keelson-token' });
      try {
        const t = await createBootstrapToken(client, { ttlMs: opts.ttl, now: new Date(), ...(opts.description !== undefined ? { description: opts.description } : {}) });
        out(`${formatJoinToken(config.tls.ca.toString('utf8'), t)}\n`);
      } finally {
        client.close();
      }
    });
  program
    .command('version')
    .description('print the version')
    .action(() => out(`keelson ${version}\n`));
  return program;
}

/** The authentication/authorization flags of `keelson apiserver`, as parsed. */
interface ApiServerSecurityFlags {
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth: boolean;
  authorizationMode?: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
}

function apiServerSecurity(f: ApiServerSecurityFlags): Pick<ApiServerOptions, 'tlsCertFile' | 'tlsPrivateKeyFile' | 'clientCAFile' | 'tokenAuthFile' | 'enableBootstrapTokenAuth' | 'authorizationMode' | 'clusterSigningCertFile' | 'clusterSigningKeyFile'> {
  if (f.authorizationMode !== undefined && f.authorizationMode !== 'AlwaysAllow' && f.authorizationMode !== 'Node') {
    throw new CommanderError(2, 'keelson.badFlag', `--authorization-mode must be AlwaysAllow or Node, not "${f.authorizationMode}"`);
  }
  return {
    ...(f.tlsCertFile !== undefined ? { tlsCertFile: f.tlsCertFile } : {}),
    ...(f.tlsPrivateKeyFile !== undefined ? { tlsPrivateKeyFile: f.tlsPrivateKeyFile } : {}),
    ...(f.clientCaFile !== undefined ? { clientCAFile: f.clientCaFile } : {}),
    ...(f.tokenAuthFile !== undefined ? { tokenAuthFile: f.tokenAuthFile } : {}),
    enableBootstrapTokenAuth: f.enableBootstrapTokenAuth,
    ...(f.authorizationMode !== undefined ? { authorizationMode: f.authorizationMode } : {}),
    ...(f.clusterSigningCertFile !== undefined ? { clusterSigningCertFile: f.clusterSigningCertFile } : {}),
    ...(f.clusterSigningKeyFile !== undefined ? { clusterSigningKeyFile: f.clusterSigningKeyFile } : {}),
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function parseControllers(v: string): string[] {
  const list = v.split(',').map((c) => c.trim()).filter((c) => c !== '');
  try {
    enabledControllers(list);
  } catch (e: unknown) {
    if (e instanceof ControllerManagerConfigError) throw new InvalidArgumentError(e.message);
    throw e;
  }
  return list;
}

/** The node lifecycle and node IPAM flags of `keelson controller-manager`, as parsed. */
interface NodeControllerFlags {
  nodeMonitorGracePeriod: number;
  nodeMonitorPeriod: number;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  clusterCidr: string;
  nodeCidrMaskSize: number;
}

/** A Go duration (`40s`, `5m`) in milliseconds. */
function parseDuration(v: string): number {
  try {
    return parseDurationMs(v);
  } catch (e: unknown) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

function parseSeconds(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number of seconds');
  return Number(v);
}

function parseClusterCidr(v: string): string {
  try {
    parseCidr(v);
  } catch (e: unknown) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
  return v;
}

function parseMaskSize(v: string): number {
  if (!/^\d{1,2}$/.test(v) || Number(v) > 32) throw new InvalidArgumentError('must be a prefix length 0-32');
  return Number(v);
}

/** The flags of `keelson kubelet`, as parsed. */
export interface KubeletFlags {
  kubeconfig?: string;
  nodeName?: string;
  rootDir: string;
  nodeIp?: string;
  runtimeEndpoint?: string;
  podCidr?: string;
  clusterCidr: string;
  clusterDns: string;
  clusterDomain: string;
  maxPods: number;
  nodeLabels: Record<string, string>;
  images: string;
  cgroupRoot: string;
  chainPrefix: string;
  bridge: string;
  port: number;
  logLevel: string;
}

export function kubeletOptions(opts: KubeletFlags): KubeletOptions {
  return {
    ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.nodeName !== undefined ? { nodeName: opts.nodeName } : {}),
    ...(opts.nodeIp !== undefined ? { nodeIP: opts.nodeIp } : {}),
    ...(opts.runtimeEndpoint !== undefined ? { runtimeEndpoint: opts.runtimeEndpoint } : {}),
    ...(opts.podCidr !== undefined ? { podCIDR: opts.podCidr } : {}),
    rootDir: opts.rootDir,
    clusterDNS: opts.clusterDns.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    clusterDomain: opts.clusterDomain,
    maxPods: opts.maxPods,
    nodeLabels: opts.nodeLabels,
    imagesImportDir: opts.images,
    shimArgs: ['--cgroup-root', opts.cgroupRoot, '--bridge', opts.bridge, '--cluster-cidr', opts.clusterCidr, '--chain-prefix', opts.chainPrefix],
    port: opts.port,
    logLevel: parseLogLevel(opts.logLevel),
  };
}

function parsePositive(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) === 0) throw new InvalidArgumentError('must be a positive whole number');
  return Number(v);
}

function parseLabels(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of v.split(',').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`"${pair}" is not key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function parseLogLevel(v: string): 'error' | 'warn' | 'info' | 'debug' {
  if (v === 'error' || v === 'warn' || v === 'info' || v === 'debug') return v;
  throw new CommanderError(2, 'keelson.badLogLevel', `--log-level must be error, warn, info or debug, not "${v}"`);
}

/** Runs a component until SIGINT/SIGTERM, then stops it cleanly. */
async function runUntilSignal(start: (signal: AbortSignal) => { ready: Promise<void>; done: Promise<void> }): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const c = start(abort.signal);
  try {
    await c.ready;
  } catch (e: unknown) {
    abort.abort();
    await c.done.catch(() => undefined);
    throw e;
  }
  await c.done;
}

function fail(e: unknown): never {
  if (e instanceof CommanderError) {
    if (e.code === 'keelson.notAvailable' || e.code === 'keelson.badLogLevel' || e.code === 'keelson.noToken' || e.code === 'keelson.noCA' || e.code === 'keelson.badFlag') process.stderr.write(`${e.message}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`keelson: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

/** Runs the launcher; exits the process with the command's status. */
export function main(argv: string[]): void {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  program.parseAsync(argv, { from: 'user' }).then(() => process.exit(0), fail);
}
