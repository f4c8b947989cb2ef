// Scheduler benchmark: N Nodes and P Pods created through the real API server (etcd, sqlite); pods/s from first create to last binding, and per-pod latency.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { KubeObject } from '@keelson/api';
import { startEtcd } from '@keelson/e2e';
import { pod as podFixture } from './fixtures';
import { Cleanups, closedLoop, CpuMeter, describeError, formatTable, Interrupted, percentile, runMain, sleep, UsageError } from './harness';
import { HttpClient, HttpStatusError } from './http';
import { startApiServer } from './server';

type Backend = 'etcd' | 'sqlite';

interface BenchConfig {
  nodes: number[];
  pods: number;
  backends: Backend[];
  concurrency: number;
  timeoutMs: number;
  /** Where the scheduler and API server children write --cpu-prof profiles; undefined: none. */
  profileDir: string | undefined;
}

const NAMESPACE = 'bench';

const USAGE = `usage: node bench/dist/scheduler.js [options]

Measures the Keelson scheduler (bin/keelson scheduler, its own process) against the API
server (its own process) on etcd and on a temp SQLite file: for each node count it creates
the Nodes, starts the scheduler, then creates the Pods (~1 KB, 100m / 128Mi each, one
ReplicaSet) at a fixed concurrency and watches until every one is bound.

  --nodes LIST        node counts, comma-separated (env KEELSON_BENCH_NODES; default 100,1000,5000)
  --pods P            pods per run (env KEELSON_BENCH_PODS; default 10000)
  --backends B        etcd, sqlite or etcd,sqlite (env KEELSON_BENCH_BACKENDS; default etcd,sqlite)
  --concurrency C     pod creates in flight (env KEELSON_BENCH_CONCURRENCY; default 64)
  --timeout S         seconds one run may take before it fails (env KEELSON_BENCH_TIMEOUT; default 600)
  --profile DIR       run the scheduler and the API server with --cpu-prof, writing into DIR
                      (env KEELSON_BENCH_PROFILE_DIR)

Quick run on a small machine:  node bench/dist/scheduler.js --nodes 100,1000 --pods 3000
`;

type Field = 'nodes' | 'pods' | 'backends' | 'concurrency' | 'timeout' | 'profile';

const ENV: Record<Field, string> = {
  nodes: 'KEELSON_BENCH_NODES',
  pods: 'KEELSON_BENCH_PODS',
  backends: 'KEELSON_BENCH_BACKENDS',
  concurrency: 'KEELSON_BENCH_CONCURRENCY',
  timeout: 'KEELSON_BENCH_TIMEOUT',
  profile: 'KEELSON_BENCH_PROFILE_DIR',
};

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const cfg: BenchConfig = { nodes: [100, 1000, 5000], pods: 10_000, backends: ['etcd', 'sqlite'], concurrency: 64, timeoutMs: 600_000, profileDir: undefined };
  const int = (raw: string, source: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${source} must be a whole number ≥ 1, got "${raw}"`);
    return n;
  };
  const set = (field: Field, raw: string, source: string): void => {
    switch (field) {
      case 'nodes':
        cfg.nodes = raw.split(',').map((s) => int(s.trim(), source));
        return;
      case 'pods':
        cfg.pods = int(raw, source);
        return;
      case 'concurrency':
        cfg.concurrency = int(raw, source);
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
      case 'profile':
        if (raw === '') throw new UsageError(`${source} must name a directory`);
        cfg.profileDir = raw;
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
    const m = /^--(nodes|pods|backends|concurrency|timeout|profile)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n\n${USAGE}`);
    const field = m[1] as Field;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${field} needs a value`);
    set(field, value, `--${field}`);
  }
  return cfg;
}

const zones = ['zone-a', 'zone-b', 'zone-c'];

/** A Node as a kubelet registers it (~1.5 KB): labels, capacity, a Ready condition, addresses. */
function node(i: number): KubeObject {
  const name = `node-${String(i).padStart(5, '0')}`;
  const resources = { cpu: '32', memory: '128Gi', pods: '110', 'ephemeral-storage': '200Gi' };
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zones[i % zones.length] ?? 'zone-a',
        'node.kubernetes.io/instance-type': 'bench.8xlarge',
      },
    },
    spec: { podCIDR: `10.${(i >> 8) & 255}.${i & 255}.0/24` },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      addresses: [
        { type: 'InternalIP', address: `10.200.${(i >> 8) & 255}.${i & 255}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        machineID: 'bench',
        systemUUID: 'bench',
        bootID: 'bench',
        kernelVersion: '6.1.0',
        osImage: 'Debian GNU/Linux 12',
        containerRuntimeVersion: 'keelson://0.1.0',
        kubeletVersion: 'v0.1.0',
        kubeProxyVersion: 'v0.1.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The scheduler child: `bin/keelson scheduler`, ready once it logs "caches synced" with its metrics URL. */
interface SchedulerHandle {
  pid: number;
  url: string;
  /** warn/error lines it logged. */
  problems: string[];
  stop(): Promise<void>;
}

async function startScheduler(kubeconfig: string, profileDir: string | undefined, signal: AbortSignal): Promise<SchedulerHandle> {
  const bin = join(__dirname, '..', '..', 'bin', 'keelson');
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=scheduler-${Date.now()}.cpuprofile`];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, bin, 'scheduler', '--kubeconfig', kubeconfig, '--metrics-port', '0', '--log-level', 'info'], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const problems: string[] = [];
  const stop = async (): Promise<void> => {
    if (!hasExited) child.kill('SIGTERM');
    const timer = setTimeout(() => killOnExit(), 15_000);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the scheduler did not report ready within 60 s')), 60_000);
    const lines = createInterface({ input: child.stderr ?? process.stdin });
    lines.on('line', (line) => {
      let entry: { level?: string; message?: string; url?: string; error?: string; pod?: string } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        process.stderr.write(`  scheduler: ${line}\n`);
        return;
      }
      if (entry.message === 'caches synced' && entry.url !== undefined) {
        clearTimeout(timer);
        resolve(entry.url);
      } else if (entry.level === 'warn' || entry.level === 'error') {
        if (problems.length < 1000) problems.push(line);
        const detail = [entry.pod, entry.error].filter((x) => x !== undefined).join(': ');
        if (problems.length <= 5) process.stderr.write(`  scheduler ${entry.level}: ${entry.message ?? line}${detail !== '' ? ` (${detail})` : ''}\n`);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error('the scheduler exited during startup'));
    });
    signal.addEventListener('abort', () => reject(new Interrupted()), { once: true });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  if (child.pid === undefined) throw new Error('the scheduler child has no pid');
  return { pid: child.pid, url, problems, stop };
}

/**
 * One watch on the bench namespace's pods: the time each pod was first seen with a
 * spec.nodeName. Lines are timestamped as they arrive, before parsing.
 */
class BindingWatch {
  readonly boundAt = new Map<string, number>();
  private partial = '';
  private req: ClientRequest | undefined;
  private waiter: { n: number; resolve: () => void } | undefined;
  failure: string | undefined;

  open(baseUrl: string): Promise<void> {
    const u = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const req = request({ host: u.hostname, port: Number(u.port), path: `/api/v1/namespaces/${NAMESPACE}/pods?watch=true`, headers: { accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new HttpStatusError('GET', 'pods?watch=true', res.statusCode ?? 0, ''));
          return;
        }
        res.on('data', (chunk: Buffer) => {
          const at = performance.now();
          let text = this.partial + chunk.toString('utf8');
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
            this.line(text.slice(0, nl), at);
            text = text.slice(nl + 1);
          }
          this.partial = text;
        });
        res.on('error', (e) => {
          this.failure = e.message;
        });
        resolve();
      });
      req.on('error', reject);
      req.end();
      this.req = req;
    });
  }

  private line(line: string, at: number): void {
    // Only MODIFIED events can carry a binding; skip parsing the rest.
    if (!line.startsWith('{"type":"MODIFIED"') || !line.includes('"nodeName"')) return;
    const ev = JSON.parse(line) as { object?: { metadata?: { name?: string }; spec?: { nodeName?: string } } };
    const name = ev.object?.metadata?.name;
    if (name === undefined || !ev.object?.spec?.nodeName || this.boundAt.has(name)) return;
    this.boundAt.set(name, at);
    if (this.waiter !== undefined && this.boundAt.size >= this.waiter.n) this.waiter.resolve();
  }

  /** Resolves once `n` pods were seen bound; rejects after `timeoutMs` or when `signal` aborts. */
  waitFor(n: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.boundAt.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.boundAt.size}/${n} pods bound after ${timeoutMs / 1000} s`)), timeoutMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Interrupted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
    });
  }

  close(): void {
    this.req?.destroy();
  }
}

interface Row {
  backend: Backend;
  nodes: number;
  pods: number;
  /** ms from the first create being sent to the last binding seen. */
  spanMs: number;
  createsPerSec: number;
  /** Per pod: binding seen − create sent, ms, sorted. */
  latency: Float64Array;
  /** CPU seconds during the pod phase: bench, API server, scheduler, etcd. */
  cpu: (number | undefined)[];
  /** From the scheduler's /metrics. */
  algorithmMeanMs: number;
  attemptMeanMs: number;
  attempts: Record<string, number>;
  schedulerProblems: number;
}

/** Sum and count of one (unlabelled or label-filtered) histogram in Prometheus text. */
function histogram(text: string, name: string, labelFilter = ''): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_sum`) && line.includes(labelFilter)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_count`) && line.includes(labelFilter)) count += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { sum, count };
}

function attemptCounts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^scheduler_schedule_attempts_total\{result="(\w+)"[^}]*\} (\d+)/gm)) out[m[1] ?? '?'] = Number(m[2]);
  return out;
}

async function runOnce(backend: Backend, storage: string, etcdPid: number | undefined, nodes: number, cfg: BenchConfig, cleanups: Cleanups, signal: AbortSignal): Promise<Row> {
  process.stderr.write(`${backend}, ${nodes} nodes, ${cfg.pods} pods: starting the API server…\n`);
  const nodeArgs = cfg.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cfg.profileDir}`, `--cpu-prof-name=apiserver-${backend}-${nodes}-${Date.now()}.cpuprofile`];
  const server = await startApiServer({ storage, mode: 'child', nodeArgs });
  const stopServer = cleanups.add(`API server on ${backend}`, () => server.stop());
  const client = new HttpClient(server.url, cfg.concurrency);
  const closeClient = cleanups.add('HTTP client', () => {
    client.close();
    return Promise.resolve();
  });
  await client.json('POST', '/api/v1/namespaces', [201, 409], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });

  process.stderr.write(`  creating ${nodes} nodes…\n`);
  const nodeRun = await closedLoop(nodes, cfg.concurrency, signal, async (i) => {
    const res = await client.send('POST', '/api/v1/nodes', Buffer.from(JSON.stringify(node(i))));
    if (res.status !== 201) throw new HttpStatusError('POST', '/api/v1/nodes', res.status, res.body.toString('utf8'));
  });
  process.stderr.write(`  ${nodes} nodes in ${nodeRun.seconds.toFixed(1)} s; starting the scheduler…\n`);

  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-scheduler-'));
  const removeDir = cleanups.add('kubeconfig directory', () => rm(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: bench, cluster: {server: "' + server.url + '"}}]',
      'users: [{name: bench, user: {}}]',
      'contexts: [{name: bench, context: {cluster: bench, user: bench}}]',
      'current-context: bench',
      '',
    ].join('\n'),
  );
  const scheduler = await startScheduler(kubeconfig, cfg.profileDir, signal);
  const stopScheduler = cleanups.add('scheduler', () => scheduler.stop());

  const watch = new BindingWatch();
  await watch.open(server.url);
  const closeWatch = cleanups.add('watch', () => {
    watch.close();
    return Promise.resolve();
  });

  const createdAt = new Float64Array(cfg.pods);
  const names = Array.from({ length: cfg.pods }, (_, i) => `web-7d4b9c8f6d-${String(i).padStart(6, '0')}`);
  const bodies = names.map((n) => {
    const p = podFixture(n, NAMESPACE);
    delete (p.metadata as { generateName?: string }).generateName;
    return Buffer.from(JSON.stringify(p));
  });
  process.stderr.write(`  creating ${cfg.pods} pods at concurrency ${cfg.concurrency}…\n`);
  const meter = new CpuMeter([process.pid, server.pid, scheduler.pid, etcdPid]);
  const podPath = `/api/v1/namespaces/${NAMESPACE}/pods`;
  const creates = await closedLoop(cfg.pods, cfg.concurrency, signal, async (i) => {
    createdAt[i] = performance.now();
    const res = await client.send('POST', podPath, bodies[i]);
    if (res.status !== 201) throw new HttpStatusError('POST', podPath, res.status, res.body.toString('utf8'));
  });
  process.stderr.write(`  created in ${creates.seconds.toFixed(1)} s (${(cfg.pods / creates.seconds).toFixed(0)}/s); ${watch.boundAt.size} bound so far…\n`);
  await watch.waitFor(cfg.pods, cfg.timeoutMs, signal);
  const cpu = meter.read();

  let first = Infinity;
  let last = 0;
  const latency = new Float64Array(cfg.pods);
  names.forEach((n, i) => {
    const bound = watch.boundAt.get(n) ?? NaN;
    const created = createdAt[i] ?? NaN;
    first = Math.min(first, created);
    last = Math.max(last, bound);
    latency[i] = bound - created;
  });
  latency.sort();

  // Let the scheduler's last bindings be counted in its metrics before reading them.
  await sleep(200, signal);
  const metricsRes = await fetch(`${scheduler.url}/metrics`);
  const metrics = await metricsRes.text();
  const algorithm = histogram(metrics, 'scheduler_scheduling_algorithm_duration_seconds');
  const attempt = histogram(metrics, 'scheduler_scheduling_attempt_duration_seconds', 'result="scheduled"');

  await closeWatch();
  await stopScheduler();
  await removeDir();
  await closeClient();
  await stopServer();
  return {
    backend,
    nodes,
    pods: cfg.pods,
    spanMs: last - first,
    createsPerSec: cfg.pods / creates.seconds,
    latency,
    cpu,
    algorithmMeanMs: algorithm.count > 0 ? (algorithm.sum / algorithm.count) * 1000 : NaN,
    attemptMeanMs: attempt.count > 0 ? (attempt.sum / attempt.count) * 1000 : NaN,
    attempts: attemptCounts(metrics),
    schedulerProblems: scheduler.problems.length,
  };
}

const podsPerSec = (r: Row): number => r.pods / (r.spanMs / 1000);

function cpuMsPerPod(seconds: number | undefined, pods: number): string {
  return seconds === undefined ? '-' : ((seconds * 1000) / pods).toFixed(2);
}

function table(rows: Row[]): string {
  return formatTable(
    ['backend', 'nodes', 'pods', 'pods/s', 'creates/s', 'p50 ms', 'p99 ms', 'algorithm ms', 'attempt ms', 'CPU ms/pod: bench', 'apiserver', 'scheduler', 'etcd', 'attempts s/u/e'],
    rows.map((r) => {
      const [bench, api, sched, etcd] = r.cpu;
      return [
        r.backend,
        String(r.nodes),
        String(r.pods),
        podsPerSec(r).toFixed(0),
        r.createsPerSec.toFixed(0),
        percentile(r.latency, 50).toFixed(0),
        percentile(r.latency, 99).toFixed(0),
        r.algorithmMeanMs.toFixed(3),
        r.attemptMeanMs.toFixed(2),
        cpuMsPerPod(bench, r.pods),
        cpuMsPerPod(api, r.pods),
        cpuMsPerPod(sched, r.pods),
        r.backend === 'etcd' ? cpuMsPerPod(etcd, r.pods) : '-',
        `${r.attempts['scheduled'] ?? 0}/${r.attempts['unschedulable'] ?? 0}/${r.attempts['error'] ?? 0}`,
      ];
    }),
  );
}

/** For a run under 1,000 pods/s: CPU per pod of each process against what 2 s of CPU per second allow. */
function whereTheTimeGoes(r: Row): string[] {
  const names = ['benchmark (creates + watch)', 'API server', 'scheduler', 'etcd'];
  const parts = r.cpu.map((s, i) => ({ name: names[i] ?? '?', ms: s === undefined ? 0 : (s * 1000) / r.pods })).filter((p) => p.ms > 0);
  const total = parts.reduce((a, p) => a + p.ms, 0);
  const budget = (cpus().length * 1000) / podsPerSec(r);
  parts.sort((a, b) => b.ms - a.ms);
  return [
    `${r.backend}, ${r.nodes} nodes: ${podsPerSec(r).toFixed(0)} pods/s (< 1,000). CPU per pod ${total.toFixed(2)} ms across processes against ${budget.toFixed(2)} ms available per pod on ${cpus().length} CPUs at this rate:`,
    ...parts.map((p) => `  ${p.name}: ${p.ms.toFixed(2)} ms/pod (${((100 * p.ms) / total).toFixed(0)}%)`),
    `  the scheduler's own filter+score is ${r.algorithmMeanMs.toFixed(3)} ms/pod; creates alone ran at ${r.createsPerSec.toFixed(0)}/s` +
      (r.createsPerSec < 1000 ? ' — the API server could not take the pods in faster than that' : ''),
  ];
}

async function main(): Promise<number> {
  const cfg = parseArgs(process.argv.slice(2), process.env);
  if (cfg === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const loadBefore = loadavg();
  const busy = (loadBefore[0] ?? 0) > cpus().length / 2;
  if (busy) process.stderr.write(`warning: load average ${(loadBefore[0] ?? 0).toFixed(2)} on ${cpus().length} CPUs; the figures will be noisy\n`);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cleanups = new Cleanups();
  const rows: Row[] = [];
  let failure: unknown;
  try {
    for (const backend of cfg.backends) {
      for (const nodes of cfg.nodes) {
        // A fresh store per run: the previous run's pods and nodes must not count.
        if (backend === 'etcd') {
          process.stderr.write('starting etcd…\n');
          const etcd = await startEtcd();
          const stopEtcd = cleanups.add('etcd', () => etcd.stop());
          rows.push(await runOnce('etcd', `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`, etcd.pid, nodes, cfg, cleanups, interrupted.signal));
          await stopEtcd();
        } else {
          const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-scheduler-db-'));
          const removeDb = cleanups.add('SQLite directory', () => rm(dir, { recursive: true, force: true }));
          rows.push(await runOnce('sqlite', `sqlite://${join(dir, 'state.db')}`, undefined, nodes, cfg, cleanups, interrupted.signal));
          await removeDb();
        }
        const r = rows[rows.length - 1];
        if (r !== undefined) process.stderr.write(`  → ${podsPerSec(r).toFixed(0)} pods/s, p99 ${percentile(r.latency, 99).toFixed(0)} ms\n`);
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

  const out = [
    `scheduler benchmark: ${cfg.pods} pods (100m / 128Mi, one ReplicaSet) onto ${cfg.nodes.join(', ')} nodes (32 cpu, 128Gi, 110 pods each), creates at concurrency ${cfg.concurrency};`,
    'the API server, the scheduler (bin/keelson scheduler) and etcd each in their own process, on one machine',
    `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown cpu'}, load average when started: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    'pods/s: pods ÷ (last binding seen in a watch − first create sent); latency per pod: binding seen − its create sent',
    '',
    table(rows),
    '',
  ];
  for (const r of rows.filter((x) => x.nodes === 1000 && podsPerSec(x) < 1000)) out.push(...whereTheTimeGoes(r), '');
  const problems = rows.reduce((n, r) => n + r.schedulerProblems, 0);
  if (problems > 0) out.push(`the scheduler logged ${problems} warnings/errors (the first ones are above)`, '');
  process.stdout.write(out.join('\n'));
  return 0;
}

runMain(main);
