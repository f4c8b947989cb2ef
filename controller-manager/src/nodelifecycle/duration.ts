// Go-style durations for the command line (--node-monitor-grace-period=40s): `1h2m3.5s`, `500ms`; a bare number is seconds.

/** A duration that does not parse. */
export class DurationError extends Error {
  constructor(text: string) {
    super(`invalid duration "${text}": expected e.g. 40s, 5m, 1h30m, 500ms`);
    this.name = 'DurationError';
  }
}

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string (time.ParseDuration's ms, s, m and h units). */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (t === '' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) throw new DurationError(text);
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? 0);
  return Math.round(total);
}
