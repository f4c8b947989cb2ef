// Parses the CRI container log format the monitor writes: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`.

export interface CriLogLine {
  /** As written, e.g. 2016-10-06T00:17:09.669794202Z. */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  /** F = the line is complete, P = partial (continued by the next line of the stream). */
  tag: 'F' | 'P';
  content: string;
}

const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) (F|P) (.*)$/s;

/** One log line (without its newline), or undefined if it is not in CRI format. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  return { timestamp: m[1] ?? '', stream: m[2] === 'stderr' ? 'stderr' : 'stdout', tag: m[3] === 'P' ? 'P' : 'F', content: m[4] ?? '' };
}

/** Every line of a log file's text; throws on a malformed line. */
export function parseCriLog(text: string): CriLogLine[] {
  const out: CriLogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const l = parseCriLogLine(raw);
    if (l === undefined) throw new Error(`not a CRI log line: ${JSON.stringify(raw)}`);
    out.push(l);
  }
  return out;
}

/** The text each stream printed: partial lines joined to their continuation. */
export function criLogText(lines: readonly CriLogLine[], stream: 'stdout' | 'stderr'): string[] {
  const out: string[] = [];
  let pending = '';
  for (const l of lines) {
    if (l.stream !== stream) continue;
    pending += l.content;
    if (l.tag === 'F') {
      out.push(pending);
      pending = '';
    }
  }
  if (pending !== '') out.push(pending);
  return out;
}
