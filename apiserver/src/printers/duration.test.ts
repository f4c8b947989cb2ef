// Tests for kubectl's human duration format and timestamp parsing.
import { humanDuration, parseTime, since } from './duration';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [-1 * s, '0s'],
    [-1999, '0s'],
    [-2 * s, '<invalid>'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 12 * s, '3m12s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 2 * m, '5h2m'],
    [7 * h + 59 * m + 59 * s, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [45 * d + 5 * h, '45d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [3 * 365 * d + 120 * d, '3y120d'],
    [8 * 365 * d - h, '7y364d'],
    [8 * 365 * d, '8y'],
    [20 * 365 * d + 200 * d, '20y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('parseTime and since', () => {
  const now = new Date('2024-06-01T12:00:00Z');

  it('measures RFC 3339 times and microsecond times against the injected now', () => {
    expect(since('2024-06-01T11:56:48Z', now)).toBe('3m12s');
    expect(since('2024-06-01T11:59:30.123456Z', now)).toBe('29s');
    expect(since('2024-05-30T09:00:00Z', now)).toBe('2d3h');
  });

  it('treats missing, empty, zero and garbage times as unknown', () => {
    expect(since(undefined, now)).toBe('<unknown>');
    expect(since(null, now)).toBe('<unknown>');
    expect(since('', now)).toBe('<unknown>');
    expect(since('0001-01-01T00:00:00Z', now)).toBe('<unknown>');
    expect(parseTime('yesterday')).toBeUndefined();
  });
});
