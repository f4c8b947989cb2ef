// Deployment rollout benchmark: a 100-replica Deployment against the real API server (etcd, sqlite) and controller-manager, with simulated nodes; time to fully available, and time to roll a new template.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '@keelson/client';
import { testing } from '@keelson/controller-manager';
import { startEtcd } from '@keelson/e2e';
import { Cleanups, CpuMeter, describeError, formatTable, Interrupted, percentile, runMain, UsageError } from './harness';
import { measureRollout, type RolloutResult, type Strategy } from './rollout/measure';
import { startControllerManager } from './rollout/processes';
import { startApiServer, type ServerMode } from './server';

type Backend = 'etcd' | 'sqlite';

interface BenchConfig {
  replicas: number;
  runs: number;
  /** Unmeasured runs per backend first (JIT, caches, connections). */
  warmup: number;
  backends: Backend[];
  strategies: Strategy[];
  mode: ServerMode;
  timeoutMs: number;
}

/** The controllers a rollout needs: deployment and replicaset, and the garbage collector to clean up between runs. */
const CONTROLLERS = ['deployment', 'replicaset', 'garbagecollector'];

const USAGE = `usage: node bench/dist/rollout.js [options]

Times Deployment rollouts end to end: the API server (its own process) on etcd and on a temp
SQLite file, the controller-manager (its own process; deployment, replicaset and garbage
collector), and a simulated node in this process (FakeNodeAgent: binds each pod to itself,
marks it Running and Ready, confirms deletions at once). Per run: create a Deployment of R
replicas and wait until all are available; patch its image and wait until every replica is
updated and available and the old ones are gone; delete it.

  --replicas R        replicas (env KEELSON_BENCH_REPLICAS; default 100)
  --runs N            runs per backend and strategy (env KEELSON_BENCH_RUNS; default 3)
  --warmup W          unmeasured runs per backend first (env KEELSON_BENCH_WARMUP; default 1)
  --backends B        etcd, sqlite or etcd,sqlite (env KEELSON_BENCH_BACKENDS; default etcd,sqlite)
  --strategies S      maxSurge/maxUnavailable pairs, comma-separated (env KEELSON_BENCH_STRATEGIES;
                      default 25%/25%,10%/0 — Kubernetes' default, and a no-downtime rollout)
  --mode M            child or in-process: where the API server runs (env KEELSON_BENCH_MODE; default child)
  --timeout S         seconds one phase may take (env KEELSON_BENCH_TIMEOUT; default 300)
`;

type Field = 'replicas' | 'runs' | 'warmup' | 'backends' | 'strategies' | 'mode' | 'timeout';

const ENV: Record<Field, string> = {
  replicas: 'KEELSON_BENCH_REPLICAS',
  runs: 'KEELSON_BENCH_RUNS',
  warmup: 'KEELSON_BENCH_WARMUP',
  backends: 'KEELSON_BENCH_BACKENDS',
  strategies: 'KEELSON_BENCH_STRATEGIES',
  mode: 'KEELSON_BENCH_MODE',
  timeout: 'KEELSON_BENCH_TIMEOUT',
};

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const cfg: BenchConfig = {
    replicas: 100,
    runs: 3,
    warmup: 1,
    backends: ['etcd', 'sqlite'],
    strategies: [
      { maxSurge: '25%', maxUnavailable: '25%' },
      { maxSurge: '10%', maxUnavailable: '0' },
    ],
    mode: 'child',
    timeoutMs: 300_000,
  };
  const int = (raw: string, source: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${source} must be a whole number ≥ 1, got "${raw}"`);
    return n;
  };
  const set = (field: Field, raw: string, source: string): void => {
    switch (field) {
      case 'replicas':
        cfg.replicas = int(raw, source);
        return;
      case 'runs':
        cfg.runs = int(raw, source);
        return;
      case 'warmup':
        if (!/^\d+$/.test(raw)) throw new UsageError(`${source} must be a whole number, got "${raw}"`);
        cfg.warmup = Number(raw);
        return;
      case 'timeout':
        cfg.timeoutMs = int(raw, source) * 1000;
        return;
      case 'backends': {
        const list = raw.split(',').map((b) => b.trim()).filter((b) => b !== '');
        if (list.length === 0 || list.some((b) => b !== 'etcd' && b !== 'sqlite')) throw new UsageError(`${source} must list etcd and/or sqlite, got "${raw}"`);
        cfg.backends = [...new Set(list as Backend[])];
        return;
      }
      case 'strategies': {
        const pairs = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
        cfg.strategies = pairs.map((p) => {
          const m = /^(\d+%?)\/(\d+%?)$/.exec(p);
          if (m === null) throw new UsageError(`${source}: "${p}" is not maxSurge/maxUnavailable such as 25%/25% or 1/0`);
          const [, maxSurge = '', maxUnavailable = ''] = m;
          if (/^0%?$/.test(maxSurge) && /^0%?$/.test(maxUnavailable)) throw new UsageError(`${source}: maxSurge and maxUnavailable cannot both be 0 ("${p}")`);
          return { maxSurge, maxUnavailable };
        });
        if (cfg.strategies.length === 0) throw new UsageError(`${source} must name at least one strategy`);
        return;
      }
      case 'mode':
        if (raw !== 'child' && raw !== 'in-process') throw new UsageError(`${source} must be child or in-process, got "${raw}"`);
        cfg.mode = raw;
        return;
    }
  };
  for (const [field, name] of Object.entries(ENV) as [Field, string][]) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') set(field, raw, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--(replicas|runs|warmup|backends|strategies|mode|timeout)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n\n${USAGE}`);
    const field = m[1] as Field;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${field} needs a value`);
    set(field, value, `--${field}`);
  }
  return cfg;
}

interface Row {
  backend: Backend;
  strategy: Strategy;
  runs: RolloutResult[];
  /** CPU seconds over all runs of this row: bench (agent + watch), API server, controller-manager, etcd. */
  cpu: (number | undefined)[];
}

function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'bench' }, userAgent: 'keelson-bench-rollout' });
}

/** One backend: API server and controller-manager up, the simulated node running, every strategy × runs measured. */
async function runBackend(backend: Backend, storage: string, etcdPid: number | undefined, cfg: BenchConfig, cleanups: Cleanups, signal: AbortSignal): Promise<Row[]> {
  process.stderr.write(`${backend}: starting the API server and the controller-manager…\n`);
  const server = await startApiServer({ storage, mode: cfg.mode, nodeArgs: [] });
  const stopServer = cleanups.add(`API server on ${backend}`, () => server.stop());
  const cm = await startControllerManager(server.url, CONTROLLERS, []);
  const stopCm = cleanups.add('controller-manager', () => cm.stop());
  const client = clientFor(server.url);
  const closeClient = cleanups.add('client', () => {
    client.close();
    return Promise.resolve();
  });
  const agent = new testing.FakeNodeAgent(client, { nodeName: 'bench-node' });
  await agent.start();
  const stopAgent = cleanups.add('simulated node', () => agent.stop());

  const rows: Row[] = [];
  let n = 0;
  for (let w = 0; w < cfg.warmup; w++) {
    const ns = `rollout-warmup-${w}`;
    await client.resource('v1', 'Namespace').create({ metadata: { name: ns } });
    const result = await measureRollout(client, ns, cfg.replicas, cfg.strategies[0] ?? { maxSurge: '25%', maxUnavailable: '25%' }, cfg.timeoutMs, signal);
    process.stderr.write(`  warm-up ${w + 1}: available in ${(result.createMs / 1000).toFixed(2)} s, rolled in ${(result.rollMs / 1000).toFixed(2)} s (not counted)\n`);
  }
  for (const strategy of cfg.strategies) {
    const runs: RolloutResult[] = [];
    const meter = new CpuMeter([process.pid, server.pid === process.pid ? undefined : server.pid, cm.pid, etcdPid]);
    for (let r = 0; r < cfg.runs; r++) {
      if (signal.aborted) throw new Interrupted();
      const ns = `rollout-${++n}`;
      await client.resource('v1', 'Namespace').create({ metadata: { name: ns } });
      const result = await measureRollout(client, ns, cfg.replicas, strategy, cfg.timeoutMs, signal);
      runs.push(result);
      process.stderr.write(
        `  ${strategy.maxSurge}/${strategy.maxUnavailable} run ${r + 1}: available in ${(result.createMs / 1000).toFixed(2)} s, rolled in ${(result.rollMs / 1000).toFixed(2)} s (peak ${result.peakPods} pods, ≥ ${result.minReady} ready)\n`,
      );
    }
    rows.push({ backend, strategy, runs, cpu: meter.read() });
  }
  await stopAgent();
  await closeClient();
  await stopCm();
  await stopServer();
  return rows;
}

/** The bound a rollout must respect: at most replicas + surge pods, at least replicas − unavailable ready (maxSurge rounds up, maxUnavailable down). */
function bounds(replicas: number, s: Strategy): { maxPods: number; minReady: number } {
  const resolve = (v: string, roundUp: boolean): number => {
    if (!v.endsWith('%')) return Number(v);
    const x = (Number(v.slice(0, -1)) * replicas) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  };
  let surge = resolve(s.maxSurge, true);
  let unavailable = resolve(s.maxUnavailable, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  if (replicas === 0) surge = 0;
  return { maxPods: replicas + surge, minReady: replicas - unavailable };
}

function seconds(values: number[]): Float64Array {
  return Float64Array.from(values.map((v) => v / 1000)).sort();
}

function table(rows: Row[], replicas: number): string {
  return formatTable(
    ['backend', 'maxSurge/maxUnavailable', 'runs', 'create→available s p50', 'min', 'max', 'roll s p50', 'min', 'max', 'peak live pods (bound)', 'min ready (bound)', 'CPU s/run: bench', 'apiserver', 'controller-mgr', 'etcd'],
    rows.map((r) => {
      const create = seconds(r.runs.map((x) => x.createMs));
      const roll = seconds(r.runs.map((x) => x.rollMs));
      const b = bounds(replicas, r.strategy);
      const cpu = (i: number): string => {
        const s = r.cpu[i];
        return s === undefined ? '-' : (s / r.runs.length).toFixed(2);
      };
      return [
        r.backend,
        `${r.strategy.maxSurge}/${r.strategy.maxUnavailable}`,
        String(r.runs.length),
        percentile(create, 50).toFixed(2),
        (create[0] ?? NaN).toFixed(2),
        (create[create.length - 1] ?? NaN).toFixed(2),
        percentile(roll, 50).toFixed(2),
        (roll[0] ?? NaN).toFixed(2),
        (roll[roll.length - 1] ?? NaN).toFixed(2),
        `${Math.max(...r.runs.map((x) => x.peakPods))} (≤ ${b.maxPods})`,
        `${Math.min(...r.runs.map((x) => x.minReady))} (≥ ${b.minReady})`,
        cpu(0),
        cpu(1),
        cpu(2),
        r.backend === 'etcd' ? cpu(3) : '-',
      ];
    }),
  );
}

async function main(): Promise<number> {
  const cfg = parseArgs(process.argv.slice(2), process.env);
  if (cfg === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > cpus().length / 2) process.stderr.write(`warning: load average ${(loadBefore[0] ?? 0).toFixed(2)} on ${cpus().length} CPUs; the figures will be noisy\n`);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cleanups = new Cleanups();
  const rows: Row[] = [];
  let failure: unknown;
  try {
    for (const backend of cfg.backends) {
      if (backend === 'etcd') {
        process.stderr.write('starting etcd…\n');
        const etcd = await startEtcd();
        const stopEtcd = cleanups.add('etcd', () => etcd.stop());
        rows.push(...(await runBackend('etcd', `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`, etcd.pid, cfg, cleanups, interrupted.signal)));
        await stopEtcd();
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-rollout-db-'));
        const removeDb = cleanups.add('SQLite directory', () => rm(dir, { recursive: true, force: true }));
        rows.push(...(await runBackend('sqlite', `sqlite://${join(dir, 'state.db')}`, undefined, cfg, cleanups, interrupted.signal)));
        await removeDb();
      }
    }
  } catch (err: unknown) {
    failure = interrupted.signal.aborted ? new Interrupted() : err;
  }
  const cleanupFailures = await cleanups.runAll();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (failure !== undefined) {
    for (const e of cleanupFailures) process.stderr.write(`cleanup also failed: ${describeError(e)}\n`);
    throw failure instanceof Error ? failure : new Error('benchmark failed', { cause: failure });
  }
  if (cleanupFailures.length > 0) throw new AggregateError(cleanupFailures, 'cleanup failed');

  const violations = rows.filter((r) => {
    const b = bounds(cfg.replicas, r.strategy);
    return r.runs.some((x) => x.peakPods > b.maxPods || x.minReady < b.minReady);
  });
  const out = [
    `rollout benchmark: a Deployment of ${cfg.replicas} replicas created until all are available, then a new image rolled until all are updated and available (${cfg.runs} runs each);`,
    `API server (${cfg.mode === 'child' ? 'own process' : 'in this process'}), controller-manager (own process: ${CONTROLLERS.join(', ')}), etcd, and one simulated node in this process`,
    `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown cpu'}, load average when started: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    'times: request sent → the status showing it, seen by this process\'s watch; peak pods / min ready: at every pod change during the roll',
    '',
    table(rows, cfg.replicas),
    '',
  ];
  if (violations.length > 0) out.push(`a rollout went outside its maxSurge/maxUnavailable bounds in: ${violations.map((r) => `${r.backend} ${r.strategy.maxSurge}/${r.strategy.maxUnavailable}`).join(', ')}`, '');
  process.stdout.write(out.join('\n'));
  return violations.length > 0 ? 1 : 0;
}

runMain(main);
