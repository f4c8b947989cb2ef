// A minimal keep-alive HTTP/1.1 JSON client over node:http, cheap enough to drive the API server at full speed.
import { Agent, request } from 'node:http';

/** The server answered with a status the benchmark did not expect. */
export class HttpStatusError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'HttpStatusError';
  }
}

export interface HttpResponse {
  status: number;
  body: Buffer;
}

const requestTimeoutMs = 60_000;

/** One loopback server, reached through one keep-alive agent. */
export class HttpClient {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  /** Sends one request and reads the whole answer; a socket error or a 60 s stall rejects. */
  send(method: string, path: string, body?: Buffer): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = body.length;
      }
      const req = request({ agent: this.agent, host: this.host, port: this.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(requestTimeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends one request and parses the JSON answer, which must carry `expected` status. */
  async json(method: string, path: string, expected: number | number[], body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
    if (!ok) throw new HttpStatusError(method, path, res.status, res.body.toString('utf8'));
    return JSON.parse(res.body.toString('utf8')) as unknown;
  }

  close(): void {
    this.agent.destroy();
  }
}
