// CronJob schedules: macros, rejected forms, time zones and DST, missed-start counting, Job names and scheduled timestamps.
import type { CronJob } from '@keelson/api';
import { ScheduleError, jobName, mostRecentScheduleTime, nextScheduleDelay, parseSchedule, rfc3339In } from './schedule';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

function nexts(schedule: string, from: string, n: number, tz?: string): string[] {
  const s = parseSchedule(schedule, tz);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = s.next(t);
    out.push(new Date(t).toISOString());
  }
  return out;
}

function reason(schedule: string, tz?: string): string | undefined {
  try {
    parseSchedule(schedule, tz);
    return undefined;
  } catch (e: unknown) {
    return e instanceof ScheduleError ? `${e.reason}: ${e.message}` : String(e);
  }
}

function cronJob(o: { schedule?: string; created: string; last?: string; deadline?: number }): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'default', creationTimestamp: o.created },
    spec: { schedule: o.schedule ?? '*/1 * * * *', jobTemplate: {}, ...(o.deadline !== undefined ? { startingDeadlineSeconds: o.deadline } : {}) },
    status: o.last !== undefined ? { lastScheduleTime: o.last } : {},
  };
}

describe('parseSchedule', () => {
  it('reads the macros as Kubernetes does', () => {
    expect(nexts('@hourly', '2024-05-01T12:30:00Z', 2)).toEqual(['2024-05-01T13:00:00.000Z', '2024-05-01T14:00:00.000Z']);
    expect(nexts('@daily', '2024-05-01T12:30:00Z', 1)).toEqual(nexts('@midnight', '2024-05-01T12:30:00Z', 1));
    expect(nexts('@daily', '2024-05-01T12:30:00Z', 1)).toEqual(['2024-05-02T00:00:00.000Z']);
    expect(nexts('@weekly', '2024-05-01T12:30:00Z', 1)).toEqual(['2024-05-05T00:00:00.000Z']); // a Sunday
    expect(nexts('@monthly', '2024-05-01T12:30:00Z', 1)).toEqual(['2024-06-01T00:00:00.000Z']);
    expect(nexts('@yearly', '2024-05-01T12:30:00Z', 1)).toEqual(['2025-01-01T00:00:00.000Z']);
    expect(nexts('@annually', '2024-05-01T12:30:00Z', 1)).toEqual(['2025-01-01T00:00:00.000Z']);
  });

  it('takes steps, ranges, lists and names, and ORs day-of-month with day-of-week when both are set', () => {
    expect(nexts('*/15 9-10 * * MON-FRI', '2024-05-03T10:40:00Z', 3)).toEqual(['2024-05-03T10:45:00.000Z', '2024-05-06T09:00:00.000Z', '2024-05-06T09:15:00.000Z']);
    // The 1st and 15th, and every Wednesday.
    expect(nexts('0 0 1,15 * 3', '2024-05-25T00:00:00Z', 3)).toEqual(['2024-05-29T00:00:00.000Z', '2024-06-01T00:00:00.000Z', '2024-06-05T00:00:00.000Z']);
  });

  it('rejects @every, six fields, TZ prefixes, non-standard characters and impossible values with a reason', () => {
    expect(reason('@every 5m')).toMatch(/^UnparseableSchedule: "@every" intervals are not supported/);
    expect(reason('0 */5 * * * *')).toMatch(/^UnparseableSchedule: expected exactly 5 fields, found 6/);
    expect(reason('CRON_TZ=UTC 0 * * * *')).toBe('UnparseableSchedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    expect(reason('TZ=Europe/Berlin 0 * * * *')).toBe('UnparseableSchedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    expect(reason('0 0 L * *')).toMatch(/^UnparseableSchedule: bad value in the day of month field/);
    expect(reason('H * * * *')).toMatch(/^UnparseableSchedule/);
    expect(reason('0 0 * * 1#2')).toMatch(/^UnparseableSchedule/);
    expect(reason('61 * * * *')).toMatch(/^UnparseableSchedule/);
    expect(reason('@fortnightly')).toBe('UnparseableSchedule: unrecognized descriptor: @fortnightly');
    expect(reason('59 23 31 2 *')).toMatch(/^(Invalid|Unparseable)Schedule/);
    expect(reason('0 * * * *', 'Mars/Olympus_Mons')).toMatch(/^UnknownTimeZone: invalid timeZone: "Mars\/Olympus_Mons"/);
    expect(reason('0 * * * *', 'Local')).toMatch(/^UnknownTimeZone/);
    expect(reason('0 * * * *', 'Europe/Berlin')).toBeUndefined();
  });

  it('reads the fields in spec.timeZone', () => {
    // 09:00 in Berlin is 07:00Z in summer, 08:00Z in winter.
    expect(nexts('0 9 * * *', '2024-05-01T12:00:00Z', 1, 'Europe/Berlin')).toEqual(['2024-05-02T07:00:00.000Z']);
    expect(nexts('0 9 * * *', '2024-12-01T12:00:00Z', 1, 'Europe/Berlin')).toEqual(['2024-12-02T08:00:00.000Z']);
  });

  it('runs a daily schedule once on DST days: a skipped local time runs after the jump, a repeated one only the first time', () => {
    // New York springs forward at 02:00 on 2024-03-10: 02:30 does not exist that day.
    expect(nexts('30 2 * * *', '2024-03-09T12:00:00Z', 3, 'America/New_York')).toEqual(['2024-03-10T07:30:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z']);
    // It falls back at 02:00 on 2024-11-03: 01:30 happens twice (05:30Z and 06:30Z).
    expect(nexts('30 1 * * *', '2024-11-02T12:00:00Z', 2, 'America/New_York')).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
    // An hourly schedule keeps running every real hour across the change.
    expect(nexts('0 * * * *', '2024-11-03T04:30:00Z', 3, 'America/New_York')).toEqual(['2024-11-03T05:00:00.000Z', '2024-11-03T06:00:00.000Z', '2024-11-03T07:00:00.000Z']);
  });

  it('finds the latest time at or before an instant', () => {
    const s = parseSchedule('0 9 * * 1-5');
    expect(iso(s.latestAtOrBefore(at('2024-05-06T09:00:00Z')))).toBe('2024-05-06T09:00:00.000Z');
    expect(iso(s.latestAtOrBefore(at('2024-05-06T08:59:59Z')))).toBe('2024-05-03T09:00:00.000Z');
  });
});

describe('mostRecentScheduleTime', () => {
  const every = parseSchedule('*/1 * * * *');

  it('has nothing before the first schedule time after creation', () => {
    const r = mostRecentScheduleTime(cronJob({ created: '2024-05-01T12:00:10Z' }), at('2024-05-01T12:00:50Z'), every, true);
    expect(r).toEqual({ earliest: at('2024-05-01T12:00:10Z'), mostRecent: undefined, missed: 0 });
  });

  it('returns the latest unmet time and counts the missed ones since lastScheduleTime', () => {
    const r = mostRecentScheduleTime(cronJob({ created: '2024-05-01T10:00:00Z', last: '2024-05-01T12:00:00Z' }), at('2024-05-01T12:05:30Z'), every, true);
    expect(iso(r.mostRecent)).toBe('2024-05-01T12:05:00.000Z');
    expect(r.missed).toBe(5);
  });

  it('counts more than 100 missed starts (estimated past 100) unless startingDeadlineSeconds bounds the window', () => {
    const cj = cronJob({ created: '2024-05-01T00:00:00Z' });
    const r = mostRecentScheduleTime(cj, at('2024-05-02T00:00:00Z'), every, true);
    expect(r.missed).toBe(1440);
    expect(iso(r.mostRecent)).toBe('2024-05-02T00:00:00.000Z');
    const bounded = mostRecentScheduleTime({ ...cj, spec: { ...cj.spec!, startingDeadlineSeconds: 200 } }, at('2024-05-02T00:00:00Z'), every, true);
    expect(bounded.missed).toBe(4); // 23:57, 23:58, 23:59, 00:00
    expect(iso(bounded.mostRecent)).toBe('2024-05-02T00:00:00.000Z');
  });

  it('requeues for the next schedule time plus 100 ms', () => {
    const cj = cronJob({ created: '2024-05-01T10:00:00Z', last: '2024-05-01T12:05:00Z' });
    expect(nextScheduleDelay(cj, at('2024-05-01T12:05:20Z'), every)).toBe(40_100);
  });
});

describe('Job names and scheduled timestamps', () => {
  it('names a Job by its scheduled time in minutes since the epoch', () => {
    expect(jobName('backup', at('2024-05-01T12:00:00Z'))).toBe(`backup-${at('2024-05-01T12:00:00Z') / 60_000}`);
    expect(jobName('backup', at('2024-05-01T12:00:00Z'))).toBe('backup-28576080');
  });

  it('prints RFC 3339 in the CronJob time zone, Z for a zero offset', () => {
    expect(rfc3339In(at('2024-05-01T12:00:00Z'), 'UTC')).toBe('2024-05-01T12:00:00Z');
    expect(rfc3339In(at('2024-05-01T12:00:00Z'), 'Europe/Berlin')).toBe('2024-05-01T14:00:00+02:00');
    expect(rfc3339In(at('2024-12-01T12:00:00Z'), 'America/New_York')).toBe('2024-12-01T07:00:00-05:00');
    expect(rfc3339In(at('2024-05-01T12:00:00Z'), 'Asia/Kolkata')).toBe('2024-05-01T17:30:00+05:30');
    expect(rfc3339In(at('2024-12-01T12:00:00Z'), 'Europe/London')).toBe('2024-12-01T12:00:00Z');
  });
});
