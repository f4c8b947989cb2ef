// Unit: CRI log decoding (prefixes, partial lines, chunking), tail/since selection, limit-bytes and follow over a real temp file.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Clock } from '@keelson/client';
import { CriLogDecoder, formatLogLine, selectLines, streamLog, type LogOptions } from './logs';

const t = (s: number): string => `2024-05-01T10:00:0${s}.123456789Z`;
const cri = (s: number, stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string): string => `${t(s)} ${stream} ${tag} ${text}\n`;

describe('CriLogDecoder', () => {
  it('strips the prefix and joins partial lines per stream, keeping the first fragment time', () => {
    const d = new CriLogDecoder();
    const lines = d.push(cri(1, 'stdout', 'P', 'hel') + cri(2, 'stderr', 'F', 'oops') + cri(3, 'stdout', 'F', 'lo world'));
    expect(lines).toEqual([
      { timestamp: t(2), stream: 'stderr', content: 'oops' },
      { timestamp: t(1), stream: 'stdout', content: 'hello world' },
    ]);
  });

  it('waits for the newline of a line split across reads, and flushes a dangling partial at the end', () => {
    const d = new CriLogDecoder();
    const whole = cri(1, 'stdout', 'F', 'first') + cri(2, 'stdout', 'P', 'no newline');
    expect(d.push(whole.slice(0, 20))).toEqual([]);
    expect(d.push(whole.slice(20)).map((l) => l.content)).toEqual(['first']);
    expect(d.flush().map((l) => l.content)).toEqual(['no newline']);
  });
});

describe('selection and formatting', () => {
  const lines = [1, 2, 3, 4].map((s) => ({ timestamp: t(s), stream: 'stdout' as const, content: `l${s}` }));
  it('keeps the last N lines, none for 0, all for a negative N', () => {
    expect(selectLines(lines, { tailLines: 2 }).map((l) => l.content)).toEqual(['l3', 'l4']);
    expect(selectLines(lines, { tailLines: 0 })).toEqual([]);
    expect(selectLines(lines, { tailLines: -1 })).toHaveLength(4);
  });
  it('keeps lines at or after sinceMs', () => {
    expect(selectLines(lines, { sinceMs: Date.parse(t(3)) }).map((l) => l.content)).toEqual(['l3', 'l4']);
  });
  it('prefixes the RFC3339Nano time with timestamps', () => {
    expect(formatLogLine(lines[0]!, true)).toBe(`${t(1)} l1\n`);
    expect(formatLogLine(lines[0]!, false)).toBe('l1\n');
  });
});

describe('streamLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'keelson-logs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const immediate: Clock = { now: () => Date.now(), setTimer: (_ms, fn) => { const h = setImmediate(fn); return { cancel: () => clearImmediate(h) }; } };

  async function read(file: string, opts: Partial<LogOptions>, isRunning: () => Promise<boolean> = () => Promise.resolve(false), onWrite?: (s: string) => void): Promise<string> {
    let out = '';
    await streamLog(file, { follow: false, timestamps: false, ...opts }, {
      clock: immediate,
      signal: new AbortController().signal,
      isRunning,
      write: async (s) => {
        out += s;
        onWrite?.(s);
      },
    });
    return out;
  }

  it('reads a whole file, honours tail and limitBytes, and treats a missing file as empty', async () => {
    const f = path.join(dir, '0.log');
    writeFileSync(f, cri(1, 'stdout', 'F', 'a') + cri(2, 'stderr', 'F', 'b') + cri(3, 'stdout', 'F', 'c'));
    expect(await read(f, {})).toBe('a\nb\nc\n');
    expect(await read(f, { tailLines: 1 })).toBe('c\n');
    expect(await read(f, { limitBytes: 3 })).toBe('a\nb');
    expect(await read(path.join(dir, 'missing.log'), {})).toBe('');
  });

  it('follows lines appended later and ends once the container stopped and the file is drained', async () => {
    const f = path.join(dir, '0.log');
    writeFileSync(f, cri(1, 'stdout', 'F', 'early'));
    let alive = true;
    let polls = 0;
    const out = await read(f, { follow: true, tailLines: 5 }, async () => {
      polls += 1;
      if (polls === 3) appendFileSync(f, cri(2, 'stdout', 'F', 'late'));
      if (polls === 6) {
        appendFileSync(f, cri(3, 'stdout', 'F', 'last words'));
        alive = false;
      }
      return alive;
    });
    expect(out).toBe('early\nlate\nlast words\n');
  });
});
