// Pod start-up benchmark (issue 8): a real API server, shim and kubelet; pods bound to the node, create → Running seen by a watch, one at a time and in a burst; kubelet RSS.
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@keelson/api';
import { RestClient } from '@keelson/client';
import { run as runKubelet, type RunningKubelet } from '@keelson/kubelet';
import { CpuMeter, describeError, formatTable, Interrupted, percentile, runMain, UsageError } from './harness';
import type { KubeletChildConfig, KubeletChildMessage } from './kubelet-child';
import { startBenchNode, type BenchNode } from './runtime/node';
import { startApiServer, type ApiServerHandle } from './server';

type Where = 'child' | 'in-process';

interface BenchConfig {
  pods: number;
  warmup: number;
  kubelet: Where;
  relistMs: number | undefined;
  timeoutMs: number;
  profileDir: string | undefined;
}

const USAGE = `usage: node bench/dist/podstartup.js [options]      (as root)

A real API server (its own process, SQLite), the runtime shim (its own process) and the kubelet
(its own process by default, running kubelet run()), busybox imported into the shim. Creates pods
bound to the node (spec.nodeName, \`sleep 3600\`, image present) and times each from just before its
create request to the watch event showing it Running: first one at a time, then all at once.
Prints p50/p99, where the time went (from the shim's own timestamps), and the kubelet's RSS with
all pods running.

  --pods N          pods per phase (env KEELSON_BENCH_PODS; default 50)
  --warmup W        unmeasured pods first (env KEELSON_BENCH_WARMUP; default 2)
  --kubelet M       child (default) or in-process (env KEELSON_BENCH_KUBELET)
  --relist-ms MS    the kubelet's PLEG relist period (default: the kubelet's, 1000)
  --timeout S       seconds a pod may take to run (default 120)
  --profile DIR     run the kubelet and shim children with --cpu-prof, writing {kubelet,shim}-podstartup.cpuprofile into DIR
`;

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const cfg: BenchConfig = { pods: 50, warmup: 2, kubelet: 'child', relistMs: undefined, timeoutMs: 120_000, profileDir: undefined };
  const int = (raw: string, what: string, min: number): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min) throw new UsageError(`${what} must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const where = (raw: string, what: string): Where => {
    if (raw !== 'child' && raw !== 'in-process') throw new UsageError(`${what} must be child or in-process, got "${raw}"`);
    return raw;
  };
  if (env.KEELSON_BENCH_PODS) cfg.pods = int(env.KEELSON_BENCH_PODS, 'KEELSON_BENCH_PODS', 1);
  if (env.KEELSON_BENCH_WARMUP) cfg.warmup = int(env.KEELSON_BENCH_WARMUP, 'KEELSON_BENCH_WARMUP', 0);
  if (env.KEELSON_BENCH_KUBELET) cfg.kubelet = where(env.KEELSON_BENCH_KUBELET, 'KEELSON_BENCH_KUBELET');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--pods') cfg.pods = int(value(), a, 1);
    else if (a === '--warmup') cfg.warmup = int(value(), a, 0);
    else if (a === '--kubelet') cfg.kubelet = where(value(), a);
    else if (a === '--relist-ms') cfg.relistMs = int(value(), a, 1);
    else if (a === '--timeout') cfg.timeoutMs = int(value(), a, 1) * 1000;
    else if (a === '--profile') cfg.profileDir = value();
    else throw new UsageError(`unknown argument "${a}"\n\n${USAGE}`);
  }
  return cfg;
}

/** Wall clock in ms with sub-ms precision, comparable with the shim's Date.now()-based timestamps. */
const wallMs = (): number => performance.timeOrigin + performance.now();
const nanosToMs = (n: string): number => (n === '' || n === '0' ? NaN : Number(BigInt(n) / 1000n) / 1000);

interface KubeletHandle {
  pid: number;
  stop(): Promise<void>;
}

async function startKubeletChild(cfg: KubeletChildConfig, nodeArgs: string[]): Promise<KubeletHandle> {
  const child: ChildProcess = fork(join(__dirname, 'kubelet-child.js'), [JSON.stringify(cfg)], { execArgv: nodeArgs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
    process.removeListener('exit', killOnExit);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the kubelet was not ready within 60 s')), 60_000);
      child.on('message', (m: KubeletChildMessage) => {
        clearTimeout(t);
        if (m.type === 'ready') resolve();
        else reject(new Error(`the kubelet failed to start:\n${m.message}`));
      });
      void exited.then(() => reject(new Error('the kubelet child exited during start-up')));
    });
  } catch (e: unknown) {
    await stop();
    throw e;
  }
  if (child.pid === undefined) throw new Error('the kubelet child has no pid');
  return { pid: child.pid, stop };
}

function startKubeletInProcess(client: RestClient, cfg: KubeletChildConfig): { kubelet: RunningKubelet; handle: KubeletHandle } {
  const abort = new AbortController();
  const kubelet = runKubelet({ client, nodeName: cfg.nodeName, rootDir: cfg.rootDir, runtimeEndpoint: cfg.runtimeEndpoint, podCIDR: cfg.podCIDR, nodeIP: '127.0.0.1', port: 0, bindAddress: '127.0.0.1', logLevel: 'warn', ...(cfg.relistMs !== undefined ? { relistMs: cfg.relistMs } : {}) }, abort.signal);
  return {
    kubelet,
    handle: {
      pid: process.pid,
      stop: async () => {
        abort.abort();
        await kubelet.done.catch(() => undefined);
      },
    },
  };
}

/** Resident set size of a process in MiB (VmRSS), and its peak (VmHWM). */
async function rssMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Watches the namespace's pods; resolves a waiter when its pod is first seen Running with its container running, or gone. */
class PodWatcher {
  private readonly running = new Map<string, number>();
  /** Watch events per pod up to and including the first Running one (ADDED, then the kubelet's status writes). */
  readonly eventsUntilRunning = new Map<string, number>();
  private readonly deleted = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(client: RestClient, namespace: string, resourceVersion: string) {
    const watch = client.resource('v1', 'Pod').namespace(namespace).watch({ resourceVersion, signal: this.abort.signal });
    this.done = (async () => {
      try {
        for await (const ev of watch) {
          const at = wallMs();
          const pod = ev.object;
          const name = pod.metadata?.name ?? '';
          if (ev.type === 'DELETED') {
            this.deleted.set(name, at);
            this.wake(`gone/${name}`);
            continue;
          }
          if (!this.running.has(name)) this.eventsUntilRunning.set(name, (this.eventsUntilRunning.get(name) ?? 0) + 1);
          if (!this.running.has(name) && pod.status?.phase === 'Running' && pod.status.containerStatuses?.every((c) => c.state?.running !== undefined) === true) {
            this.running.set(name, at);
            this.wake(`running/${name}`);
          }
        }
      } catch (e: unknown) {
        if (!this.abort.signal.aborted) throw e;
      }
    })();
    this.done.catch(() => undefined);
  }

  private wake(key: string): void {
    const w = this.waiters.get(key);
    if (w !== undefined) {
      this.waiters.delete(key);
      w();
    }
  }

  private wait(key: string, seen: () => number | undefined, timeoutMs: number, signal: AbortSignal): Promise<number> {
    const already = seen();
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${key}`));
      }, timeoutMs);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(new Interrupted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(key, () => {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        resolve(seen() ?? NaN);
      });
    });
  }

  /** When the pod was first seen Running (wall ms). */
  runningAt(name: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
    return this.wait(`running/${name}`, () => this.running.get(name), timeoutMs, signal);
  }

  goneAt(name: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
    return this.wait(`gone/${name}`, () => this.deleted.get(name), timeoutMs, signal);
  }

  stop(): void {
    this.abort.abort();
  }
}

function podSpec(name: string, nodeName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'podstartup' } },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'sleep', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}

/** One pod's start, in wall ms: from our create request to the watch showing it Running, with the shim's timestamps between. */
interface Start {
  name: string;
  uid: string;
  sent: number;
  running: number;
  /** RunPodSandbox began: the birth time of the sandbox's state directory (coarse kernel clock, ~4 ms). */
  sandboxStarted: number;
  sandboxReady: number;
  containerCreated: number;
  containerStarted: number;
}

interface Phase {
  label: string;
  starts: Start[];
  /** First create sent → last pod Running. */
  wallMs: number;
  cpu: (number | undefined)[];
  kubeletRss: { rss: number; peak: number } | undefined;
  shimRss: { rss: number; peak: number } | undefined;
  /** Delete (grace 1 s) → DELETED seen, per pod. */
  deletes: number[];
  /** Mean watch events per pod until it was Running (the ADDED, then one per status write). */
  events: number;
}

/** Fills in the shim's timestamps: RunPodSandbox began, sandbox record saved, container record created, StartContainer done. */
async function shimTimes(node: BenchNode, starts: Start[]): Promise<void> {
  await node.track();
  const byUid = new Map(starts.map((s) => [s.uid, s]));
  for (const sb of await node.client.listPodSandbox()) {
    const s = byUid.get(sb.labels['io.kubernetes.pod.uid'] ?? '');
    if (s === undefined) continue;
    s.sandboxReady = nanosToMs(sb.createdAt);
    s.sandboxStarted = await stat(join(node.shimOptions.root, 'sandboxes', sb.id)).then(
      (st) => st.birthtimeMs || NaN,
      () => NaN,
    );
  }
  for (const c of await node.client.listContainers()) {
    const s = byUid.get(c.labels['io.kubernetes.pod.uid'] ?? '');
    if (s === undefined) continue;
    const st = await node.client.containerStatus(c.id);
    s.containerCreated = nanosToMs(st.createdAt);
    s.containerStarted = nanosToMs(st.startedAt);
  }
}

const sortedOf = (xs: number[]): Float64Array => Float64Array.from(xs.filter((x) => Number.isFinite(x))).sort();

async function main(): Promise<number> {
  const cfg = parseArgs(process.argv.slice(2), process.env);
  if (cfg === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new UsageError('run as root: the shim needs namespaces, cgroups and mounts');
  const load = loadavg();
  if ((load[0] ?? 0) > cpus().length / 2) process.stderr.write(`warning: load average ${(load[0] ?? 0).toFixed(2)} on ${cpus().length} CPUs; the figures will be noisy\n`);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const signal = interrupted.signal;
  // Every pod of a burst waits on it at once.
  setMaxListeners(0, signal);

  let dbDir: string | undefined;
  let api: ApiServerHandle | undefined;
  let node: BenchNode | undefined;
  let kubelet: KubeletHandle | undefined;
  let client: RestClient | undefined;
  let watcher: PodWatcher | undefined;
  const phases: Phase[] = [];
  try {
    dbDir = await mkdtemp(join(tmpdir(), 'keelson-bench-podstartup-db-'));
    process.stderr.write('starting the API server (sqlite), the shim and the kubelet…\n');
    api = await startApiServer({ storage: `sqlite://${join(dbDir, 'state.db')}`, mode: 'child', nodeArgs: [] });
    client = new RestClient({ config: { server: api.url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'bench' } });
    const prof = (name: string): string[] => (cfg.profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${cfg.profileDir}`, `--cpu-prof-name=${name}-podstartup.cpuprofile`] : []);
    node = await startBenchNode({ mode: 'child', secondOctet: 250, nodeArgs: prof('shim') });
    const nodeName = `bench-${node.suffix}`;
    const kcfg: KubeletChildConfig = {
      server: api.url,
      nodeName,
      rootDir: join(node.dir, 'kubelet'),
      runtimeEndpoint: node.shimOptions.socket,
      podCIDR: node.shimOptions.podCIDR,
      ...(cfg.relistMs !== undefined ? { relistMs: cfg.relistMs } : {}),
    };
    if (cfg.kubelet === 'child') {
      kubelet = await startKubeletChild(kcfg, prof('kubelet'));
    } else {
      const k = startKubeletInProcess(client, kcfg);
      kubelet = k.handle;
      await k.kubelet.ready;
    }
    const pods = client.resource('v1', 'Pod').namespace('default');
    const list = await pods.list();
    watcher = new PodWatcher(client, 'default', list.metadata?.resourceVersion ?? '0');
    const w = watcher;
    const apiPid = api.pid;
    const shimPid = node.shimPid;
    const kubeletPid = kubelet.pid;
    const n = node;

    const startOne = async (name: string): Promise<Start> => {
      const sent = wallMs();
      const created = await pods.create(podSpec(name, nodeName));
      const running = await w.runningAt(name, cfg.timeoutMs, signal);
      return { name, uid: created.metadata?.uid ?? '', sent, running, sandboxStarted: NaN, sandboxReady: NaN, containerCreated: NaN, containerStarted: NaN };
    };
    const deleteAll = async (names: string[]): Promise<number[]> => {
      const t0 = new Map<string, number>();
      await Promise.all(
        names.map(async (name) => {
          t0.set(name, wallMs());
          await pods.delete(name);
        }),
      );
      const gone = await Promise.all(names.map((name) => w.goneAt(name, cfg.timeoutMs, signal)));
      // The kubelet confirms the deletion after the runtime removed the pod; wait until the shim has nothing left.
      for (let i = 0; (await n.client.listPodSandbox()).length > 0; i++) {
        if (i > 600) throw new Error('sandboxes left on the node 60 s after their pods were deleted');
        await new Promise((r) => setTimeout(r, 100));
      }
      return gone.map((at, i) => at - (t0.get(names[i] ?? '') ?? NaN));
    };
    const measure = async (label: string, names: string[], concurrent: boolean): Promise<void> => {
      process.stderr.write(`${label}: ${names.length} pods…\n`);
      const meter = new CpuMeter([apiPid, shimPid, kubeletPid]);
      const t0 = wallMs();
      let starts: Start[] = [];
      if (concurrent) starts = await Promise.all(names.map(startOne));
      else for (const name of names) starts.push(await startOne(name));
      const wall = wallMs() - t0;
      const cpu = meter.read();
      await shimTimes(n, starts);
      const kubeletRss = cfg.kubelet === 'child' ? await rssMiB(kubeletPid) : undefined;
      const shimRss = await rssMiB(shimPid);
      const deletes = await deleteAll(names);
      const events = names.reduce((sum, name) => sum + (w.eventsUntilRunning.get(name) ?? NaN), 0) / names.length;
      phases.push({ label, starts, wallMs: wall, cpu, kubeletRss, shimRss, deletes, events });
    };

    if (cfg.warmup > 0) {
      process.stderr.write(`warm-up: ${cfg.warmup} pods…\n`);
      const names = Array.from({ length: cfg.warmup }, (_, i) => `warmup-${i}`);
      for (const name of names) await startOne(name);
      await n.track();
      await deleteAll(names);
    }
    await measure('one at a time', Array.from({ length: cfg.pods }, (_, i) => `seq-${i}`), false);
    await measure(`burst of ${cfg.pods}`, Array.from({ length: cfg.pods }, (_, i) => `burst-${i}`), true);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    watcher?.stop();
    await kubelet?.stop().catch((e: unknown) => process.stderr.write(`stopping the kubelet failed: ${describeError(e)}\n`));
    await node?.destroy().catch((e: unknown) => process.stderr.write(`removing the node failed: ${describeError(e)}\n`));
    client?.close();
    await api?.stop();
    if (dbDir !== undefined) await rm(dbDir, { recursive: true, force: true });
  }

  process.stdout.write(report(cfg, load, phases));
  return 0;
}

function report(cfg: BenchConfig, load: number[], phases: Phase[]): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const cpuMs = (s: number | undefined, count: number): string => (s === undefined ? '?' : ((s * 1000) / count).toFixed(1));
  const rows = phases.map((p) => {
    const lat = sortedOf(p.starts.map((s) => s.running - s.sent));
    const del = sortedOf(p.deletes);
    return [
      p.label,
      String(lat.length),
      f(percentile(lat, 50)),
      f(percentile(lat, 90)),
      f(percentile(lat, 99)),
      f(lat[lat.length - 1] ?? NaN),
      (p.wallMs / 1000).toFixed(2),
      cpuMs(p.cpu[0], p.starts.length),
      cpuMs(p.cpu[1], p.starts.length),
      cpuMs(p.cpu[2], p.starts.length),
      p.kubeletRss === undefined ? 'in-process' : `${p.kubeletRss.rss.toFixed(0)} (${p.kubeletRss.peak.toFixed(0)})`,
      p.shimRss === undefined ? '?' : p.shimRss.rss.toFixed(0),
      f(percentile(del, 50)),
      p.events.toFixed(1),
    ];
  });
  const parts = phases.map((p) => {
    const seg = (a: (s: Start) => number, b: (s: Start) => number): string => f(percentile(sortedOf(p.starts.map((s) => b(s) - a(s))), 50));
    return [
      p.label,
      seg((s) => s.sent, (s) => s.sandboxStarted),
      seg((s) => s.sandboxStarted, (s) => s.sandboxReady),
      seg((s) => s.sandboxReady, (s) => s.containerCreated),
      seg((s) => s.containerCreated, (s) => s.containerStarted),
      seg((s) => s.containerStarted, (s) => s.running),
      seg((s) => s.sent, (s) => s.running),
    ];
  });
  const seq = phases[0];
  const seqLat = seq === undefined ? new Float64Array() : sortedOf(seq.starts.map((s) => s.running - s.sent));
  return [
    `pod start-up benchmark: ${cfg.pods} pods (busybox \`sleep 3600\`, image present, spec.nodeName set) per phase, after ${cfg.warmup} warm-up;`,
    `API server (sqlite), shim and kubelet ${cfg.kubelet === 'child' ? 'each in their own process' : '(kubelet in this process)'}; relist ${cfg.relistMs ?? 1000} ms`,
    `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown cpu'}, load average when started: ${load.map((l) => l.toFixed(2)).join(' ')}`,
    'latency per pod: create request sent → first watch event with phase Running and its container running',
    '',
    formatTable(['phase', 'pods', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'wall s', 'CPU ms/pod: apiserver', 'shim', 'kubelet', 'kubelet RSS MiB (peak)', 'shim RSS MiB', 'delete→gone p50 ms', 'events until Running'], rows),
    '',
    `goal: p50 ≤ 150 ms, p99 ≤ 500 ms (one at a time: p50 ${f(percentile(seqLat, 50))} ms, p99 ${f(percentile(seqLat, 99))} ms)`,
    '',
    'where the time goes (p50 of each segment; the middle timestamps are the shim\'s own records):',
    formatTable(['phase', 'create → RunPodSandbox', 'RunPodSandbox', 'sandbox → container created', 'created → started', 'started → Running seen', 'total'], parts),
    '  create → RunPodSandbox: API create, watch to the kubelet, its queue, listing the runtime, the gRPC call reaching the shim',
    '  RunPodSandbox: cgroup, netns, veth, IP, route, the holder process, until its record is saved',
    '  sandbox → container created: PodSandboxStatus, volumes, image status, env, CreateContainer',
    '  created → started: the rest of CreateContainer and StartContainer (until the helper saw execve)',
    '  started → Running seen: ContainerStatus, the kubelet re-listing the runtime, the status write, the watch to us',
    '',
  ].join('\n');
}

runMain(main);
