// Unit: keelctl's reading of the remote command's final Status and its port-forward port specs.
import { CliError } from '../errors';
import { parsePortPair } from '../commands/port-forward';
import { exitCodeFromStatus, frame } from './stream';

it('maps the error-channel Status to an exit code', () => {
  expect(exitCodeFromStatus('{"metadata":{},"status":"Success"}')).toBe(0);
  expect(exitCodeFromStatus(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '42' }] } }))).toBe(42);
  expect(() => exitCodeFromStatus(JSON.stringify({ status: 'Failure', reason: 'InternalError', message: 'container gone' }))).toThrow(new CliError('error executing remote command: container gone'));
});

it('frames with the channel byte first', () => {
  expect([...frame(4, '{}')]).toEqual([4, 123, 125]);
});

it('parses LOCAL:REMOTE port specs as kubectl does', () => {
  expect(parsePortPair('8080:80')).toEqual({ local: 8080, remote: 80 });
  expect(parsePortPair('5000')).toEqual({ local: 5000, remote: 5000 });
  expect(parsePortPair(':80')).toEqual({ local: 0, remote: 80 });
  expect(() => parsePortPair('80:0')).toThrow(/remote port/);
  expect(() => parsePortPair('a:b:c')).toThrow(/invalid port format/);
});
