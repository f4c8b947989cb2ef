// Runtime benchmark (issue 7): container start through the shim's gRPC API vs the bare keelson-helper vs runc, and pod sandbox create/teardown with network.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NativeHelper, type ContainerConfigInput, type PodSandboxConfigInput } from '@keelson/kubelet';
import { formatTable, Interrupted, processCpuSeconds, runMain, UsageError } from './harness';
import { decodeRunConfig, type ContainerLaunch } from './runtime/launch';
import { startBenchNode, type BenchNode, type ShimMode } from './runtime/node';
import { crunRefusal, OciBundle } from './runtime/oci';
import { profileBatchedNetwork, profileSandbox, profileStartPieces } from './runtime/profile';
import { sampleHeader, Samples, since } from './runtime/stats';

interface BenchConfig {
  runs: number;
  warmup: number;
  shim: ShimMode;
  runc: boolean;
  /** Where the shim child writes a --cpu-prof profile; undefined: none. */
  profileDir: string | undefined;
  /** Pause before each measured operation, so that each starts from the same quiet kernel state. */
  settleMs: number;
}

const USAGE = `usage: node bench/dist/runtime.js [options]      (as root)

Container start latency through the runtime shim's gRPC API (CreateContainer + StartContainer,
which returns once keelson-helper saw the container's execve succeed), the bare helper
(keelson-helper run spawned with exactly the config the shim wrote) and Debian's runc (run -d) on the same
busybox rootfs; then RunPodSandbox (netns, veth, IP, holder) and its teardown, and a profile of
the sandbox's pieces on their own.

  --runs N        measured runs of each operation (env KEELSON_BENCH_RUNS; default 50)
  --warmup W      unmeasured runs first (env KEELSON_BENCH_WARMUP; default 3)
  --shim M        child (its own process, as the kubelet runs it) or in-process (env KEELSON_BENCH_SHIM; default child)
  --no-runc       skip the runc row
  --profile DIR   run the shim child with --cpu-prof, writing shim-*.cpuprofile into DIR
  --settle-ms MS  pause before each measured operation (env KEELSON_BENCH_SETTLE_MS; default 100): a
                  cgroup move right after another skips the RCU grace period the kernel otherwise waits
                  for (5–15 ms here), so back-to-back operations would flatter whichever runs second;
                  kubelets start containers sporadically, so each operation starts from a quiet state
`;

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const cfg: BenchConfig = { runs: 50, warmup: 3, shim: 'child', runc: true, profileDir: undefined, settleMs: 100 };
  const int = (raw: string, what: string, min: number): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min) throw new UsageError(`${what} must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const mode = (raw: string, what: string): ShimMode => {
    if (raw !== 'child' && raw !== 'in-process') throw new UsageError(`${what} must be child or in-process, got "${raw}"`);
    return raw;
  };
  if (env.KEELSON_BENCH_RUNS) cfg.runs = int(env.KEELSON_BENCH_RUNS, 'KEELSON_BENCH_RUNS', 1);
  if (env.KEELSON_BENCH_WARMUP) cfg.warmup = int(env.KEELSON_BENCH_WARMUP, 'KEELSON_BENCH_WARMUP', 0);
  if (env.KEELSON_BENCH_SHIM) cfg.shim = mode(env.KEELSON_BENCH_SHIM, 'KEELSON_BENCH_SHIM');
  if (env.KEELSON_BENCH_SETTLE_MS) cfg.settleMs = int(env.KEELSON_BENCH_SETTLE_MS, 'KEELSON_BENCH_SETTLE_MS', 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--runs') cfg.runs = int(value(), a, 1);
    else if (a === '--warmup') cfg.warmup = int(value(), a, 0);
    else if (a === '--shim') cfg.shim = mode(value(), a);
    else if (a === '--no-runc') cfg.runc = false;
    else if (a === '--profile') cfg.profileDir = value();
    else if (a === '--settle-ms') cfg.settleMs = int(value(), a, 0);
    else throw new UsageError(`unknown argument "${a}"\n\n${USAGE}`);
  }
  return cfg;
}

function sandboxConfig(node: BenchNode, name: string): PodSandboxConfigInput {
  const uid = `bench-${node.suffix}-${name}`;
  return {
    metadata: { name, uid, namespace: 'bench', attempt: 0 },
    hostname: name,
    logDirectory: join(node.dir, 'logs', `bench_${name}_${uid}`),
    dnsConfig: { servers: [], searches: [], options: [] },
    portMappings: [],
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'bench', 'io.kubernetes.pod.uid': uid },
    annotations: {},
    linux: { cgroupParent: `pod${uid}`, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

/** What the kubelet sends for a BestEffort `sleep` container (kubelet/src/pod/sync.ts). */
function containerConfig(node: BenchNode, pod: string, name: string): ContainerConfigInput {
  return {
    metadata: { name, attempt: 0 },
    image: { image: node.image },
    command: ['sleep', '3600'],
    args: [],
    workingDir: '',
    envs: [{ key: 'KUBERNETES_SERVICE_HOST', value: '10.43.0.1' }],
    mounts: [],
    labels: { 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'bench', 'io.kubernetes.pod.uid': `bench-${node.suffix}-${pod}`, 'io.kubernetes.container.name': name },
    annotations: {},
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: { cpuShares: 2, cpuPeriod: 0, cpuQuota: 0, memoryLimitInBytes: 0, oomScoreAdj: 1000, pidsLimit: 0 },
      securityContext: { capabilities: { addCapabilities: [], dropCapabilities: [] }, privileged: false, supplementalGroups: [], readonlyRootfs: false, allowPrivilegeEscalation: true, seccomp: { profileType: 'RuntimeDefault' } },
    },
  };
}

const settle = (cfg: BenchConfig): Promise<void> => (cfg.settleMs > 0 ? new Promise((resolve) => setTimeout(resolve, cfg.settleMs)) : Promise.resolve());

class ShimCpu {
  private start = 0;
  constructor(private readonly pid: number) {}
  begin(): void {
    this.start = processCpuSeconds(this.pid) ?? NaN;
  }
  end(): number | undefined {
    const now = processCpuSeconds(this.pid);
    return now === undefined || Number.isNaN(this.start) ? undefined : now - this.start;
  }
}

interface StartResult {
  create: Samples;
  start: Samples;
  total: Samples;
  bare: Samples;
  oci: Samples | undefined;
  /** The image's unpacked layer: the rootfs runc gets. */
  rootfs: string;
  /** In-process shim only: NativeHelper.run within StartContainer. */
  inside: Samples | undefined;
}

/** The helper config the shim wrote for a container (`<root>/containers/<id>/state/run.config`). */
async function shimLaunch(node: BenchNode, id: string): Promise<ContainerLaunch> {
  return decodeRunConfig(await readFile(join(node.shimOptions.root, 'containers', id, 'state', 'run.config')));
}

/**
 * Container starts, interleaved so that all three paths see the same background load: per round one
 * CreateContainer+StartContainer through the shim, one spawned keelson-helper run of the config the shim wrote for its first
 * container (fresh directories; the pod cgroup joined, as the shim makes a cgroup per container inside it), and one
 * `runc run -d` on the image's layer. Every container runs `sleep 3600` until all rounds are done.
 */
async function measureStarts(node: BenchNode, sandboxId: string, cfg: BenchConfig, signal: AbortSignal): Promise<StartResult> {
  const create = new Samples('  CreateContainer');
  const start = new Samples('  StartContainer (until execve)');
  const total = new Samples('gRPC CreateContainer+StartContainer');
  const bare = new Samples('bare keelson-helper run (spawned, same config)');
  // The bare helper exec: the binary spawned for each container, as `runc run` would be (no fork server).
  const helper = new NativeHelper({ useForkServer: false });
  const ids: string[] = [];
  const started: { pid: number; stateDir: string }[] = [];
  const base = await mkdtemp(join(tmpdir(), 'keelson-bench-helper-'));
  let bundle: OciBundle | undefined;
  let shimCpu = 0;
  // In-process, the shim's own NativeHelper.run calls are timed too: StartContainer minus them is the shim's overhead.
  const inside = cfg.shim === 'in-process' ? new Samples('  of which helper.run inside the shim') : undefined;
  let timing = false;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back in `finally`, and only ever called with its instance as `this`.
  const original = NativeHelper.prototype.run;
  if (inside !== undefined) {
    NativeHelper.prototype.run = async function timed(this: NativeHelper, launch: ContainerLaunch): Promise<number> {
      const t0 = performance.now();
      try {
        return await original.call(this, launch);
      } finally {
        if (timing) inside.add(since(t0));
      }
    };
  }
  try {
    // The first container gives the template for the bare helper; its start is not measured.
    const first = await node.client.createContainer(sandboxId, containerConfig(node, 'grpc', 'template'));
    ids.push(first);
    await node.client.startContainer(first);
    const template = await shimLaunch(node, first);
    const rootfs = template.lower[0] ?? '';
    const oci = cfg.runc ? new Samples('runc run -d (same busybox rootfs)') : undefined;
    if (cfg.runc) bundle = await OciBundle.create('runc', rootfs, ['sleep', '3600']);

    for (let i = 0; i < cfg.warmup + cfg.runs; i++) {
      if (signal.aborted) throw new Interrupted();
      const measured = i >= cfg.warmup;
      // Through the shim.
      await settle(cfg);
      const cpu0 = processCpuSeconds(node.shimPid) ?? NaN;
      const t0 = performance.now();
      const id = await node.client.createContainer(sandboxId, containerConfig(node, 'grpc', `c${i}`));
      const t1 = performance.now();
      timing = measured;
      await node.client.startContainer(id);
      timing = false;
      const t2 = performance.now();
      shimCpu += measured ? (processCpuSeconds(node.shimPid) ?? NaN) - cpu0 : 0;
      ids.push(id);
      if (measured) {
        create.add(t1 - t0);
        start.add(t2 - t1);
        total.add(t2 - t0);
      }
      // The bare helper.
      const dir = join(base, String(i));
      const launch: ContainerLaunch = {
        ...template,
        id: `bare-${i}`,
        stateDir: join(dir, 'state'),
        upper: join(dir, 'upper'),
        work: join(dir, 'work'),
        rootfs: join(dir, 'rootfs'),
        logPath: join(dir, 'container.log'),
        cgroups: template.cgroups.map((c) => dirname(c)),
      };
      for (const d of [launch.stateDir, launch.upper, launch.work, launch.rootfs]) await mkdir(d, { recursive: true });
      await settle(cfg);
      const t3 = performance.now();
      const pid = await helper.run(launch);
      if (measured) bare.add(since(t3));
      started.push({ pid, stateDir: launch.stateDir });
      // runc.
      if (bundle !== undefined && oci !== undefined) {
        await settle(cfg);
        const t4 = performance.now();
        await bundle.start(`keelson-bench-${process.pid}-${i}`);
        if (measured) oci.add(since(t4));
      }
    }
    total.cpuSeconds = Number.isFinite(shimCpu) ? shimCpu : undefined;
    const st = await node.client.containerStatus(ids[ids.length - 1] ?? '');
    if (st.state !== 'CONTAINER_RUNNING') throw new Error(`the last container is ${st.state}, not running: ${st.reason} ${st.message}`);
    return { create, start, total, bare, oci, rootfs, inside };
  } finally {
    NativeHelper.prototype.run = original;
    for (const id of ids) await node.client.removeContainer(id).catch((e: unknown) => process.stderr.write(`removing container ${id} failed: ${(e as Error).message}\n`));
    for (const s of started) {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await helper.waitExit(s.stateDir, 10_000, 10).catch(() => undefined);
    }
    await bundle?.destroy();
    await rm(base, { recursive: true, force: true });
  }
}

/** RunPodSandbox with network until READY, then StopPodSandbox + RemovePodSandbox. */
async function measureSandboxes(node: BenchNode, cfg: BenchConfig, signal: AbortSignal): Promise<{ run: Samples; teardown: Samples; stop: Samples; remove: Samples }> {
  const run = new Samples('RunPodSandbox → READY (netns, veth, IP, holder)');
  const teardown = new Samples('StopPodSandbox + RemovePodSandbox');
  const stop = new Samples('  StopPodSandbox');
  const remove = new Samples('  RemovePodSandbox');
  const runCpu = new ShimCpu(node.shimPid);
  let runCpuSum = 0;
  let tearCpuSum = 0;
  for (let i = 0; i < cfg.warmup + cfg.runs; i++) {
    if (signal.aborted) throw new Interrupted();
    await settle(cfg);
    runCpu.begin();
    const t0 = performance.now();
    const id = await node.client.runPodSandbox(sandboxConfig(node, `sb${i}`));
    const st = await node.client.podSandboxStatus(id);
    const ms = since(t0);
    const c1 = runCpu.end() ?? NaN;
    await node.track();
    if (st.state !== 'SANDBOX_READY' || (st.network?.ip ?? '') === '') throw new Error(`sandbox ${id} is ${st.state} with IP "${st.network?.ip ?? ''}"`);
    await settle(cfg);
    runCpu.begin();
    const t1 = performance.now();
    await node.client.stopPodSandbox(id);
    const t2 = performance.now();
    await node.client.removePodSandbox(id);
    const tms = since(t1);
    const c2 = runCpu.end() ?? NaN;
    if (i < cfg.warmup) continue;
    run.add(ms);
    teardown.add(tms);
    stop.add(t2 - t1);
    remove.add(tms - (t2 - t1));
    runCpuSum += c1;
    tearCpuSum += c2;
  }
  if (Number.isFinite(runCpuSum)) run.cpuSeconds = runCpuSum;
  if (Number.isFinite(tearCpuSum)) teardown.cpuSeconds = tearCpuSum;
  return { run, teardown, stop, remove };
}

async function main(): Promise<number> {
  const cfg = parseArgs(process.argv.slice(2), process.env);
  if (cfg === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new UsageError('run as root: containers need namespaces, cgroups and mounts');
  const load = loadavg();
  if ((load[0] ?? 0) > cpus().length / 2) process.stderr.write(`warning: load average ${(load[0] ?? 0).toFixed(2)} on ${cpus().length} CPUs; the figures will be noisy\n`);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let node: BenchNode | undefined;
  const rows: Samples[] = [];
  let ratio = NaN;
  let crun: string | undefined;
  let profile: Awaited<ReturnType<typeof profileSandbox>> | undefined;
  try {
    process.stderr.write(`starting a shim (${cfg.shim}) and importing busybox…\n`);
    node = await startBenchNode({ mode: cfg.shim, secondOctet: 251, ...(cfg.profileDir !== undefined ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${cfg.profileDir}`, '--cpu-prof-name=shim-runtime.cpuprofile'] } : {}) });
    const holder = await node.client.runPodSandbox(sandboxConfig(node, 'grpc'));
    await node.track();

    process.stderr.write(`container starts ×${cfg.runs} (gRPC, bare helper${cfg.runc ? ', runc' : ''}, interleaved)…\n`);
    const starts = await measureStarts(node, holder, cfg, interrupted.signal);
    rows.push(starts.total, starts.create, starts.start, ...(starts.inside !== undefined ? [starts.inside] : []), starts.bare, ...(starts.oci !== undefined ? [starts.oci] : []));
    ratio = starts.total.p(50) / starts.bare.p(50);
    if (cfg.runc) crun = await crunRefusal(starts.rootfs);
    await node.client.removePodSandbox(holder);

    process.stderr.write(`pod sandboxes ×${cfg.runs}…\n`);
    const sb = await measureSandboxes(node, cfg, interrupted.signal);
    rows.push(sb.run, sb.teardown, sb.stop, sb.remove);
    process.stderr.write(`profiling the sandbox's pieces ×${cfg.runs}…\n`);
    profile = await profileSandbox(cfg.runs, `10.250.${100 + (parseInt(node.suffix.slice(0, 2), 16) % 100)}.0/24`);
    rows.push(profile.setup, profile.holder, profile.teardown);
    const batched = await profileBatchedNetwork(cfg.runs, `10.248.${100 + (parseInt(node.suffix.slice(2, 4), 16) % 100)}.0/24`);
    rows.push(batched.setup, batched.teardown);
    const pieces = await profileStartPieces(cfg.runs, node.imageArchive);
    rows.push(pieces.resolve, pieces.cgroup);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await node?.destroy();
  }

  const out = [
    `runtime benchmark: ${cfg.runs} runs each after ${cfg.warmup} warm-up, ${cfg.settleMs} ms pause before each; shim ${cfg.shim === 'child' ? 'in its own process' : 'in this process'}; containers run \`sleep 3600\` from a busybox image (BestEffort, RuntimeDefault seccomp)`,
    `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown cpu'}, load average when started: ${load.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    formatTable(sampleHeader, rows.map((r) => r.row())),
    '',
    `gRPC start ÷ bare helper start (p50): ${ratio.toFixed(2)}× (goal ≤ 2×)`,
  ];
  if (crun !== undefined) out.push(`crun: not measured, it refuses this host (cgroup v1 with a cgroup2 hybrid mount): ${crun}`);
  if (profile !== undefined) {
    out.push('', 'pod network commands (each alone, on a bridge of their own):');
    out.push(
      formatTable(
        ['phase', 'command', 'calls/op', 'mean ms/call', 'ms/op'],
        profile.commands.map((c) => [c.phase, c.kind, c.perOp.toFixed(1), c.meanMs.toFixed(2), (c.perOp * c.meanMs).toFixed(2)]),
      ),
    );
  }
  out.push('');
  process.stdout.write(out.join('\n'));
  return 0;
}

runMain(main);
