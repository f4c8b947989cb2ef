// WebSocket streams to pods/exec|attach|portforward: the connection (TLS and auth from the kubeconfig) and the remotecommand channels.
import { readFileSync } from 'node:fs';
import { StatusError, type Status, type StatusReason } from '@keelson/api';
import WebSocket from 'ws';
import type { CommandContext } from '../context';
import { CliError } from '../errors';

/** remotecommand channels (k8s.io/apimachinery/pkg/util/remotecommand): one byte before every binary message. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Offered for exec and attach, best first; v5 can half-close stdin. */
export const remoteCommandProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** The exit code of the Status the server writes on the error channel: 0, the ExitCode cause, or a CliError. */
export function exitCodeFromStatus(raw: string): number {
  let status: Status;
  try {
    status = JSON.parse(raw) as Status;
  } catch {
    throw new CliError(`error executing remote command: unreadable status ${JSON.stringify(raw)}`);
  }
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const n = Number(cause?.message);
    if (Number.isInteger(n)) return n;
  }
  throw new CliError(`error executing remote command: ${status.message ?? 'unknown error'}`);
}

/**
 * Opens a WebSocket to `path` on the API server (paused: call `resume()` once listening) with the kubeconfig's TLS and credentials. A refused upgrade
 * becomes the server's Status as a StatusError (`Error from server (NotFound): …`), as kubectl shows it.
 */
export function openStream(c: CommandContext, path: string, protocols: string[]): Promise<WebSocket> {
  const config = c.config();
  const url = `${config.server.replace(/\/+$/, '').replace(/^http/, 'ws')}${path}`;
  const headers: Record<string, string> = {};
  const auth = config.auth;
  const token = auth.token ?? (auth.tokenFile !== undefined ? readFileSync(auth.tokenFile, 'utf8').trim() : undefined);
  if (token !== undefined && token !== '') headers['Authorization'] = `Bearer ${token}`;
  else if (auth.username !== undefined) headers['Authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  const tls = config.tls;
  const ws = new WebSocket(url, protocols, {
    headers,
    perMessageDeflate: false,
    rejectUnauthorized: !tls.insecureSkipTlsVerify,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
  });
  return new Promise<WebSocket>((resolve, reject) => {
    let refused = false;
    // Paused until the caller has its listeners: frames that came with the 101 answer would otherwise be emitted first.
    ws.once('open', () => {
      ws.pause();
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      refused = true;
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        ws.on('error', () => undefined);
        ws.terminate();
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const s = JSON.parse(body) as Status;
          if (s.kind === 'Status') {
            reject(new StatusError(s.code ?? res.statusCode ?? 500, (s.reason ?? 'InternalError') as StatusReason, s.message ?? body, s.details));
            return;
          }
        } catch {
          // not a Status: reported as text below
        }
        reject(new CliError(`unable to upgrade connection: ${body.trim() !== '' ? body.trim() : `${res.statusCode ?? 0} ${res.statusMessage ?? ''}`}`));
      });
    });
    ws.once('error', (e: Error) => {
      if (!refused) reject(new CliError(`unable to connect to ${url.replace(/\?.*$/, '')}: ${e.message}`));
    });
  });
}

/** A raw byte sink (the terminal) or keelctl's text output. */
export interface Sink {
  write(chunk: Buffer): void;
}

/** A text Output as a byte sink, decoding UTF-8 across chunk boundaries. */
export function textSink(out: { write(s: string): void }): Sink {
  const decoder = new TextDecoder();
  return { write: (b) => out.write(decoder.decode(b, { stream: true })) };
}

export interface TerminalSize {
  width: number;
  height: number;
}

export interface RemoteCommandIO {
  /** Sent on channel 0; its end half-closes stdin (v5). */
  stdin?: NodeJS.ReadableStream | undefined;
  stdout: Sink;
  stderr: Sink;
  /** The terminal's size now, and a way to hear of changes (a tty session). */
  size?: (() => TerminalSize | undefined) | undefined;
  onResize?: ((listener: () => void) => () => void) | undefined;
}

/** Drives an open exec/attach WebSocket to its end; resolves with the remote command's exit code. */
export function runRemoteCommand(ws: WebSocket, io: RemoteCommandIO): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let status: string | undefined;
    const cleanups: (() => void)[] = [];
    const sendResize = (): void => {
      const s = io.size?.();
      if (s !== undefined && ws.readyState === WebSocket.OPEN) ws.send(frame(Channel.resize, JSON.stringify({ Width: s.width, Height: s.height })));
    };
    sendResize();
    if (io.onResize !== undefined) cleanups.push(io.onResize(sendResize));
    if (io.stdin !== undefined) {
      const input = io.stdin;
      const onData = (b: Buffer | string): void => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame(Channel.stdin, typeof b === 'string' ? Buffer.from(b) : b));
      };
      const onEnd = (): void => {
        if (ws.readyState === WebSocket.OPEN && ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([Channel.close, Channel.stdin]));
      };
      input.on('data', onData);
      input.on('end', onEnd);
      cleanups.push(() => {
        input.off('data', onData);
        input.off('end', onEnd);
        input.pause?.();
      });
    }
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (!isBinary || raw.length === 0) return;
      const channel = raw[0];
      const data = raw.subarray(1);
      if (channel === Channel.stdout) io.stdout.write(data);
      else if (channel === Channel.stderr) io.stderr.write(data);
      else if (channel === Channel.error) status = (status ?? '') + data.toString('utf8');
    });
    ws.resume();
    ws.on('close', () => {
      for (const f of cleanups) f();
      if (status === undefined || status === '') resolve(0);
      else {
        try {
          resolve(exitCodeFromStatus(status));
        } catch (e: unknown) {
          reject(e instanceof Error ? e : new CliError(String(e)));
        }
      }
    });
    ws.on('error', (e: Error) => {
      for (const f of cleanups) f();
      reject(new CliError(`error reading the remote command's stream: ${e.message}`));
    });
  });
}
