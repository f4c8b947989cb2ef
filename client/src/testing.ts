// Test doubles: a scripted Transport with controllable watch streams, and a TCP proxy that can cut connections.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { HttpRequest, HttpResponse, Transport } from './transport';

/** A response body the test writes to as it goes: what a watch connection looks like. */
export class FakeStream implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly encoder = new TextEncoder();
  /** Set once the client cancelled the response or aborted the request. */
  cancelled = false;

  /** Raw text (split lines across pushes to test line reassembly). */
  push(text: string): this {
    this.chunks.push(this.encoder.encode(text));
    this.poke();
    return this;
  }

  /** One watch event line. */
  event(type: string, object: unknown): this {
    return this.push(`${JSON.stringify({ type, object })}\n`);
  }

  /** The server closes the stream cleanly. */
  end(): void {
    this.ended = true;
    this.poke();
  }

  /** The connection breaks (reset, proxy gone). */
  fail(error: Error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })): void {
    this.error = error;
    this.poke();
  }

  get isOpen(): boolean {
    return !this.ended && this.error === undefined && !this.cancelled;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.ended || this.cancelled) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** What a scripted transport answers: a response, a thrown transport failure, or no answer at all. */
export type FakeReply =
  | { status?: number; headers?: Record<string, string>; body?: string | object; stream?: FakeStream }
  | { error: unknown }
  | { hang: true };

/** A Transport that records requests and answers from a script; honours abort signals. */
export class FakeTransport implements Transport {
  readonly requests: HttpRequest[] = [];
  closed = false;

  constructor(private readonly handler: (req: HttpRequest, index: number) => FakeReply | Promise<FakeReply>) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const index = this.requests.length;
    this.requests.push(req);
    const signal = req.signal;
    const abortError = (): Error => Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    if (signal?.aborted) throw abortError();
    const reply = await this.handler(req, index);
    if ('error' in reply) throw reply.error;
    if ('hang' in reply) {
      return new Promise<HttpResponse>((_resolve, reject) => {
        if (signal === undefined) return;
        signal.addEventListener('abort', () => reject(abortError()), { once: true });
      });
    }
    if (signal?.aborted) throw abortError();
    let body: FakeStream;
    if (reply.stream !== undefined) {
      body = reply.stream;
    } else {
      body = new FakeStream();
      if (reply.body !== undefined) body.push(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      body.end();
    }
    const stream = body;
    signal?.addEventListener('abort', () => stream.fail(abortError()), { once: true });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
    return {
      status: reply.status ?? 200,
      headers,
      body: stream,
      cancel: () => {
        stream.cancelled = true;
        stream.end();
      },
    };
  }

  close(): void {
    this.closed = true;
  }

  /** The URL of request `i`, parsed. */
  url(i: number): URL {
    const req = this.requests[i];
    if (req === undefined) throw new Error(`no request #${i} (have ${this.requests.length})`);
    return new URL(req.url);
  }
}

/**
 * A loopback TCP proxy in front of a server, for tests of what clients do when connections
 * break: `dropConnections()` resets every open connection; while `refuse` is set, new ones are
 * closed at once.
 */
export class TcpProxy {
  refuse = false;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted (and passed on) so far. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<TcpProxy> {
    const t = new URL(target);
    const port = Number(t.port || (t.protocol === 'https:' ? 443 : 80));
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    const proxy = new TcpProxy(server, `${t.protocol}//127.0.0.1:${address.port}`);
    server.on('connection', (client) => proxy.accept(client, t.hostname, port));
    return proxy;
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.refuse) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = connect(port, host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Cuts every open connection (both sides), as a network failure would. */
  dropConnections(): void {
    for (const s of [...this.sockets]) s.resetAndDestroy();
    this.sockets.clear();
  }

  /** Connections open now (client and upstream sides counted once each pair). */
  openConnections(): number {
    return this.sockets.size / 2;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
