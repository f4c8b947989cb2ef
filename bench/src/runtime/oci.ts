// Debian's runc (and crun, which this host's hybrid cgroups defeat) starting the same busybox rootfs, for comparison with keelson-helper.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type OciRuntime = 'runc' | 'crun';

interface OciSpec {
  root: { path: string; readonly: boolean };
  process: { args: string[]; terminal: boolean; env: string[] };
  hostname?: string;
}

/** An OCI bundle over `rootfs` (read-only, as the helper's lower layer) running `args`, with a private runtime state root. */
export class OciBundle {
  private constructor(
    readonly runtime: OciRuntime,
    readonly dir: string,
  ) {}

  static async create(runtime: OciRuntime, rootfs: string, args: string[]): Promise<OciBundle> {
    const dir = await mkdtemp(join(tmpdir(), `keelson-bench-${runtime}-`));
    try {
      await run(runtime, ['spec'], { cwd: dir });
      const spec = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as OciSpec;
      spec.root = { path: rootfs, readonly: true };
      spec.process.args = args;
      spec.process.terminal = false;
      await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
      await mkdir(join(dir, 'state'));
      return new OciBundle(runtime, dir);
    } catch (e: unknown) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private global(): string[] {
    return ['--root', join(this.dir, 'state')];
  }

  /** `run -d`: returns once the container process runs (runc start has released it to execve). */
  async start(id: string): Promise<void> {
    // The detached container inherits runc's stdio: a pipe would stay open as long as it runs, so errors go to a file.
    const errFile = join(this.dir, 'run.err');
    const err = await open(errFile, 'w');
    const child = spawn(this.runtime, [...this.global(), 'run', '-d', '--bundle', this.dir, id], { stdio: ['ignore', 'ignore', err.fd] });
    await err.close();
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`${this.runtime} run -d ${id} exited ${String(code)}: ${(await readFile(errFile, 'utf8')).trim()}`);
  }

  /** Kills and deletes the container (its cgroups go with it). */
  async remove(id: string): Promise<void> {
    await run(this.runtime, [...this.global(), 'delete', '-f', id]);
  }

  /** Removes every container left in the state root, then the bundle. */
  async destroy(): Promise<void> {
    try {
      const { stdout } = await run(this.runtime, [...this.global(), 'list', '-q']);
      for (const id of stdout.split('\n').filter((l) => l !== '')) await this.remove(id).catch(() => undefined);
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** Why crun cannot run here (one attempt), or undefined when it can. */
export async function crunRefusal(rootfs: string): Promise<string | undefined> {
  let bundle: OciBundle | undefined;
  try {
    bundle = await OciBundle.create('crun', rootfs, ['true']);
    const id = `keelson-bench-crun-${process.pid}`;
    await bundle.start(id);
    await bundle.remove(id);
    return undefined;
  } catch (e: unknown) {
    return (e as Error).message.split('\n')[0];
  } finally {
    await bundle?.destroy().catch(() => undefined);
  }
}
