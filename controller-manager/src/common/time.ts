// Kubernetes timestamps: RFC 3339 to the second (metav1.Time), parsed back to epoch milliseconds.

/** `2024-01-02T03:04:05Z` for an epoch-milliseconds time, as metav1.Time serialises. */
export function timestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** Epoch milliseconds of a timestamp, or undefined when absent or unparseable. */
export function parseTime(t: string | undefined): number | undefined {
  if (t === undefined || t === '') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}
