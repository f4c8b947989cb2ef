// The `keelson` launcher: parses the command line and runs one component (or, later, all of them).
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { run as runApiServer } from '@keelson/apiserver';
import { run as runScheduler } from '@keelson/scheduler';
import { run as runControllerManager, enabledControllers, ControllerManagerConfigError } from '@keelson/controller-manager';
import { runServer } from './server';
import { version } from './version';

/** Components that later issues deliver; until then their subcommand says so and exits 1. */
const planned: { name: string; summary: string; issue: number }[] = [
  { name: 'kubelet', summary: 'run pods on this node', issue: 8 },
  { name: 'proxy', summary: 'make Services reach their pods on this node', issue: 9 },
  { name: 'agent', summary: 'join this machine to a cluster as a node', issue: 10 },
];

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
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { storage: string; port: number; bindAddress: string; logLevel: string }) => {
      await runUntilSignal((signal) => {
        const server = runApiServer(
          { storage: opts.storage, port: opts.port, bindAddress: opts.bindAddress, logLevel: parseLogLevel(opts.logLevel) },
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
    .option('--metrics-port <n>', 'port of /healthz, /readyz and /metrics', parsePort, 10257)
    .option('--bind-address <addr>', 'address of /healthz, /readyz and /metrics', '127.0.0.1')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { kubeconfig?: string; leaderElect: boolean; controllers: string[]; metricsPort: number; bindAddress: string; logLevel: string }) => {
      await runUntilSignal((signal) => {
        const cm = runControllerManager(
          {
            ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
            leaderElect: opts.leaderElect,
            controllers: opts.controllers,
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
    .description('run a single-node cluster in one process (today: the API server on SQLite) and write an admin kubeconfig')
    .option('--data-dir <dir>', 'where state lives', '/var/lib/keelson/server')
    .option('--storage <uri>', 'storage URI instead of SQLite in the data directory (etcd://host:2379,…)')
    .option('--port <n>', 'API port', parsePort, 6443)
    .option('--bind-address <addr>', 'API address', '127.0.0.1')
    .option('--write-kubeconfig <file>', 'where to write the admin kubeconfig', '/etc/keelson/keelson.yaml')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (opts: { dataDir: string; storage?: string; port: number; bindAddress: string; writeKubeconfig: string; logLevel: string }) => {
      await runUntilSignal((signal) =>
        runServer(
          {
            dataDir: opts.dataDir,
            port: opts.port,
            bindAddress: opts.bindAddress,
            kubeconfig: opts.writeKubeconfig,
            logLevel: parseLogLevel(opts.logLevel),
            ...(opts.storage !== undefined ? { storage: opts.storage } : {}),
          },
          signal,
          (line) => process.stderr.write(`${line}\n`),
        ),
      );
    });
  for (const p of planned) {
    program
      .command(p.name)
      .description(`${p.summary} (not available yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CommanderError(1, 'keelson.notAvailable', `keelson ${p.name}: not available in this build yet (tracked as issue ${p.issue})`);
      });
  }
  program
    .command('version')
    .description('print the version')
    .action(() => out(`keelson ${version}\n`));
  return program;
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
    if (e.code === 'keelson.notAvailable' || e.code === 'keelson.badLogLevel') process.stderr.write(`${e.message}\n`);
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
