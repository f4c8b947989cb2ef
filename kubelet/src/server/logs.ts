// Reads a container's CRI log file the way `kubectl logs` shows it: prefixes stripped, partial lines joined, tail/since/limit/follow.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Clock } from '@keelson/client';
import { parseCriLogLine } from '../runtime/helper/crilog';

export interface LogOptions {
  /** Keep streaming lines as they are written until the container exits. */
  follow: boolean;
  /** Only the last N lines (undefined or negative = all). */
  tailLines?: number | undefined;
  /** Prefix each line with its RFC3339Nano time. */
  timestamps: boolean;
  /** Only lines logged at or after this time (ms since the epoch). */
  sinceMs?: number | undefined;
  /** Stop after this many bytes of output. */
  limitBytes?: number | undefined;
}

/** One line as the user sees it, complete (partials of its stream joined). */
export interface LogLine {
  timestamp: string;
  stream: 'stdout' | 'stderr';
  content: string;
}

/**
 * Turns CRI log text, fed in arbitrary chunks, into complete lines: a file line is only parsed once its
 * newline arrived, and `P` fragments wait for their stream's `F` line (the first fragment's time is kept).
 */
export class CriLogDecoder {
  private rest = '';
  private readonly pending = new Map<'stdout' | 'stderr', { timestamp: string; content: string }>();

  push(text: string): LogLine[] {
    const out: LogLine[] = [];
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    for (const raw of parts) {
      if (raw === '') continue;
      const l = parseCriLogLine(raw);
      // A line the monitor did not write (a truncated file): skip it rather than fail the whole read.
      if (l === undefined) continue;
      const p = this.pending.get(l.stream);
      const timestamp = p?.timestamp ?? l.timestamp;
      const content = (p?.content ?? '') + l.content;
      if (l.tag === 'P') {
        this.pending.set(l.stream, { timestamp, content });
        continue;
      }
      this.pending.delete(l.stream);
      out.push({ timestamp, stream: l.stream, content });
    }
    return out;
  }

  /** The fragments left when the file ends for good (a container that died mid-line). */
  flush(): LogLine[] {
    const out = this.push('\n');
    for (const [stream, p] of this.pending) out.push({ timestamp: p.timestamp, stream, content: p.content });
    this.pending.clear();
    return out;
  }
}

/** A line as printed: `<time> <text>\n` with timestamps, else `<text>\n`. */
export function formatLogLine(l: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${l.timestamp} ` : ''}${l.content}\n`;
}

/** Keeps lines at or after `sinceMs` (the CRI time has nanoseconds; milliseconds are enough to compare). */
export function selectLines(lines: LogLine[], opts: Pick<LogOptions, 'tailLines' | 'sinceMs'>): LogLine[] {
  let out = lines;
  if (opts.sinceMs !== undefined) {
    const since = opts.sinceMs;
    out = out.filter((l) => Date.parse(l.timestamp) >= since);
  }
  if (opts.tailLines !== undefined && opts.tailLines >= 0) out = opts.tailLines === 0 ? [] : out.slice(-opts.tailLines);
  return out;
}

export interface StreamLogDeps {
  /** Whether the container still runs; following ends once it does not and the file is drained. */
  isRunning: () => Promise<boolean>;
  /** Writes output, resolving when the receiver can take more. */
  write: (text: string) => Promise<void>;
  clock: Clock;
  signal: AbortSignal;
  /** How often a followed file is checked for growth. Default 200 ms. */
  pollMs?: number;
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      t.cancel();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function readFrom(fh: FileHandle, offset: number): Promise<{ text: Buffer; next: number }> {
  const { size } = await fh.stat();
  if (size <= offset) return { text: Buffer.alloc(0), next: offset };
  const buf = Buffer.alloc(size - offset);
  const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
  return { text: buf.subarray(0, bytesRead), next: offset + bytesRead };
}

/**
 * Writes the log at `path` as `kubectl logs` shows it. Without `follow` it ends at the end of the file;
 * with it, it keeps polling for new lines until the container stopped running and the file is drained,
 * or `signal` aborts (the client went away).
 */
export async function streamLog(path: string, opts: LogOptions, deps: StreamLogDeps): Promise<void> {
  let budget = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  const emit = async (lines: LogLine[]): Promise<boolean> => {
    for (const l of lines) {
      if (budget <= 0) return false;
      let text = formatLogLine(l, opts.timestamps);
      let bytes = Buffer.byteLength(text);
      if (bytes > budget) {
        text = Buffer.from(text).subarray(0, budget).toString('utf8');
        bytes = budget;
      }
      budget -= bytes;
      await deps.write(text);
    }
    return budget > 0;
  };
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e: unknown) {
    // A container that never wrote a byte may have no file yet: that is an empty log.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const decoder = new CriLogDecoder();
    const first = await readFrom(fh, 0);
    let offset = first.next;
    const initial = selectLines(decoder.push(first.text.toString('utf8')), opts);
    if (!opts.follow) {
      await emit([...initial, ...selectLines(decoder.flush(), { sinceMs: opts.sinceMs })]);
      return;
    }
    if (!(await emit(initial))) return;
    const poll = deps.pollMs ?? 200;
    while (!deps.signal.aborted) {
      const more = await readFrom(fh, offset);
      if (more.text.length > 0) {
        offset = more.next;
        if (!(await emit(selectLines(decoder.push(more.text.toString('utf8')), { sinceMs: opts.sinceMs })))) return;
        continue;
      }
      // The monitor truncated or replaced the file (log rotation): start again from its beginning.
      const now = await stat(path).catch(() => undefined);
      if (now !== undefined && now.size < offset) offset = 0;
      if (!(await deps.isRunning())) {
        const last = await readFrom(fh, offset);
        offset = last.next;
        await emit(selectLines([...decoder.push(last.text.toString('utf8')), ...decoder.flush()], { sinceMs: opts.sinceMs }));
        return;
      }
      await sleep(deps.clock, poll, deps.signal);
    }
  } finally {
    await fh.close();
  }
}
