// A client of `keelson-helper serve`: runs commands from a small long-lived fork server instead of spawning them from this (large) process.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { HelperError } from './errors';

/** How a command ended: status is the exit code, or 128+N when signal N killed it. */
export interface ServedResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ServeOptions {
  /** Bytes for the command's stdin (none: /dev/null). */
  input?: string;
  /** Kill the command (SIGKILL) and reject after this long. */
  timeoutMs?: number;
}

/** The fork server ended or could not be started while a command was in flight. */
export class ForkServerError extends HelperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A command outlived its timeout; it was killed. */
export class ServedTimeoutError extends HelperError {
  constructor(readonly argv: readonly string[], timeoutMs: number) {
    super(`${argv.join(' ')}: no result after ${timeoutMs} ms (killed)`);
  }
}

interface Pending {
  resolve: (r: ServedResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Hex for the wire; "-" stands for the empty string. */
const hex = (s: string): string => (s === '' ? '-' : Buffer.from(s, 'utf8').toString('hex'));
const unhex = (s: string): string => (s === '-' ? '' : Buffer.from(s, 'hex').toString('utf8'));

/**
 * Node's spawn blocks the event loop until the child has exec'd, and forking a process of this size costs several
 * milliseconds each time; `keelson-helper serve` forks in a fraction of that and runs the helper's own modes without
 * an exec. One server per ForkServer, started on first use and again after it ended; it exits when this process
 * does (its stdin closes). While no command is in flight it does not keep this process alive.
 */
export class ForkServer {
  private child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private partial = '';

  constructor(
    private readonly binary: string,
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  /** Runs argv (argv[0] `run`/`sandbox`: that helper mode; else a program found through PATH). */
  run(argv: readonly string[], options: ServeOptions = {}): Promise<ServedResult> {
    if (argv.length === 0 || argv[0] === '') return Promise.reject(new HelperError('fork server: empty command'));
    const child = this.server();
    const id = this.nextId++;
    const line = `${id} ${hex(options.input ?? '')} ${argv.map(hex).join(' ')}\n`;
    return new Promise<ServedResult>((resolve, reject) => {
      const timer =
        options.timeoutMs !== undefined
          ? setTimeout(() => {
              this.settle(id)?.reject(new ServedTimeoutError(argv, options.timeoutMs ?? 0));
              child.stdin.write(`K ${id}\n`);
            }, options.timeoutMs)
          : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.hold();
      child.stdin.write(line);
    });
  }

  /** Ends the server (commands in flight are rejected; containers it started keep running). */
  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child === undefined) return;
    child.stdin.end();
    this.failAll(new ForkServerError('fork server closed'));
  }

  private server(): ChildProcessByStdio<Writable, Readable, null> {
    if (this.child !== undefined) return this.child;
    const child = spawn(this.binary, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'], ...(this.env !== undefined ? { env: this.env } : {}) });
    this.child = child;
    this.partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    const gone = (why: string, cause?: unknown): void => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(new ForkServerError(`fork server ${this.binary} ${why}`, { cause }));
    };
    child.on('error', (e) => gone(`failed: ${e.message}`, e));
    // 'close', not 'exit': answers the server wrote before it ended are read first.
    child.on('close', (code, signal) => gone(`exited (${signal ?? code ?? '?'})`));
    // A write after the server died must not throw from the stream: the 'exit' handler reports it.
    child.stdin.on('error', () => undefined);
    this.release();
    return child;
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const [idText, statusText, out, err] = line.split(' ');
      const p = this.settle(Number(idText));
      if (p === undefined || statusText === undefined || out === undefined || err === undefined) continue;
      p.resolve({ status: Number(statusText), stdout: unhex(out), stderr: unhex(err) });
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (p === undefined) return undefined;
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (this.pending.size === 0) this.release();
    return p;
  }

  private failAll(e: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(e);
  }

  /** While commands are in flight the server's pipes keep this process alive; idle, they do not. */
  private hold(): void {
    this.child?.ref();
    (this.child?.stdout as Socket | undefined)?.ref();
  }

  private release(): void {
    this.child?.unref();
    // The pipe is a net.Socket (stdio 'pipe'); unreferenced, a quiet server does not keep this process running.
    (this.child?.stdout as Socket | undefined)?.unref();
  }
}
