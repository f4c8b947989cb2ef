// Shared benchmark plumbing: closed-loop load at a fixed concurrency, percentiles, tables, CPU accounting, ordered cleanup.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** A bad command line: reported without a stack trace, exit 2. */
export class UsageError extends Error {}

/** Ctrl-C or SIGTERM: everything is cleaned up, then the process exits 130. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted; servers, etcd and temporary files removed');
  }
}

export interface LoadResult {
  ops: number;
  seconds: number;
  /** Latency of each operation in milliseconds, sorted ascending. */
  latencies: Float64Array;
}

/**
 * Runs `op(i)` for i in [0, count) with `concurrency` operations in flight, recording each
 * latency. The first failure stops every worker from starting more operations; it is thrown
 * once the ones in flight have settled.
 */
export async function closedLoop(
  count: number,
  concurrency: number,
  signal: AbortSignal,
  op: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies = new Float64Array(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && failure === undefined) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      try {
        await op(i);
      } catch (error: unknown) {
        failure ??= { error };
        return;
      }
      latencies[i] = performance.now() - t0;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - start) / 1000;
  if (failure !== undefined) throw failure.error;
  if (signal.aborted) throw new Interrupted();
  latencies.sort();
  return { ops: count, seconds, latencies };
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

/** A plain-text table: the first column left-aligned, the others right-aligned, a rule under the header. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

const clockTicks = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100; // the Linux default; only used to scale /proc figures
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / clockTicks;
  } catch {
    return undefined; // not Linux, or the process is gone: the column shows "?"
  }
}

/** CPU used by several processes between two points in time. */
export class CpuMeter {
  private readonly start: (number | undefined)[];

  constructor(private readonly pids: readonly (number | undefined)[]) {
    this.start = pids.map((pid) => (pid === undefined ? undefined : processCpuSeconds(pid)));
  }

  /** Seconds of CPU each process used since construction, in the order given. */
  read(): (number | undefined)[] {
    return this.pids.map((pid, i) => {
      const before = this.start[i];
      const now = pid === undefined ? undefined : processCpuSeconds(pid);
      return before === undefined || now === undefined ? undefined : now - before;
    });
  }
}

/**
 * Undo steps run in reverse order of registration; every step runs and every failure is kept.
 * Steps registered while a benchmark runs are removed again when their resource is released
 * early (a server stopped between phases).
 */
export class Cleanups {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];

  /** Registers `run`; the returned function runs it now (once) and unregisters it. */
  add(name: string, run: () => Promise<void>): () => Promise<void> {
    const step = { name, run };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await run();
    };
  }

  async runAll(): Promise<unknown[]> {
    const failures: unknown[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      if (step === undefined) break;
      try {
        await step.run();
      } catch (error: unknown) {
        failures.push(new Error(`cleanup "${step.name}" failed`, { cause: error }));
      }
    }
    return failures;
  }
}

/** Resolves after `ms`, or rejects with Interrupted as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Interrupted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.stack ?? err.message;
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    text += `\n  caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}

/**
 * Runs a benchmark's main and sets the exit code: its result; 2 for a usage error and 130 when interrupted (their
 * message only); 1 for anything else, described with its causes.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError || err instanceof Interrupted) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = err instanceof Interrupted ? 130 : 2;
        return;
      }
      process.stderr.write(`${describeError(err)}\n`);
      if (err instanceof AggregateError) {
        for (const e of err.errors as unknown[]) process.stderr.write(`  caused by: ${describeError(e)}\n`);
      }
      process.exitCode = 1;
    },
  );
}
