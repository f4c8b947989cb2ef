// Where pod sandbox time goes: the pod network's ip/iptables commands (timed one by one) and the helper's holder process, each alone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCgroupManager, ImageStore, NativeHelper, PodNetwork } from '@keelson/kubelet';
import { Samples, since } from './stats';

type Runner = NonNullable<ConstructorParameters<typeof PodNetwork>[0]['runner']>;

/** The command's kind without names and addresses: `ip netns add`, `ip link set`, `iptables -S`. */
export function commandKind(file: string, args: readonly string[]): string {
  const base = file.split('/').pop() ?? file;
  if (base.startsWith('iptables')) return [base, ...args.filter((a) => /^-[A-Z]$/.test(a)).slice(0, 1)].join(' ');
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const a = args[i] ?? '';
    if (a === '-n' || a === '-t' || a === '-w') {
      i++;
      continue;
    }
    if (a === '-j') continue;
    words.push(a);
  }
  return [base, ...words].join(' ');
}

/**
 * Times every command a PodNetwork runs, by kind. It wraps the network's own runner in place: the network tells
 * expected failures ("does not exist") from real ones by the runner's own error class, which @keelson/kubelet does not
 * export, so a runner of ours could not stand in for it.
 */
export class CommandTimer {
  readonly byKind = new Map<string, number[]>();

  constructor(network: PodNetwork) {
    const runner = (network as unknown as { runner: Runner }).runner;
    const inner = runner.run.bind(runner);
    runner.run = async (file, args, options) => {
      const t0 = performance.now();
      try {
        return await inner(file, args, options);
      } finally {
        const kind = commandKind(file, args);
        this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), since(t0)]);
      }
    };
  }

  reset(): void {
    this.byKind.clear();
  }
}

export interface SandboxProfile {
  setup: Samples;
  teardown: Samples;
  holder: Samples;
  /** Per command kind during setups and teardowns: calls per operation and mean ms per call. */
  commands: { phase: 'setup' | 'teardown'; kind: string; perOp: number; meanMs: number }[];
}

function summarise(phase: 'setup' | 'teardown', byKind: Map<string, number[]>, ops: number): SandboxProfile['commands'] {
  return [...byKind.entries()]
    .map(([kind, ms]) => ({ phase, kind, perOp: ms.length / ops, meanMs: ms.reduce((a, b) => a + b, 0) / ms.length }))
    .sort((a, b) => b.perOp * b.meanMs - a.perOp * a.meanMs);
}

/**
 * `runs` pod network setups and teardowns on a bridge and iptables chains of their own, timing each command, and
 * between them a sandbox holder (`keelson-helper sandbox`) started into the fresh netns and killed.
 */
export async function profileSandbox(runs: number, cidr: string): Promise<SandboxProfile> {
  const suffix = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-net-'));
  const network = new PodNetwork({ podCIDR: cidr, stateDir: dir, bridgeName: `kbp${suffix}`, chainPrefix: `KBP${suffix}`, localhostHostPorts: false });
  const runner = new CommandTimer(network);
  const helper = new NativeHelper();
  const out: SandboxProfile = { setup: new Samples('pod network setup (netns, veth, IP, route)'), teardown: new Samples('pod network teardown'), holder: new Samples('keelson-helper sandbox (holder)'), commands: [] };
  const setupRunner = new Map<string, number[]>();
  const teardownRunner = new Map<string, number[]>();
  const merge = (into: Map<string, number[]>): void => {
    for (const [k, v] of runner.byKind) into.set(k, [...(into.get(k) ?? []), ...v]);
    runner.reset();
  };
  try {
    await network.ensureNode();
    runner.reset();
    for (let i = 0; i < runs; i++) {
      const id = `${suffix}${String(i).padStart(6, '0')}`;
      let t0 = performance.now();
      const status = await network.setup(id);
      out.setup.add(since(t0));
      merge(setupRunner);
      const state = join(dir, 'holders', id);
      await mkdir(state, { recursive: true });
      t0 = performance.now();
      const pid = await helper.sandbox({ id, stateDir: state, hostname: `bench-${i}`, netnsPath: status.netnsPath, sharePid: false, cgroups: [] });
      out.holder.add(since(t0));
      process.kill(pid, 'SIGKILL');
      t0 = performance.now();
      await network.teardown(id);
      out.teardown.add(since(t0));
      merge(teardownRunner);
    }
  } finally {
    await network.removeNode().catch((e: unknown) => process.stderr.write(`profile: removing the bridge failed: ${(e as Error).message}\n`));
    await rm(dir, { recursive: true, force: true });
  }
  out.commands = [...summarise('setup', setupRunner, runs), ...summarise('teardown', teardownRunner, runs)];
  return out;
}

export interface StartPieces {
  resolve: Samples;
  cgroup: Samples;
}

/**
 * The two pieces of StartContainer besides the helper, each alone: resolving the image in a store of its own (the
 * shim does it in CreateContainer and again in StartContainer), and creating a container cgroup with cpu.shares
 * under a pod cgroup (every v1 hierarchy, cpuset copied down) as the shim's cgroups port does.
 */
export async function profileStartPieces(runs: number, imageArchive: string): Promise<StartPieces> {
  const suffix = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-images-'));
  const out: StartPieces = { resolve: new Samples('ImageStore.resolve (busybox)'), cgroup: new Samples('cgroup create pod/container, cpu.shares') };
  const manager = await createCgroupManager({ root: `keelson-bench-pieces-${suffix}` });
  try {
    const store = await ImageStore.open({ root: dir });
    const [image] = await store.importArchive(imageArchive);
    const ref = image?.names[0] ?? image?.id ?? '';
    await manager.ensureRoot();
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      await store.resolve(ref);
      out.resolve.add(since(t0));
      t0 = performance.now();
      await manager.create(`${manager.root}/besteffort/pod${suffix}/c${i}`, { cpuShares: 2 });
      out.cgroup.add(since(t0));
    }
  } finally {
    await manager.destroy(manager.root);
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

export interface BatchedNetwork {
  setup: Samples;
  teardown: Samples;
}

/** Runs `ip [pre…] -batch -` with `lines` on stdin, from this Node process as the shim runs its commands. */
function ipBatch(pre: string[], lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', [...pre, '-batch', '-'], { timeout: 30_000 }, (err, _out, stderr) => (err ? reject(new Error(`ip ${pre.join(' ')} -batch: ${stderr || err.message}`, { cause: err })) : resolve()));
    child.stdin?.end(`${lines.join('\n')}\n`);
  });
}

/**
 * What the pod network would cost as two `ip -batch` invocations (host side, then inside the netns) instead of one
 * process per step: the same netns, veth pair on a bridge, address, link states and default route; teardown as one.
 */
export async function profileBatchedNetwork(runs: number, cidr: string): Promise<BatchedNetwork> {
  const suffix = randomBytes(3).toString('hex');
  const bridge = `kbq${suffix}`;
  const prefix = cidr.replace(/\.0\/24$/, '');
  const out: BatchedNetwork = { setup: new Samples('same setup as 2 `ip -batch` runs'), teardown: new Samples('same teardown as 1 `ip -batch` run') };
  await ipBatch([], [`link add ${bridge} type bridge`, `addr add ${prefix}.1/24 dev ${bridge}`, `link set ${bridge} up`]);
  const made: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const ns = `kbq-${suffix}-${i}`;
      const veth = `vq${suffix}${String(i).padStart(4, '0')}`;
      let t0 = performance.now();
      made.push(ns);
      await ipBatch([], [`netns add ${ns}`, `link add ${veth} type veth peer name eth0 netns ${ns}`, `link set ${veth} master ${bridge}`, `link set ${veth} up`]);
      await ipBatch(['-n', ns], ['link set lo up', `addr add ${prefix}.${2 + (i % 250)}/24 dev eth0`, 'link set eth0 up', `route add default via ${prefix}.1 dev eth0`]);
      out.setup.add(since(t0));
      t0 = performance.now();
      await ipBatch([], [`link del ${veth}`, `netns del ${ns}`]);
      made.pop();
      out.teardown.add(since(t0));
    }
  } finally {
    for (const ns of made) await ipBatch([], [`netns del ${ns}`]).catch(() => undefined);
    await ipBatch([], [`link del ${bridge}`]);
  }
  return out;
}
