// Storage write benchmark: raw etcd3 puts vs EtcdStorage.create vs SqliteStorage.create of a ~1 KB Pod, at one concurrency.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@keelson/api';
import { openEtcdStorage, openSqliteStorage, type Storage } from '@keelson/apiserver';
import { startEtcd, type EtcdProcess } from '@keelson/e2e';
import { Etcd3 } from 'etcd3';
import { pod as fixturePod } from './fixtures';
import { closedLoop, describeError, formatTable, type LoadResult, percentile, runMain, UsageError } from './harness';

interface BenchOptions {
  count?: number;
  concurrency?: number;
  warmup?: number;
}

interface BenchConfig {
  count: number;
  concurrency: number;
  warmup: number;
}

interface Result extends LoadResult {
  name: string;
}

const USAGE = `usage: node bench/dist/storage.js [--count N] [--concurrency C] [--warmup W]

Measures, at the same concurrency, creates per second of a ~1 KB Pod through
  1. raw etcd3 puts (the ceiling for the etcd backend),
  2. EtcdStorage.create (the etcd backend: txn create-if-absent),
  3. SqliteStorage.create (the embedded backend, on a temporary file).
It starts its own etcd on free loopback ports and removes everything it created.

  --count N        operations per backend (env KEELSON_BENCH_COUNT; default 20000)
  --concurrency C  operations in flight (env KEELSON_BENCH_CONCURRENCY; default 64)
  --warmup W       unmeasured operations before each run (env KEELSON_BENCH_WARMUP; default 1000)
`;

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const opts: BenchOptions = {};
  const setFrom = (field: keyof BenchOptions, raw: string | undefined, source: string): void => {
    if (raw === undefined) return;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < (field === 'warmup' ? 0 : 1)) {
      throw new UsageError(`${source} must be a ${field === 'warmup' ? 'non-negative' : 'positive'} integer, got "${raw}"`);
    }
    opts[field] = n;
  };
  setFrom('count', env.KEELSON_BENCH_COUNT, 'KEELSON_BENCH_COUNT');
  setFrom('concurrency', env.KEELSON_BENCH_CONCURRENCY, 'KEELSON_BENCH_CONCURRENCY');
  setFrom('warmup', env.KEELSON_BENCH_WARMUP, 'KEELSON_BENCH_WARMUP');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--(count|concurrency|warmup)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n\n${USAGE}`);
    const field = m[1] as keyof BenchOptions;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${field} needs a value`);
    setFrom(field, value, `--${field}`);
  }
  return opts;
}

function completeOptions(o: BenchOptions): BenchConfig {
  return { count: o.count ?? 20_000, concurrency: o.concurrency ?? 64, warmup: o.warmup ?? 1_000 };
}

/** The shared ~1 KB Pod fixture, as stored: with its uid and the status the server sets. */
function pod(name: string): KubeObject {
  const p = fixturePod(name, 'default');
  return { ...p, metadata: { ...p.metadata, uid: '6f1c2b7e-3d4a-4e59-9b8c-0a1b2c3d4e5f' }, status: { phase: 'Pending', qosClass: 'Burstable' } };
}

/** Runs `op(i)` for i in [0, count) with `concurrency` in flight (the shared closed loop). */
async function measure(
  name: string,
  count: number,
  concurrency: number,
  signal: AbortSignal,
  op: (i: number) => Promise<unknown>,
): Promise<Result> {
  return { name, ...(await closedLoop(count, concurrency, signal, op)) };
}

/** A warm-up pass (other keys), then the measured pass. */
async function run(
  name: string,
  cfg: BenchConfig,
  signal: AbortSignal,
  op: (name: string) => Promise<unknown>,
): Promise<Result> {
  if (cfg.warmup > 0) await measure(`${name} warm-up`, cfg.warmup, cfg.concurrency, signal, (i) => op(`warmup-${i}`));
  process.stderr.write(`  ${name}: ${cfg.count} ops at concurrency ${cfg.concurrency}…\n`);
  return measure(name, cfg.count, cfg.concurrency, signal, (i) => op(`pod-${String(i).padStart(6, '0')}`));
}

function table(results: Result[], baseline: Result): string {
  const rows: string[][] = [];
  const baseRate = baseline.ops / baseline.seconds;
  for (const r of results) {
    const rate = r.ops / r.seconds;
    rows.push([
      r.name,
      String(r.ops),
      rate.toFixed(0),
      percentile(r.latencies, 50).toFixed(2),
      percentile(r.latencies, 99).toFixed(2),
      `${(rate / baseRate).toFixed(2)}×`,
    ]);
  }
  return formatTable(['backend', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s vs raw etcd'], rows);
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

  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const cleanups: (() => Promise<void>)[] = [];
  const results: Result[] = [];
  let failure: unknown;
  try {
    process.stderr.write('starting etcd…\n');
    const etcd: EtcdProcess = await startEtcd();
    cleanups.push(() => etcd.stop());

    const raw = new Etcd3({ hosts: etcd.endpoint });
    cleanups.push(() => {
      raw.close();
      return Promise.resolve();
    });
    results.push(
      await run('raw etcd3 put', cfg, interrupted.signal, (name) =>
        raw.put(`/bench/raw/pods/default/${name}`).value(JSON.stringify(pod(name))).exec(),
      ),
    );

    const etcdStorage: Storage = await openEtcdStorage([etcd.endpoint]);
    cleanups.push(() => etcdStorage.close());
    results.push(
      await run('EtcdStorage.create', cfg, interrupted.signal, (name) =>
        etcdStorage.create(`/registry/pods/default/${name}`, pod(name)),
      ),
    );

    const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-sqlite-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sqlite: Storage = openSqliteStorage(join(dir, 'state.db'));
    cleanups.push(() => sqlite.close());
    results.push(
      await run('SqliteStorage.create', cfg, interrupted.signal, (name) =>
        sqlite.create(`/registry/pods/default/${name}`, pod(name)),
      ),
    );
  } catch (err: unknown) {
    failure = err;
  }
  // Undo in reverse order; every step runs, and every failure is reported.
  const cleanupFailures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err: unknown) {
      cleanupFailures.push(err);
    }
  }
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (failure !== undefined) {
    for (const e of cleanupFailures) process.stderr.write(`cleanup also failed: ${describeError(e)}\n`);
    throw failure instanceof Error ? failure : new Error('benchmark failed', { cause: failure });
  }
  if (cleanupFailures.length > 0) throw new AggregateError(cleanupFailures, 'cleanup failed');

  const baseline = results[0];
  if (baseline === undefined) throw new Error('no results');
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const podBytes = Buffer.byteLength(JSON.stringify(pod('pod-000000')));
  process.stdout.write(
    [
      `storage write benchmark: ${cfg.count} creates per backend, concurrency ${cfg.concurrency}, ` +
        `Pod ${podBytes} B of JSON, warm-up ${cfg.warmup}`,
      `node ${process.version}, etcd ${etcdVersion()} (single member, loopback, temp dir), ${cpus().length}× ${cpu}`,
      '',
      table(results, baseline),
      '',
    ].join('\n'),
  );
  return 0;
}

runMain(main);
