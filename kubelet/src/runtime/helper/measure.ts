// Benchmark script: median wall time of `keelson-helper run` of /bin/true until its exit record vs `crun run` on the same rootfs.
// Run as root: npx ts-node kubelet/src/runtime/helper/measure.ts [runs]  (or node on the compiled dist/ file).
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HelperHarness, makeContainerDirs, removeSharedBusyboxLayer, sharedBusyboxLayer } from '../testing';

const run = promisify(execFile);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function measureHelper(h: HelperHarness, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { launch } = await h.launch({ args: ['/bin/true'], logPath: '' });
    const t0 = process.hrtime.bigint();
    await h.helper.run(launch);
    await h.helper.waitExit(launch.stateDir, 10000, 1);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await h.cleanup();
  return times;
}

/** `crun run` (or `runc run` when crun refuses this host: it rejects cgroup v1/v2 hybrid setups). */
async function measureOci(runtime: 'crun' | 'runc', runs: number): Promise<number[]> {
  const lower = await sharedBusyboxLayer();
  const bundle = await makeContainerDirs('keelson-crun-');
  try {
    await run('crun', ['spec'], { cwd: bundle.base }); // runc reads the same OCI config.json
    const spec = JSON.parse(await readFile(path.join(bundle.base, 'config.json'), 'utf8')) as {
      root: { path: string; readonly: boolean };
      process: { args: string[]; terminal: boolean };
    };
    spec.root = { path: lower, readonly: true };
    spec.process.args = ['/bin/true'];
    spec.process.terminal = false;
    await writeFile(path.join(bundle.base, 'config.json'), JSON.stringify(spec));
    await mkdir(path.join(bundle.base, 'crun-root'), { recursive: true });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const global = runtime === 'crun' ? ['--cgroup-manager=disabled'] : [];
      await run(runtime, [...global, '--root', path.join(bundle.base, 'crun-root'), 'run', '--bundle', bundle.base, `keelson-bench-${process.pid}-${i}`]);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return times;
  } finally {
    await rm(bundle.base, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 50);
  const h = new HelperHarness();
  try {
    const helper = await measureHelper(h, runs);
    let runtime: 'crun' | 'runc' = 'crun';
    let oci: number[];
    try {
      oci = await measureOci('crun', runs);
    } catch (e: unknown) {
      console.log(`crun failed (${String((e as { stderr?: string }).stderr ?? e).trim()}); measuring runc instead`);
      runtime = 'runc';
      oci = await measureOci('runc', runs);
    }
    console.log(`runs=${runs}`);
    console.log(`keelson-helper run /bin/true until exit: median ${median(helper).toFixed(2)} ms (min ${Math.min(...helper).toFixed(2)})`);
    console.log(`${runtime} run /bin/true:                      median ${median(oci).toFixed(2)} ms (min ${Math.min(...oci).toFixed(2)})`);
  } finally {
    await h.cleanup();
    await removeSharedBusyboxLayer();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
