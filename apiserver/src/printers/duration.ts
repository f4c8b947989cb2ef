// kubectl's AGE format (k8s.io/apimachinery/pkg/util/duration.HumanDuration) and timestamp helpers, against an injected now.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * A duration in milliseconds as kubectl prints it, with two to three significant figures:
 * `45s`, `119s`, `3m12s`, `15m`, `5h2m`, `20h`, `2d3h`, `45d`, `3y120d`, `9y`. Up to a second
 * or two in the future (clock skew) reads `0s`; further is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  // Go converts with int(), which truncates toward zero.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * An RFC 3339 timestamp (metav1.Time or MicroTime) as epoch milliseconds; undefined for a
 * missing, unparseable or zero (`0001-01-01T00:00:00Z`) time, which Go treats as IsZero().
 */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (ts === undefined || ts === null || ts === '') return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms) || ms === Date.parse('0001-01-01T00:00:00Z')) return undefined;
  return ms;
}

/** translateTimestampSince: how long ago `ts` was at `now`, or `<unknown>` for a zero time. */
export function since(ts: string | null | undefined, now: Date): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}
