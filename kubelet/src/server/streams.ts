// exec, attach and port-forward over WebSocket: the Kubernetes channel protocols bridged to the shim's Exec, the CRI log and pod TCP ports.
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Clock } from '@keelson/client';
import type { WebSocket } from 'ws';
import type { Logger as WinstonLogger } from 'winston';
import type { RuntimeClient } from '../shim/client';
import { Channel, errorStatus, exitStatus, frame, parseResize, portHeader, unframe, type ExitStatus, type RemoteCommandProtocol } from './channels';
import { CriLogDecoder } from './logs';

/** Chunks pushed by one side and consumed as an async iterable by the other; `end()` finishes it. */
export class ChunkQueue implements AsyncIterable<Buffer> {
  private readonly items: Buffer[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(chunk: Buffer): void {
    if (this.ended) return;
    this.items.push(chunk);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function send(ws: WebSocket, channel: number, data: Buffer | string): void {
  if (ws.readyState === ws.OPEN) ws.send(frame(channel, data));
}

/** Writes the final Status on the error channel and closes the WebSocket normally once it is flushed. */
function finish(ws: WebSocket, status: ExitStatus): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(Channel.error, JSON.stringify(status)), () => ws.close(1000));
}

/** Dispatches the client's frames: stdin data, resize, and (v5) the close signal for stdin. */
function onClientFrames(ws: WebSocket, protocol: RemoteCommandProtocol, h: { stdin: (b: Buffer) => void; closeStdin: () => void; resize: (w: number, h: number) => void }): void {
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const m = unframe(raw);
    if (m === undefined) return;
    if (m.channel === Channel.stdin) h.stdin(m.data);
    else if (m.channel === Channel.resize) {
      const size = parseResize(m.data);
      if (size !== undefined) h.resize(size.width, size.height);
    } else if (m.channel === Channel.close && protocol === 'v5.channel.k8s.io' && m.data[0] === Channel.stdin) h.closeStdin();
  });
}

/** exec: the shim's streaming Exec, its output on channels 1/2, the exit as a Status on channel 3. */
export function serveExec(ws: WebSocket, protocol: RemoteCommandProtocol, runtime: RuntimeClient, containerId: string, command: string[], o: StreamOptions, logger: WinstonLogger): void {
  const stdin = o.stdin ? new ChunkQueue() : undefined;
  const stream = runtime.exec({
    containerId,
    cmd: command,
    tty: o.tty,
    ...(stdin !== undefined ? { stdin } : {}),
    onStdout: (b) => (o.stdout ? send(ws, Channel.stdout, b) : undefined),
    onStderr: (b) => (o.stderr || o.tty ? send(ws, o.tty ? Channel.stdout : Channel.stderr, b) : undefined),
  });
  onClientFrames(ws, protocol, {
    stdin: (b) => stdin?.push(b),
    closeStdin: () => stdin?.end(),
    resize: (w, h) => (o.tty ? stream.resize(w, h) : undefined),
  });
  ws.on('close', () => {
    stdin?.end();
    stream.cancel();
  });
  stream.exitCode.then(
    (code) => finish(ws, exitStatus(code, command)),
    (e: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      logger.warn('exec failed', { container: containerId, error: (e as Error).message });
      finish(ws, errorStatus((e as Error).message));
    },
  );
}

export interface AttachDeps {
  runtime: RuntimeClient;
  clock: Clock;
  logger: WinstonLogger;
  /** Whether the container's spec asked for stdin (it then has a stdin fifo). */
  containerStdin: boolean;
  pollMs?: number;
}

/**
 * attach: the container's output from the current end of its CRI log (attach shows what is printed from now on),
 * stdin through the monitor's fifo at `<dir>/state/stdin`; ends with Success when the container stops.
 */
export async function serveAttach(ws: WebSocket, protocol: RemoteCommandProtocol, containerId: string, o: StreamOptions, d: AttachDeps): Promise<void> {
  const status = await d.runtime.containerStatus(containerId);
  let fifo: FileHandle | undefined;
  if (o.stdin && d.containerStdin) {
    const info = await d.runtime.containerInfo(containerId);
    const dir = info['dir'];
    // The monitor holds the fifo open for reading while the container runs, so a write open does not block.
    if (dir !== undefined) fifo = await open(path.join(dir, 'state', 'stdin'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).catch(() => undefined);
  }
  let writes = Promise.resolve();
  const closeFifo = (): void => {
    const f = fifo;
    fifo = undefined;
    if (f !== undefined) writes = writes.then(() => f.close()).catch(() => undefined);
  };
  onClientFrames(ws, protocol, {
    stdin: (b) => {
      const f = fifo;
      if (f !== undefined) writes = writes.then(async () => void (await f.write(b))).catch((e: unknown) => void d.logger.debug('attach stdin write failed', { error: (e as Error).message }));
    },
    // The monitor ends the container's stdin when its writer closes (StdinOnce).
    closeStdin: closeFifo,
    resize: () => undefined,
  });
  let open_ = true;
  ws.on('close', () => {
    open_ = false;
    closeFifo();
  });

  const fh = await open(status.logPath, 'r').catch(() => undefined);
  let offset = fh !== undefined ? (await fh.stat()).size : 0;
  const decoder = new CriLogDecoder();
  try {
    while (open_) {
      if (fh !== undefined) {
        const { size } = await fh.stat();
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          offset += bytesRead;
          for (const l of decoder.push(buf.subarray(0, bytesRead).toString('utf8'))) {
            const toStdout = l.stream === 'stdout' || o.tty;
            if (toStdout ? o.stdout : o.stderr) send(ws, toStdout ? Channel.stdout : Channel.stderr, `${l.content}\n`);
          }
          continue;
        }
      }
      const st = await d.runtime.containerStatus(containerId).catch(() => undefined);
      if (st?.state !== 'CONTAINER_RUNNING') {
        finish(ws, { metadata: {}, status: 'Success' });
        return;
      }
      await new Promise<void>((resolve) => d.clock.setTimer(d.pollMs ?? 100, resolve));
    }
  } finally {
    closeFifo();
    await fh?.close();
  }
}

/**
 * port-forward (v4.channel.k8s.io / portforward.k8s.io): for the i-th port, channel 2i carries data and 2i+1 errors;
 * each channel first carries the port (uint16 LE). Data goes to a TCP connection to podIP:port made from the node.
 */
export function servePortForward(ws: WebSocket, podIP: string, ports: number[], logger: WinstonLogger): void {
  const conns: net.Socket[] = [];
  let open_ = ports.length;
  ports.forEach((port, i) => {
    const data = 2 * i;
    const err = data + 1;
    send(ws, data, portHeader(port));
    send(ws, err, portHeader(port));
    const conn = net.connect({ host: podIP, port });
    conns.push(conn);
    conn.on('data', (b: Buffer) => send(ws, data, b));
    conn.on('error', (e: Error) => {
      logger.debug('port-forward connection failed', { podIP, port, error: e.message });
      send(ws, err, `error forwarding port ${port} to pod ${podIP}, uid : ${e.message}`);
    });
    conn.on('close', () => {
      open_ -= 1;
      if (open_ === 0 && ws.readyState === ws.OPEN) ws.close(1000);
    });
  });
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const m = unframe(raw);
    if (m === undefined || m.data.length === 0) return;
    const conn = m.channel % 2 === 0 ? conns[m.channel / 2] : undefined;
    conn?.write(m.data);
  });
  ws.on('close', () => {
    for (const c of conns) c.destroy();
  });
}
