// NativeHelper: writes config files, spawns keelson-helper's modes and reads the state files its monitor writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeConfig, execArgs, runEntries, sandboxEntries, type ContainerLaunch, type ExecLaunch, type SandboxLaunch } from './config';
import { HelperError, HelperFailedError, HelperNotBuiltError, HelperTimeoutError } from './errors';
import { ForkServer } from './forkserver';

/** What the monitor wrote when the container ended (`state_dir/exit`). */
export interface ExitInfo {
  exitCode: number;
  /** 0 when the process exited by itself. */
  signal: number;
  startedAt: string;
  finishedAt: string;
}

export interface NativeHelperOptions {
  /** The keelson-helper binary; defaults to kubelet/native/keelson-helper. */
  binary?: string;
  /** Sleeps between polls of state files (injected so tests can drive time). */
  delay?: (ms: number) => Promise<void>;
  /** The helper's environment (default: this process's), e.g. KEELSON_HELPER_TRACE=FILE for a timing trace. */
  env?: NodeJS.ProcessEnv;
  /**
   * Start `sandbox` and `run` through a `keelson-helper serve` fork server (default; shared with others through
   * `forkServer()`), or false: spawn the binary each time, as a bare exec of the helper.
   */
  useForkServer?: boolean;
}

/** kubelet/native/keelson-helper, from src/ (ts-jest) and from dist/ alike. */
export function defaultHelperBinary(): string {
  return path.resolve(__dirname, '../../../native/keelson-helper');
}

const realDelay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

function parsePid(text: string, what: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n <= 0) throw new HelperError(`${what}: not a pid: ${JSON.stringify(text)}`);
  return n;
}

/** Parses `state_dir/exit`; throws on anything but the documented JSON shape. */
export function parseExitInfo(text: string): ExitInfo {
  const v = JSON.parse(text) as Record<string, unknown>;
  const { exitCode, signal, startedAt, finishedAt } = v;
  if (typeof exitCode !== 'number' || typeof signal !== 'number' || typeof startedAt !== 'string' || typeof finishedAt !== 'string') {
    throw new HelperError(`malformed exit record: ${text}`);
  }
  return { exitCode, signal, startedAt, finishedAt };
}

/** The native container helper: one instance per shim. */
export class NativeHelper {
  readonly binary: string;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly server: ForkServer | undefined;

  constructor(options: NativeHelperOptions = {}) {
    this.binary = options.binary ?? defaultHelperBinary();
    this.delay = options.delay ?? realDelay;
    this.env = options.env;
    this.server = options.useForkServer === false ? undefined : new ForkServer(this.binary, this.env);
  }

  /** The fork server this helper starts its modes through, for other commands of the same process (ip, iptables). */
  forkServer(): ForkServer | undefined {
    return this.server;
  }

  /** Ends the fork server, if any (containers and holders it started keep running). */
  close(): void {
    this.server?.close();
  }

  /** Throws HelperNotBuiltError unless the binary exists and is executable. */
  check(): void {
    try {
      accessSync(this.binary, fsConstants.X_OK);
    } catch (e: unknown) {
      throw Object.assign(new HelperNotBuiltError(this.binary), { cause: e });
    }
  }

  /** Starts a sandbox holder; resolves with its host pid once it is set up. */
  async sandbox(launch: SandboxLaunch): Promise<number> {
    const file = path.join(launch.stateDir, 'sandbox.config');
    await writeFile(file, encodeConfig(sandboxEntries(launch)), { mode: 0o600 });
    return parsePid(await this.invoke('sandbox', ['sandbox', '--config', file]), 'keelson-helper sandbox');
  }

  /** Starts a container under its own monitor; resolves with its host pid once it has exec'd. */
  async run(launch: ContainerLaunch): Promise<number> {
    const file = path.join(launch.stateDir, 'run.config');
    await writeFile(file, encodeConfig(runEntries(launch)), { mode: 0o600 });
    return parsePid(await this.invoke('run', ['run', '--config', file]), 'keelson-helper run');
  }

  /** The exit record in `stateDir`, or undefined while the container runs. */
  async exit(stateDir: string): Promise<ExitInfo | undefined> {
    const text = await readOptional(path.join(stateDir, 'exit'));
    return text === undefined ? undefined : parseExitInfo(text);
  }

  /** The container's (or holder's) host pid from `stateDir/pid`. */
  async pid(stateDir: string): Promise<number | undefined> {
    const text = await readOptional(path.join(stateDir, 'pid'));
    return text === undefined ? undefined : parsePid(text, `${stateDir}/pid`);
  }

  /** The monitor's pid (for SIGUSR1 log reopening), or undefined. */
  async monitorPid(stateDir: string): Promise<number | undefined> {
    const text = await readOptional(path.join(stateDir, 'monitor.pid'));
    return text === undefined ? undefined : parsePid(text, `${stateDir}/monitor.pid`);
  }

  /** When the container's process was exec'd (RFC3339Nano). */
  async startedAt(stateDir: string): Promise<string | undefined> {
    return (await readOptional(path.join(stateDir, 'started')))?.trim();
  }

  /** Resolves with the exit record once the monitor has written it. */
  async waitExit(stateDir: string, timeoutMs: number, pollMs = 20): Promise<ExitInfo> {
    for (let waited = 0; ; waited += pollMs) {
      const e = await this.exit(stateDir);
      if (e !== undefined) return e;
      if (waited >= timeoutMs) throw new HelperTimeoutError(`no exit record in ${stateDir} after ${timeoutMs} ms`);
      await this.delay(pollMs);
    }
  }

  /** Spawns a command inside a running container: stdio pipes 0-2, and fd 3 for `COLS ROWS` resize lines when tty. */
  exec(launch: ExecLaunch): ChildProcess {
    this.check();
    return spawn(this.binary, execArgs(launch), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], ...(this.env !== undefined ? { env: this.env } : {}) });
  }

  private async invoke(mode: 'sandbox' | 'run', args: string[]): Promise<string> {
    this.check();
    if (this.server !== undefined) {
      const r = await this.server.run(args);
      if (r.status !== 0) throw new HelperFailedError(mode, r.status, lastLine(r.stderr));
      return r.stdout;
    }
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(this.env !== undefined ? { env: this.env } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c: number | null) => resolve(c));
    });
    if (code !== 0) {
      throw new HelperFailedError(mode, code, lastLine(Buffer.concat(err).toString('utf8')));
    }
    return Buffer.concat(out).toString('utf8');
  }
}
