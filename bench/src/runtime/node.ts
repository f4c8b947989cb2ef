// A throw-away Keelson node for the runtime benchmarks: a shim (own process or in-process) with unique cgroup root, bridge and pod CIDR, busybox imported, all of it removed at the end.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage, RuntimeClient, shimCommand, startShim, type RunningShim, type ShimOptions } from '@keelson/kubelet';

const run = promisify(execFile);

/** Where the shim runs: its own Node process as the kubelet starts it (realistic), or inside the benchmark. */
export type ShimMode = 'child' | 'in-process';

export interface BenchNode {
  /** Temp directory holding everything on disk (shim state, images, logs, kubelet root). */
  dir: string;
  suffix: string;
  shimOptions: ShimOptions & { socket: string; cgroupRoot: string; bridge: string; clusterCIDR: string; podCIDR: string };
  /** The image reference of the imported busybox. */
  image: string;
  /** The busybox OCI archive it was imported from. */
  imageArchive: string;
  client: RuntimeClient;
  /** The process serving the shim's socket (this process in-process). */
  shimPid: number;
  /** Remembers the sandboxes the shim has now, so destroy() can check that their network namespaces went too. */
  track(): Promise<void>;
  /** Removes every sandbox, the bridge, iptables chains, the cgroup root and the directory. Idempotent. */
  destroy(): Promise<void>;
}

/** Named network namespaces of tracked sandboxes that outlived their sandbox: removed, with a warning (a shim bug). */
async function sweepNetns(ids: Set<string>): Promise<void> {
  const left: string[] = [];
  for (const id of ids) {
    const name = `keelson-${id}`;
    if (!(await access(join('/run/netns', name)).then(() => true, () => false))) continue;
    left.push(name);
    await run('ip', ['netns', 'del', name]);
  }
  if (left.length > 0) process.stderr.write(`warning: ${left.length} of ${ids.size} sandboxes left their network namespace behind after removal (removed now): ${left.join(', ')}\n`);
}

export interface NodeOptions {
  mode: ShimMode;
  /** Second octet of 10.X.Y.0/24 pod CIDRs; the third is random, so parallel runs do not collide. */
  secondOctet?: number;
  /** Shim output goes here (child mode); default <dir>/shim.log. */
  log?: string;
  /** Node flags for the shim child, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((done) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      done();
    });
  });
}

/** Starts a shim on fresh, unique names and imports a busybox image built from the host's busybox-static. */
export async function startBenchNode(o: NodeOptions): Promise<BenchNode> {
  const suffix = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-node-'));
  const octet = 100 + (parseInt(suffix.slice(0, 2), 16) % 100);
  const second = o.secondOctet ?? 252;
  const shimOptions = {
    root: join(dir, 'shim'),
    socket: join(dir, 'shim', 'shim.sock'),
    cgroupRoot: `keelson-bench-${suffix}`,
    chainPrefix: `KT${suffix.toUpperCase()}`,
    bridge: `kbb${suffix}`,
    clusterCIDR: `10.${second}.${octet}.0/24`,
    podCIDR: `10.${second}.${octet}.0/24`,
  };
  let child: ChildProcess | undefined;
  let inProcess: RunningShim | undefined;
  let client: RuntimeClient | undefined;
  let destroyed: Promise<void> | undefined;
  const sandboxIds = new Set<string>();
  const track = async (): Promise<void> => {
    if (client === undefined) return;
    for (const sb of await client.listPodSandbox()) sandboxIds.add(sb.id);
  };
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };

  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      await track().catch(() => undefined);
      client?.close();
      if (child !== undefined) {
        child.kill('SIGTERM');
        await waitExit(child, 5000);
        process.removeListener('exit', killOnExit);
      }
      // The shim keeps all its state on disk: an in-process shim on the same root finds every sandbox again and removes it with the node.
      const shim = inProcess ?? (await startShim({ ...shimOptions, socket: join(dir, 'shim', 'cleanup.sock') }));
      try {
        await shim.destroyNode();
      } finally {
        await shim.close();
        await rm(dir, { recursive: true, force: true });
        await sweepNetns(sandboxIds);
      }
    })();
    return destroyed;
  };

  try {
    const image = await buildBusyboxImage({ out: join(dir, 'busybox.tar') });
    let shimPid = process.pid;
    if (o.mode === 'child') {
      await mkdir(shimOptions.root, { recursive: true });
      const log = await open(o.log ?? join(dir, 'shim.log'), 'a');
      // The command the kubelet itself runs a shim with (kubelet/dist/shim/main.js under this Node).
      const [node = process.execPath, main = ''] = shimCommand();
      child = spawn(
        node,
        [...(o.nodeArgs ?? []), main, '--root', shimOptions.root, '--socket', shimOptions.socket, '--cgroup-root', shimOptions.cgroupRoot, '--bridge', shimOptions.bridge, '--chain-prefix', shimOptions.chainPrefix, '--cluster-cidr', shimOptions.clusterCIDR, '--pod-cidr', shimOptions.podCIDR],
        { stdio: ['ignore', log.fd, log.fd] },
      );
      await log.close();
      process.on('exit', killOnExit);
      if (child.pid === undefined) throw new Error('could not start the shim');
      shimPid = child.pid;
      client = new RuntimeClient(shimOptions.socket);
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await client.waitReady(1000);
          await client.version();
          break;
        } catch (e: unknown) {
          if (child.exitCode !== null || Date.now() > deadline) {
            const text = await readFile(o.log ?? join(dir, 'shim.log'), 'utf8').catch(() => '');
            throw new Error(`the shim did not come up: ${(e as Error).message}\n${text}`, { cause: e });
          }
        }
      }
    } else {
      inProcess = await startShim(shimOptions);
      client = new RuntimeClient(shimOptions.socket);
      await client.waitReady(5000);
    }
    const imported = await client.importImage(image.path);
    const ref = imported[0]?.repoTags[0] ?? image.names[0] ?? 'busybox';
    return { dir, suffix, shimOptions, image: ref, imageArchive: image.path, client, shimPid, track, destroy };
  } catch (e: unknown) {
    await destroy().catch(() => undefined);
    throw e;
  }
}
