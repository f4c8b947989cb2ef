// API server benchmark: creates/s through HTTP vs raw etcd puts at one concurrency, and watch fan-out latency to many watchers.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '@keelson/e2e';
import { Etcd3 } from 'etcd3';
import { runFanout, type FanoutConfig, type FanoutResult } from './fanout';
import { objectFor, type BenchResource } from './fixtures';
import { Cleanups, closedLoop, CpuMeter, describeError, formatTable, Interrupted, type LoadResult, percentile, runMain, UsageError } from './harness';
import { HttpClient, HttpStatusError } from './http';
import { startApiServer, type ServerMode } from './server';

type Backend = 'etcd' | 'sqlite';

interface BenchOptions {
  count?: number;
  concurrency?: number;
  warmup?: number;
  resource?: BenchResource;
  backends?: Backend[];
  mode?: ServerMode;
  watchers?: number;
  changes?: number;
  intervalMs?: number;
  profileDir?: string;
}

interface BenchConfig {
  count: number;
  concurrency: number;
  warmup: number;
  resource: BenchResource;
  backends: Backend[];
  mode: ServerMode;
  fanout: FanoutConfig;
  /** Where the API server children write `--cpu-prof` profiles; undefined: no profiling. */
  profileDir: string | undefined;
}

const NAMESPACE = 'bench';
const RAW_BEFORE = 'raw etcd3 put';
const RAW_AFTER = 'raw etcd3 put, again after';

const USAGE = `usage: node bench/dist/apiserver.js [options]

Measures the Keelson API server, started on a free loopback port over its own etcd (and a temp
SQLite file):
  1. creates/s and p50/p99 latency of POST /api/v1/namespaces/bench/<resource> (~1 KB objects)
     over keep-alive HTTP at one concurrency, next to raw etcd3 puts at the same concurrency;
  2. watch fan-out: W watch streams on the bench namespace's configmaps, then K creates spaced
     out, timing each event's arrival at each watcher.

  --count N          creates per run (env KEELSON_BENCH_COUNT; default 20000)
  --concurrency C    requests in flight (env KEELSON_BENCH_CONCURRENCY; default 64)
  --warmup W         unmeasured creates before each run (env KEELSON_BENCH_WARMUP; default 1000)
  --resource R       configmaps or pods (env KEELSON_BENCH_RESOURCE; default configmaps)
  --backends B       etcd, sqlite or etcd,sqlite (env KEELSON_BENCH_BACKENDS; default etcd,sqlite)
  --mode M           child: the API server in its own Node process (default), or in-process:
                     inside this process, sharing its event loop with the load
                     (env KEELSON_BENCH_MODE)
  --watchers W       concurrent watch streams; 0 skips the fan-out (env KEELSON_BENCH_WATCHERS;
                     default 1000)
  --changes K        creates the watchers must each receive (env KEELSON_BENCH_CHANGES; default 50)
  --interval MS      pause between changes (env KEELSON_BENCH_INTERVAL_MS; default 100)
  --profile DIR      run each API server child with --cpu-prof, writing into DIR
                     (env KEELSON_BENCH_PROFILE_DIR)
`;

type Field = 'count' | 'concurrency' | 'warmup' | 'resource' | 'backends' | 'mode' | 'watchers' | 'changes' | 'interval' | 'profile';

const ENV: Record<Field, string> = {
  count: 'KEELSON_BENCH_COUNT',
  concurrency: 'KEELSON_BENCH_CONCURRENCY',
  warmup: 'KEELSON_BENCH_WARMUP',
  resource: 'KEELSON_BENCH_RESOURCE',
  backends: 'KEELSON_BENCH_BACKENDS',
  mode: 'KEELSON_BENCH_MODE',
  watchers: 'KEELSON_BENCH_WATCHERS',
  changes: 'KEELSON_BENCH_CHANGES',
  interval: 'KEELSON_BENCH_INTERVAL_MS',
  profile: 'KEELSON_BENCH_PROFILE_DIR',
};

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const opts: BenchOptions = {};
  const int = (raw: string, source: string, min: number): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${source} must be an integer ≥ ${min}, got "${raw}"`);
    }
    return n;
  };
  const set = (field: Field, raw: string, source: string): void => {
    switch (field) {
      case 'count':
      case 'concurrency':
      case 'changes':
        opts[field] = int(raw, source, 1);
        return;
      case 'warmup':
      case 'watchers':
        opts[field] = int(raw, source, 0);
        return;
      case 'interval':
        opts.intervalMs = int(raw, source, 0);
        return;
      case 'resource':
        if (raw !== 'configmaps' && raw !== 'pods') throw new UsageError(`${source} must be configmaps or pods, got "${raw}"`);
        opts.resource = raw;
        return;
      case 'backends': {
        const list = raw.split(',').map((b) => b.trim()).filter((b) => b !== '');
        const bad = list.filter((b) => b !== 'etcd' && b !== 'sqlite');
        if (list.length === 0 || bad.length > 0) throw new UsageError(`${source} must list etcd and/or sqlite, got "${raw}"`);
        opts.backends = [...new Set(list as Backend[])];
        return;
      }
      case 'mode':
        if (raw !== 'child' && raw !== 'in-process') throw new UsageError(`${source} must be child or in-process, got "${raw}"`);
        opts.mode = raw;
        return;
      case 'profile':
        if (raw === '') throw new UsageError(`${source} must name a directory`);
        opts.profileDir = raw;
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
    const m = /^--(count|concurrency|warmup|resource|backends|mode|watchers|changes|interval|profile)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n\n${USAGE}`);
    const field = m[1] as Field;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${field} needs a value`);
    set(field, value, `--${field}`);
  }
  return opts;
}

function completeOptions(o: BenchOptions): BenchConfig {
  const mode = o.mode ?? 'child';
  if (o.profileDir !== undefined && mode !== 'child') throw new UsageError('--profile needs --mode child (it profiles the API server process)');
  return {
    count: o.count ?? 20_000,
    concurrency: o.concurrency ?? 64,
    warmup: o.warmup ?? 1_000,
    resource: o.resource ?? 'configmaps',
    backends: o.backends ?? ['etcd', 'sqlite'],
    mode,
    fanout: {
      watchers: o.watchers ?? 1_000,
      changes: o.changes ?? 50,
      intervalMs: o.intervalMs ?? 100,
      openConcurrency: 50,
      deliveryTimeoutMs: 30_000,
    },
    profileDir: o.profileDir,
  };
}

/** One measured create run, with the CPU each process spent on it. */
interface CreateRow {
  name: string;
  result: LoadResult;
  /** CPU seconds of [benchmark, API server, etcd] during the run; the API server is undefined in-process. */
  cpu: (number | undefined)[];
}

interface FanoutRow {
  backend: Backend;
  result: FanoutResult;
}

/** Unmeasured creates on other names, then the measured run. */
async function measureCreates(
  name: string,
  cfg: BenchConfig,
  cpuPids: readonly (number | undefined)[],
  signal: AbortSignal,
  op: (name: string) => Promise<unknown>,
): Promise<CreateRow> {
  if (cfg.warmup > 0) await closedLoop(cfg.warmup, cfg.concurrency, signal, (i) => op(`warmup-${i}`));
  process.stderr.write(`  ${name}: ${cfg.count} creates at concurrency ${cfg.concurrency}…\n`);
  const meter = new CpuMeter(cpuPids);
  const result = await closedLoop(cfg.count, cfg.concurrency, signal, (i) => op(`obj-${String(i).padStart(6, '0')}`));
  return { name, result, cpu: meter.read() };
}

/** Runs the create benchmark and the fan-out against one API server; stops it afterwards. */
async function benchApiServer(
  backend: Backend,
  storage: string,
  cfg: BenchConfig,
  etcdPid: number | undefined,
  cleanups: Cleanups,
  signal: AbortSignal,
): Promise<{ create: CreateRow; fanout: FanoutRow | undefined }> {
  process.stderr.write(`starting the API server on ${backend} (${cfg.mode})…\n`);
  const nodeArgs = cfg.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cfg.profileDir}`, `--cpu-prof-name=apiserver-${backend}-${Date.now()}.cpuprofile`];
  const server = await startApiServer({ storage, mode: cfg.mode, nodeArgs });
  const stopServer = cleanups.add(`API server on ${backend}`, () => server.stop());
  const client = new HttpClient(server.url, cfg.concurrency);
  const closeClient = cleanups.add('HTTP client', () => {
    client.close();
    return Promise.resolve();
  });
  await client.json('POST', '/api/v1/namespaces', [201, 409], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });

  const collection = `/api/v1/namespaces/${NAMESPACE}/${cfg.resource}`;
  const serverPid = server.pid === process.pid ? undefined : server.pid;
  const create = await measureCreates(`API server → ${backend}`, cfg, [process.pid, serverPid, etcdPid], signal, async (name) => {
    const res = await client.send('POST', collection, Buffer.from(JSON.stringify(objectFor(cfg.resource, name, NAMESPACE))));
    if (res.status !== 201) throw new HttpStatusError('POST', collection, res.status, res.body.toString('utf8'));
  });

  let fanout: FanoutRow | undefined;
  if (cfg.fanout.watchers > 0) {
    process.stderr.write(`  watch fan-out on ${backend}:\n`);
    const result = await runFanout(client, server.url, NAMESPACE, cfg.fanout, [process.pid, serverPid, etcdPid], signal, (line) =>
      process.stderr.write(`${line}\n`),
    );
    fanout = { backend, result };
  }
  await closeClient();
  await stopServer();
  return { create, fanout };
}

function ms(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : '?';
}

function cpuPerOp(seconds: number | undefined, ops: number): string {
  return seconds === undefined ? '?' : ((seconds * 1e6) / ops).toFixed(0);
}

const rate = (r: CreateRow): number => r.result.ops / r.result.seconds;

/** The raw etcd3 put rate every row is compared with: the mean of the runs before and after the API server. */
function baselineRate(rows: CreateRow[]): number | undefined {
  const raws = rows.filter((r) => r.name === RAW_BEFORE || r.name === RAW_AFTER);
  return raws.length === 0 ? undefined : raws.reduce((sum, r) => sum + rate(r), 0) / raws.length;
}

function createTable(rows: CreateRow[], baseRate: number | undefined, inProcess: boolean): string {
  return formatTable(
    ['run', 'creates', 'per s', 'p50 ms', 'p99 ms', 'vs raw etcd', 'CPU µs/op: bench', 'apiserver', 'etcd'],
    rows.map((r) => {
      const [bench, server, etcd] = r.cpu;
      return [
        r.name,
        String(r.result.ops),
        rate(r).toFixed(0),
        ms(percentile(r.result.latencies, 50)),
        ms(percentile(r.result.latencies, 99)),
        baseRate === undefined ? '-' : `${(rate(r) / baseRate).toFixed(2)}×`,
        cpuPerOp(bench, r.result.ops),
        r.name.startsWith('API server') && inProcess ? '(in bench)' : r.name.startsWith('API server') ? cpuPerOp(server, r.result.ops) : '-',
        r.name.endsWith('sqlite') ? '-' : cpuPerOp(etcd, r.result.ops),
      ];
    }),
  );
}

function fanoutTable(rows: FanoutRow[], inProcess: boolean): string {
  return formatTable(
    [
      'backend',
      'watchers',
      'changes',
      'delivered',
      'p50 ms',
      'p99 ms',
      'max ms',
      'after response p50/p99 ms',
      'last watcher p50/max ms',
      'CPU ms/change: apiserver',
      'bench',
    ],
    rows.map(({ backend, result: r }) => {
      const [bench, server] = r.cpu;
      return [
        `API server → ${backend}`,
        String(r.watchers),
        String(r.changes),
        `${r.delivered}/${r.watchers * r.changes}`,
        ms(percentile(r.fromWriteStart, 50)),
        ms(percentile(r.fromWriteStart, 99)),
        ms(percentile(r.fromWriteStart, 100)),
        `${ms(percentile(r.fromWriteDone, 50))} / ${ms(percentile(r.fromWriteDone, 99))}`,
        `${ms(percentile(r.lastWatcher, 50))} / ${ms(percentile(r.lastWatcher, 100))}`,
        inProcess ? '(in bench)' : server === undefined ? '?' : ((server * 1000) / r.changes).toFixed(1),
        bench === undefined ? '?' : ((bench * 1000) / r.changes).toFixed(1),
      ];
    }),
  );
}

function etcdVersion(): string {
  try {
    const out = execFileSync('etcd', ['--version'], { encoding: 'utf8' });
    return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch (err: unknown) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`;
  }
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const cfg = completeOptions(parsed);
  // Every process of the benchmark shares the machine's CPUs: another job running skews the figures.
  const loadBefore = loadavg();
  const busy = (loadBefore[0] ?? 0) > cpus().length / 2;
  if (busy) process.stderr.write(`warning: load average ${(loadBefore[0] ?? 0).toFixed(2)} on ${cpus().length} CPUs; the figures will be noisy\n`);

  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const cleanups = new Cleanups();
  const creates: CreateRow[] = [];
  const fanouts: FanoutRow[] = [];
  let failure: unknown;
  try {
    if (cfg.profileDir !== undefined) await mkdir(cfg.profileDir, { recursive: true });
    if (cfg.backends.includes('etcd')) {
      process.stderr.write('starting etcd…\n');
      const etcd = await startEtcd();
      cleanups.add('etcd', () => etcd.stop());
      const cpuPids = [process.pid, undefined, etcd.pid];
      const raw = new Etcd3({ hosts: etcd.endpoint });
      const closeRaw = cleanups.add('etcd3 client', () => {
        raw.close();
        return Promise.resolve();
      });
      const key = (name: string): string => `/bench/raw/${cfg.resource}/${NAMESPACE}/${name}`;
      const value = (name: string): string => JSON.stringify(objectFor(cfg.resource, name, NAMESPACE));
      const putRaw = (name: string): Promise<unknown> => raw.put(key(name)).value(value(name)).exec();
      creates.push(await measureCreates(RAW_BEFORE, cfg, cpuPids, interrupted.signal, (name) => putRaw(`before-${name}`)));

      const { create, fanout } = await benchApiServer('etcd', `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`, cfg, etcd.pid, cleanups, interrupted.signal);
      creates.push(create);
      if (fanout) fanouts.push(fanout);

      // Again after the API server: a large gap between the two says the machine was not quiet.
      creates.push(await measureCreates(RAW_AFTER, cfg, cpuPids, interrupted.signal, (name) => putRaw(`after-${name}`)));
      await closeRaw();
    }
    if (cfg.backends.includes('sqlite')) {
      const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-apiserver-'));
      cleanups.add('SQLite directory', () => rm(dir, { recursive: true, force: true }));
      const { create, fanout } = await benchApiServer('sqlite', `sqlite://${join(dir, 'state.db')}`, cfg, undefined, cleanups, interrupted.signal);
      creates.push(create);
      if (fanout) fanouts.push(fanout);
    }
  } catch (err: unknown) {
    // After Ctrl-C the servers (which got the signal too) may fail requests first; report the cause.
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

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const objBytes = Buffer.byteLength(JSON.stringify(objectFor(cfg.resource, 'obj-000000', NAMESPACE)));
  const out: string[] = [
    `API server benchmark: ${cfg.count} creates per run of ${cfg.resource} (${objBytes} B of JSON), concurrency ${cfg.concurrency}, ` +
      `warm-up ${cfg.warmup}, API server ${cfg.mode === 'child' ? 'in its own Node process' : 'inside the benchmark process'}`,
    `node ${process.version}, etcd ${etcdVersion()} (single member, loopback, temp dir), ${cpus().length}× ${cpu}`,
    `load average when started: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}` +
      (busy ? ` — the machine was busy (more than half its CPUs in use): compare rows of this run only, and expect noise` : ''),
    '',
  ];
  const baseRate = baselineRate(creates);
  if (creates.length > 0) {
    out.push(createTable(creates, baseRate, cfg.mode === 'in-process'), '');
    const viaEtcd = creates.find((r) => r.name === 'API server → etcd');
    if (viaEtcd !== undefined && baseRate !== undefined) {
      const ratio = rate(viaEtcd) / baseRate;
      out.push(
        `API server → etcd ÷ raw etcd3 put (mean of both raw runs) = ${ratio.toFixed(2)} (goal ≥ 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'})`,
        '',
      );
    }
  }
  if (fanouts.length > 0) {
    const f = cfg.fanout;
    out.push(
      `watch fan-out: ${f.watchers} watch streams on /api/v1/namespaces/${NAMESPACE}/configmaps, ${f.changes} creates ${f.intervalMs} ms apart;`,
      'latency = event arrival at a watcher − just before the create was sent (over every watcher × change)',
      '',
      fanoutTable(fanouts, cfg.mode === 'in-process'),
      '',
    );
    for (const { backend, result } of fanouts) {
      if (result.problems.length === 0) {
        out.push(`${backend}: every watcher received every event, once and in order`);
      } else {
        out.push(`${backend}: ${result.problems.length} problems; the first ones:`, ...result.problems.slice(0, 10).map((p) => `  ${p}`));
      }
    }
    out.push('');
  }
  process.stdout.write(out.join('\n'));
  return fanouts.some((f) => f.result.problems.length > 0) ? 1 : 0;
}

runMain(main);
