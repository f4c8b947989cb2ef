// CronJob schedules: parsing (five fields or a macro, in spec.timeZone), next/most recent times, missed starts, Job names and timestamps.
import { CronExpressionParser } from 'cron-parser';
import type { CronJob } from '@keelson/api';
import { parseTime } from '../common/time';

/** Why a schedule cannot be used; each is the reason of the Warning event the controller records. */
export type ScheduleErrorReason = 'UnparseableSchedule' | 'UnknownTimeZone' | 'InvalidSchedule';

export class ScheduleError extends Error {
  constructor(
    readonly reason: ScheduleErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** A parsed schedule: times are epoch milliseconds. */
export interface Schedule {
  /** The first scheduled time strictly after `t`. */
  next(t: number): number;
  /** The last scheduled time at or before `t`, if any. */
  latestAtOrBefore(t: number): number | undefined;
  /** The IANA time zone the fields are read in (`UTC` by default). */
  readonly timeZone: string;
}

/** Kubernetes (robfig/cron ParseStandard) macros, as five-field expressions. */
const macros: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const fieldNames = ['minute', 'hour', 'day of month', 'month', 'day of week'];

/**
 * Checks one field holds only what standard cron allows: `*`, `?`, numbers, ranges, steps,
 * lists, and month/day names in their fields. cron-parser also takes `L`, `W`, `#` and `H`,
 * which Kubernetes does not.
 */
function checkField(field: string, index: number): void {
  const names = index === 3 ? monthNames : index === 4 ? dayNames : [];
  for (const part of field.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step))) throw new ScheduleError('UnparseableSchedule', `bad step in the ${fieldNames[index] ?? ''} field: "${part}"`);
    if (range === '*' || range === '?') continue;
    const ends = range.split('-');
    if (ends.length > 2 || ends.some((e) => !/^\d+$/.test(e) && !names.includes(e.toUpperCase()))) {
      throw new ScheduleError('UnparseableSchedule', `bad value in the ${fieldNames[index] ?? ''} field: "${part}"`);
    }
  }
}

/** Throws ScheduleError('UnknownTimeZone') unless `tz` is an IANA zone this runtime knows. */
export function checkTimeZone(tz: string): void {
  // Go's time.LoadLocation takes "Local" too; Kubernetes' validation rejects it, and so do we.
  if (tz === 'Local') throw new ScheduleError('UnknownTimeZone', `invalid timeZone: "${tz}": the controller's local time zone is not allowed`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ScheduleError('UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
  }
}

/**
 * Parses `schedule` as Kubernetes does (cron.ParseStandard): five fields, or `@yearly`,
 * `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. `@every` and
 * six-field (seconds) expressions are rejected, as are `TZ=`/`CRON_TZ=` prefixes (the API
 * server refuses those for new CronJobs: the zone belongs in `spec.timeZone`).
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const tz = timeZone === undefined || timeZone === '' ? 'UTC' : timeZone;
  checkTimeZone(tz);
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) throw new ScheduleError('UnparseableSchedule', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  if (trimmed.startsWith('@every')) throw new ScheduleError('UnparseableSchedule', '"@every" intervals are not supported: use a five-field schedule');
  let expr: string;
  if (trimmed.startsWith('@')) {
    const macro = macros[trimmed];
    if (macro === undefined) throw new ScheduleError('UnparseableSchedule', `unrecognized descriptor: ${trimmed}`);
    expr = macro;
  } else {
    const fields = trimmed.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 5) throw new ScheduleError('UnparseableSchedule', `expected exactly 5 fields, found ${fields.length}: "${trimmed}"`);
    fields.forEach(checkField);
    expr = fields.join(' ');
  }
  const parse = (currentDate: number) => {
    try {
      return CronExpressionParser.parse(expr, { currentDate: new Date(currentDate), tz });
    } catch (e: unknown) {
      throw new ScheduleError('UnparseableSchedule', e instanceof Error ? e.message : String(e));
    }
  };
  // Parse once now so a bad field (minute 61, February 31st) is reported before any use.
  const probe = parse(0);
  try {
    probe.next();
  } catch (e: unknown) {
    throw new ScheduleError('InvalidSchedule', e instanceof Error ? e.message : String(e));
  }
  return {
    timeZone: tz,
    next: (t) => parse(t).next().getTime(),
    latestAtOrBefore: (t) => {
      try {
        return parse(t + 1).prev().getTime();
      } catch {
        // No earlier time within the parser's range.
        return undefined;
      }
    },
  };
}

/** More missed start times than this and the controller warns (TooManyMissedTimes), as Kubernetes does. */
export const maxMissedSchedules = 100;

export interface RecentSchedule {
  /** The time after which schedules count as unmet: lastScheduleTime, creation, or now − startingDeadlineSeconds. */
  earliest: number;
  /** The latest unmet schedule time at or before now, if any. */
  mostRecent: number | undefined;
  /** How many schedule times fell in (earliest, now]; counted exactly up to 101, estimated beyond. */
  missed: number;
}

/**
 * The unmet schedule times of `cj` at `now` (mostRecentScheduleTime): those after the last
 * scheduled time (or the CronJob's creation) and, with `includeStartingDeadline`, no older
 * than startingDeadlineSeconds.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): RecentSchedule {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata?.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = schedule.next(earliest);
  if (now < t1) return { earliest, mostRecent: undefined, missed: 0 };
  let missed = 1;
  let t = t1;
  while (missed <= maxMissedSchedules) {
    t = schedule.next(t);
    if (t > now) break;
    missed++;
  }
  if (missed > maxMissedSchedules) {
    // Too many to walk one by one: estimate from the spacing of the first two, as Kubernetes does.
    const gap = schedule.next(t1) - t1;
    missed = Math.floor((now - t1) / Math.max(gap, 1000)) + 1;
  }
  return { earliest, mostRecent: schedule.latestAtOrBefore(now), missed };
}

/** Kubernetes waits this long past a scheduled time before syncing, so the time has surely come. */
export const nextScheduleDeltaMs = 100;

/** Milliseconds from `now` until the sync that starts the next scheduled Job (nextScheduleTimeDuration). */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: Schedule): number {
  const { earliest, mostRecent } = mostRecentScheduleTime(cj, now, schedule, false);
  return schedule.next(mostRecent ?? earliest) + nextScheduleDeltaMs - now;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: one name per scheduled time, so a Job is never made twice. */
export function jobName(cronJobName: string, scheduledTime: number): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 3339 of `t` in `timeZone` (`Z` for a zero offset), as Go's time.RFC3339 prints it: `2024-05-01T14:00:00+02:00`. */
export function rfc3339In(t: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offsetMin = Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
  const local = new Date(wall).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
