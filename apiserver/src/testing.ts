// Test harness: a real API server on a free loopback port over a chosen storage, and raw HTTP helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run, type ApiServerOptions, type RunningApiServer } from './server';

export interface TestServer {
  url: string;
  server: RunningApiServer;
  /** Storage URI the server runs on. */
  storage: string;
  stop(): Promise<void>;
}

/** The storages integration tests run on: sqlite always, etcd when the jest setup started one. */
export function testBackends(): { name: string; uri: () => { uri: string; cleanup: () => void } }[] {
  const backends = [
    {
      name: 'sqlite',
      uri: () => {
        const dir = mkdtempSync(join(tmpdir(), 'keelson-apiserver-'));
        return { uri: `sqlite://${join(dir, 'state.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
  ];
  const etcd = process.env['KEELSON_TEST_ETCD'];
  if (etcd) {
    backends.push({
      name: 'etcd',
      uri: () => ({ uri: `etcd://${etcd.replace(/^https?:\/\//, '')}`, cleanup: () => undefined }),
    });
  }
  return backends;
}

export async function startTestServer(storage: string, cleanup: () => void = () => undefined, options: Omit<ApiServerOptions, 'storage'> = {}): Promise<TestServer> {
  const abort = new AbortController();
  const server = run({ port: 0, bindAddress: '127.0.0.1', quiet: true, logLevel: 'error', ...options, storage }, abort.signal);
  try {
    await server.ready;
  } catch (e: unknown) {
    abort.abort();
    await server.done.catch(() => undefined);
    cleanup();
    throw e;
  }
  return {
    url: server.url(),
    server,
    storage,
    stop: async () => {
      abort.abort();
      await server.done;
      cleanup();
    },
  };
}

/** A namespace name no other test uses (tests share one etcd). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

/** One HTTP request with a raw body, for cases a typed client cannot express. */
export async function request(url: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}
