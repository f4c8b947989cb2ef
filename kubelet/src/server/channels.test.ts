// Unit: the remotecommand and port-forward channel framing, protocol negotiation and the exit Status.
import { Channel, exitCodeOf, exitStatus, frame, negotiate, parseResize, portHeader, portForwardProtocols, remoteCommandProtocols, unframe } from './channels';

it('prefixes each message with its channel byte and splits it back', () => {
  const f = frame(Channel.stdout, 'hi');
  expect([...f]).toEqual([1, 104, 105]);
  expect(unframe(f)).toEqual({ channel: 1, data: Buffer.from('hi') });
  expect(unframe(Buffer.alloc(0))).toBeUndefined();
  expect([...frame(Channel.close, Buffer.from([Channel.stdin]))]).toEqual([255, 0]);
});

it('picks the first offered protocol it speaks', () => {
  expect(negotiate(['v5.channel.k8s.io', 'v4.channel.k8s.io'], remoteCommandProtocols)).toBe('v5.channel.k8s.io');
  expect(negotiate(['channel.k8s.io', ' v4.channel.k8s.io'], remoteCommandProtocols)).toBe('v4.channel.k8s.io');
  expect(negotiate(['SPDY/3.1+portforward.k8s.io'], portForwardProtocols)).toBeUndefined();
});

it('reads resize messages as client-go writes them', () => {
  expect(parseResize(Buffer.from('{"Width":120,"Height":40}'))).toEqual({ width: 120, height: 40 });
  expect(parseResize(Buffer.from('{"width":1}'))).toBeUndefined();
  expect(parseResize(Buffer.from('nope'))).toBeUndefined();
});

it('reports the exit as the kubelet does: Success, or NonZeroExitCode with an ExitCode cause', () => {
  expect(exitStatus(0, ['true'])).toEqual({ metadata: {}, status: 'Success' });
  const s = exitStatus(3, ['sh', '-c', 'exit 3']);
  expect(s).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  expect(exitCodeOf(s)).toBe(3);
  expect(exitCodeOf({ metadata: {}, status: 'Failure', reason: 'InternalError', message: 'x' })).toBeUndefined();
});

it('opens port-forward channels with the port, little-endian', () => {
  expect([...portHeader(8080)]).toEqual([0x90, 0x1f]);
});
