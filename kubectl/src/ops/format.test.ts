// Durations as kubectl prints them: ages (HumanDuration) and Go's Duration.String().
import { aggregate, goDuration, humanDuration, rfc3339 } from './format';

describe('humanDuration', () => {
  it.each([
    [-5_000, '<invalid>'],
    [-500, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [330_000, '5m30s'],
    [3_600_000, '60m'],
    [3 * 3_600_000 + 60_000, '3h1m'],
    [30 * 3_600_000, '30h'],
    [50 * 3_600_000, '2d2h'],
    [400 * 86_400_000, '400d'],
    [3 * 365 * 86_400_000 + 86_400_000, '3y1d'],
  ])('%d ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('goDuration, aggregate, rfc3339', () => {
  it('print as Go does', () => {
    expect([0, 500, 30_000, 60_000, 90_500, 5_400_000].map(goDuration)).toEqual(['0s', '500ms', '30s', '1m0s', '1m30.5s', '1h30m0s']);
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b'])).toBe('[a, b]');
    expect(rfc3339(Date.parse('2024-05-01T12:00:00.123Z'))).toBe('2024-05-01T12:00:00Z');
  });
});
