// The Kubernetes WebSocket channel protocols: remotecommand (exec/attach, v4/v5.channel.k8s.io) and port-forward framing.

/** Channel numbers of k8s.io/apimachinery/pkg/util/remotecommand: one byte before every binary message. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** What exec and attach speak, best first. v5 adds the close signal (255) that half-closes stdin. */
export const remoteCommandProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type RemoteCommandProtocol = (typeof remoteCommandProtocols)[number];

/** What port-forward speaks: channel pairs (data 2i, error 2i+1), each opened by the port as uint16 little-endian. */
export const portForwardProtocols = ['v4.channel.k8s.io', 'portforward.k8s.io'] as const;

/** The first protocol the client offers that we speak, or undefined. */
export function negotiate<P extends string>(offered: Iterable<string>, supported: readonly P[]): P | undefined {
  for (const o of offered) {
    const hit = supported.find((s) => s === o.trim());
    if (hit !== undefined) return hit;
  }
  return undefined;
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

/** Splits a received binary message into its channel and payload; undefined for an empty message. */
export function unframe(message: Buffer): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0] ?? 0, data: message.subarray(1) };
}

/** A terminal size from a resize message (`{"Width":80,"Height":24}`), or undefined if it is not one. */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width !== 'number' || typeof v.Height !== 'number') return undefined;
    return { width: v.Width, height: v.Height };
  } catch {
    return undefined;
  }
}

/** The metav1.Status written on the error channel when a remote command ends. */
export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** Success for exit code 0; else NonZeroExitCode with the code as the ExitCode cause, as the kubelet writes it. */
export function exitStatus(exitCode: number, command: readonly string[]): ExitStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A failure that is not an exit code (the container vanished, the runtime failed). */
export function errorStatus(message: string): ExitStatus {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError' };
}

/** The exit code an error-channel Status means: 0 for Success, the ExitCode cause, or undefined for other failures. */
export function exitCodeOf(status: ExitStatus): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : undefined;
}

/** The two bytes that open each port-forward channel: the port, little-endian. */
export function portHeader(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port, 0);
  return b;
}
