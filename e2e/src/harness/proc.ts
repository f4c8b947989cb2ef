// Processes for the e2e harness: run a command to completion, start a long-running daemon in its own process group, find and kill process trees.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';

/** A command exited non-zero (or could not run); carries its output for the test report. */
export class CommandFailedError extends Error {
  readonly command: string;
  readonly code: number | string | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(command: string, code: number | string | null, stdout: string, stderr: string, options?: { cause?: unknown }) {
    super(`${command} failed (${String(code)}): ${(stderr.trim() || stdout.trim()).slice(-2000)}`, options);
    this.name = 'CommandFailedError';
    this.command = command;
    this.code = code;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs a command to completion; rejects with CommandFailedError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err === null) resolve({ stdout, stderr });
        else reject(new CommandFailedError(command, (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null, stdout, stderr, { cause: err }));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Synchronous variant for cleanups that must finish before the process exits; never throws. */
export function runSyncQuiet(cmd: string, args: readonly string[], timeoutMs = 60_000): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** A long-running child in its own process group, its output appended to a log file. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code or signal once the leader exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group, at once. */
  kill(): void;
}

export function startDaemon(name: string, cmd: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  const fd = openSync(logFile, 'a');
  // detached: a process group of its own, so the whole tree under it can be signalled.
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => {
      done = true;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  };
  return {
    name,
    pid,
    logFile,
    exited,
    hasExited: () => done,
    kill: () => signalGroup('SIGKILL'),
    stop: async (graceMs = 15_000) => {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
      // Stragglers of the group (children that ignored SIGTERM) go too.
      signalGroup('SIGKILL');
    },
  };
}

/** Pids of processes whose command line contains `needle` (a unique temp path of ours, never a program name). */
export function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.split('\0').some((a) => a.includes(needle))) out.push(pid);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** SIGKILLs every process whose command line contains `needle`. */
export function killWithArg(needle: string): number {
  const pids = pidsWithArg(needle);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a value (not undefined), or throws with the last error after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`, { cause: last });
    }
    await sleep(everyMs);
  }
}
