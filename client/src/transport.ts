// HTTP transport: the small interface the REST client and watch speak, and its node:http(s) implementation.
import * as http from 'node:http';
import * as https from 'node:https';
import type { TlsConfig } from './kubeconfig';
import { TransportError } from './errors';

export interface HttpRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborting destroys the request and, once answered, its response body. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body as it arrives: read it whole for a request, line by line for a watch. */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and releases the connection (destroys it if the body is unread). */
  cancel(): void;
}

/**
 * Sends one request and resolves once the response headers arrive. Failures to get an answer
 * reject with TransportError; an HTTP error status is an answer (resolved, not rejected).
 */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Closes idle keep-alive connections; in-flight streams are cut. */
  close(): void;
}

export interface NodeTransportOptions {
  tls?: TlsConfig;
  /** Connections kept per host (default: unlimited, as watches each hold one). */
  maxSockets?: number;
}

/** node:http / node:https with keep-alive, and TLS (CA, client certificate, SNI) from the kubeconfig. */
export class NodeTransport implements Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: NodeTransportOptions = {}) {
    const common = { keepAlive: true, ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}) };
    this.httpAgent = new http.Agent(common);
    const tls = options.tls;
    const agentOptions: https.AgentOptions = { ...common, rejectUnauthorized: !(tls?.insecureSkipTlsVerify ?? false) };
    if (tls?.ca !== undefined) agentOptions.ca = tls.ca;
    if (tls?.cert !== undefined) agentOptions.cert = tls.cert;
    if (tls?.key !== undefined) agentOptions.key = tls.key;
    if (tls?.serverName !== undefined) agentOptions.servername = tls.serverName;
    this.httpsAgent = new https.Agent(agentOptions);
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch (e: unknown) {
        reject(new TransportError(req.method, req.url, 'not a URL', { cause: e }));
        return;
      }
      const secure = url.protocol === 'https:';
      const options: http.RequestOptions = {
        method: req.method,
        headers: { ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
        agent: secure ? this.httpsAgent : this.httpAgent,
      };
      if (req.signal !== undefined) options.signal = req.signal;
      const request = (secure ? https : http).request(url, options, (res) => {
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: res,
          cancel: () => {
            if (!res.complete) request.destroy();
            res.resume();
          },
        });
      });
      request.on('error', (e: Error) => reject(new TransportError(req.method, req.url, e.message, { cause: e })));
      request.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole body as UTF-8 text. */
export async function readBody(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
