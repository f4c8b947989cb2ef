// A small typed command runner (execFile, never a shell) whose errors carry the command, exit code and stderr.
import { execFile } from 'node:child_process';

/** Result of a command that exited 0. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs one external program. Injected so unit tests can record commands instead of running them. */
export interface CommandRunner {
  run(file: string, args: readonly string[], options?: { input?: string }): Promise<CommandResult>;
}

/** A command exited non-zero, was killed, or could not be started. */
export class CommandError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    /** Exit status, or null when killed by a signal or never started. */
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    const where = exitCode === null ? 'failed' : `exited ${exitCode}`;
    super(`${file} ${args.join(' ')} ${where}${stderr.trim() ? `: ${stderr.trim()}` : ''}`, options);
    this.name = 'CommandError';
  }
}

/** Runs commands with child_process.execFile (no shell), with a timeout and a bounded output buffer. */
export class ExecFileRunner implements CommandRunner {
  constructor(private readonly timeoutMs = 30_000) {}

  run(file: string, args: readonly string[], options?: { input?: string }): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        file,
        [...args],
        { timeout: this.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err) {
            const code = typeof err.code === 'number' ? err.code : null;
            reject(new CommandError(file, args, code, stderr || err.message, { cause: err }));
            return;
          }
          resolve({ stdout, stderr });
        },
      );
      if (options?.input !== undefined) child.stdin?.end(options.input);
    });
  }
}

/** Something that runs argv and reports its status and output: `keelson-helper serve` (ForkServer) fits. */
export interface ArgvServer {
  run(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<{ status: number; stdout: string; stderr: string }>;
}

/** Runs commands through a fork server, so this process never forks itself (see ForkServer); same errors as ExecFileRunner. */
export class ServedRunner implements CommandRunner {
  constructor(
    private readonly server: ArgvServer,
    private readonly timeoutMs = 30_000,
  ) {}

  async run(file: string, args: readonly string[], options?: { input?: string }): Promise<CommandResult> {
    let r: { status: number; stdout: string; stderr: string };
    try {
      r = await this.server.run([file, ...args], { ...(options?.input !== undefined ? { input: options.input } : {}), timeoutMs: this.timeoutMs });
    } catch (e: unknown) {
      throw new CommandError(file, args, null, (e as Error).message, { cause: e });
    }
    if (r.status !== 0) throw new CommandError(file, args, r.status > 128 ? null : r.status, r.stderr);
    return { stdout: r.stdout, stderr: r.stderr };
  }
}
