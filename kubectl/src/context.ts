// What every keelctl command gets: global flags, a lazily built client, output streams and a clock.
import { RestClient, loadClientConfig, systemClock, type ClientConfig, type Clock } from '@keelson/client';

/** Flags every command accepts, as kubectl names them. */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  requestTimeout?: string;
}

/** A readable standard input; `isTTY`/`setRawMode` exist when it is a terminal. */
export interface InputStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

export interface Output {
  write(s: string): void;
}

export interface CommandContext {
  flags: GlobalFlags;
  out: Output;
  err: Output;
  /** Standard input, for `-f -`. */
  stdin: () => Promise<string>;
  /** Standard input as a stream, with its terminal if it is one (`exec -i`, `attach -i`). */
  input: () => InputStream;
  clock: Clock;
  /** The resolved kubeconfig (loaded on first use). */
  config(): ClientConfig;
  /** The client (built on first use). */
  client(): RestClient;
  /** `-n`, else the context's namespace, else `default`. */
  namespace(): string;
  /** Whether `-n` was given explicitly (apply/create reject a manifest namespace that disagrees). */
  namespaceExplicit(): boolean;
  /** Environment variables (KUBECONFIG, KUBE_EDITOR…). */
  env: Readonly<Record<string, string | undefined>>;
}

/** `30s`, `1m`, `500ms`, `0` (no timeout) → milliseconds, as kubectl's --request-timeout. */
export function parseDuration(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (consumed !== s.length || s === '') throw new Error(`invalid duration "${s}": use a number of seconds or a duration such as 30s, 5m, 1h`);
  return total;
}

export interface ContextOptions {
  flags: GlobalFlags;
  out: Output;
  err: Output;
  stdin?: () => Promise<string>;
  input?: () => InputStream;
  clock?: Clock;
  env?: Readonly<Record<string, string | undefined>>;
  userAgent?: string;
}

export function createContext(o: ContextOptions): CommandContext {
  let config: ClientConfig | undefined;
  let client: RestClient | undefined;
  const env = o.env ?? process.env;
  const flags = o.flags;
  const ctx: CommandContext = {
    flags,
    out: o.out,
    err: o.err,
    stdin: o.stdin ?? readStdin,
    input: o.input ?? (() => process.stdin),
    clock: o.clock ?? systemClock,
    env,
    config: () => {
      config ??= loadClientConfig({
        env,
        ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context !== undefined ? { context: flags.context } : {}),
        ...(flags.cluster !== undefined ? { cluster: flags.cluster } : {}),
        ...(flags.user !== undefined ? { user: flags.user } : {}),
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
        ...(flags.server !== undefined ? { server: flags.server } : {}),
        ...(flags.token !== undefined ? { token: flags.token } : {}),
        ...(flags.insecureSkipTlsVerify !== undefined ? { insecureSkipTlsVerify: flags.insecureSkipTlsVerify } : {}),
      });
      return config;
    },
    client: () => {
      const timeoutMs = flags.requestTimeout !== undefined ? parseDuration(flags.requestTimeout) : undefined;
      client ??= new RestClient({
        config: ctx.config(),
        clock: ctx.clock,
        userAgent: o.userAgent ?? 'keelctl/v0.1.0',
        // 0 means no limit, as kubectl's --request-timeout=0.
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      return client;
    },
    namespace: () => flags.namespace ?? ctx.config().namespace,
    namespaceExplicit: () => flags.namespace !== undefined,
  };
  return ctx;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
