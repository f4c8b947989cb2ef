// Unit: parsing CRI log lines (F/P tags, streams, RFC3339Nano) and joining partial lines.
import { criLogText, parseCriLog, parseCriLogLine } from './crilog';

test('parses a full line', () => {
  expect(parseCriLogLine('2016-10-06T00:17:09.669794202Z stdout F hello world')).toEqual({
    timestamp: '2016-10-06T00:17:09.669794202Z', stream: 'stdout', tag: 'F', content: 'hello world',
  });
  expect(parseCriLogLine('2016-10-06T00:17:09.669794202Z stderr P ')?.content).toBe('');
});

test('rejects lines that are not CRI format', () => {
  expect(parseCriLogLine('hello')).toBeUndefined();
  expect(parseCriLogLine('2016-10-06T00:17:09Z stdin F x')).toBeUndefined();
  expect(() => parseCriLog('2016-10-06T00:17:09Z stdout F ok\ngarbage\n')).toThrow(/not a CRI log line/);
});

test('joins partial lines per stream', () => {
  const lines = parseCriLog(
    ['2016-10-06T00:17:09.1Z stdout P ab', '2016-10-06T00:17:09.2Z stderr F e', '2016-10-06T00:17:09.3Z stdout F cd', '2016-10-06T00:17:09.4Z stdout P tail', ''].join('\n'),
  );
  expect(criLogText(lines, 'stdout')).toEqual(['abcd', 'tail']);
  expect(criLogText(lines, 'stderr')).toEqual(['e']);
});
