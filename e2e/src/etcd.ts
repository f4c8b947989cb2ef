// Starts a real single-member etcd on free loopback ports for tests and benchmarks, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdOptions {
  /**
   * Data directory to use. When given it is kept on stop (so a later start can reuse it);
   * when absent a temporary one is created and removed on stop.
   */
  dataDir?: string;
  /** The etcd binary; default `etcd` from PATH. */
  binary?: string;
  /** How long to wait for the member to report healthy; default 30 s. */
  startTimeoutMs?: number;
}

export interface EtcdProcess {
  /** Client URL, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** The data directory the member uses. */
  dataDir: string;
  /** The process id of the etcd member. */
  pid: number;
  /** Stops the member (SIGTERM, then SIGKILL) and removes a temporary data dir. Idempotent. */
  stop(): Promise<void>;
}

/** Thrown when etcd cannot be started; `output` holds the tail of its log. */
export class EtcdStartError extends Error {
  readonly output: string;
  constructor(message: string, output: string, options?: { cause?: unknown }) {
    super(output === '' ? message : `${message}\n--- etcd output (tail) ---\n${output}`, options);
    this.name = 'EtcdStartError';
    this.output = output;
  }
}

const LOOPBACK = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_CHARS = 8_000;
const START_ATTEMPTS = 3;

/** Starts one etcd member listening on loopback only and resolves once it is healthy. */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdProcess> {
  const binary = opts.binary ?? 'etcd';
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'keelson-etcd-')));
  try {
    // Free ports are found by binding port 0 and releasing it, so another process can take
    // one in between; on an address-in-use failure we retry with fresh ports.
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && ownDir) {
        // The failed member may have initialised the dir with the ports it could not bind.
        await rm(dataDir, { recursive: true, force: true });
        await mkdir(dataDir, { mode: 0o700 });
      }
      try {
        return await launch(binary, dataDir, ownDir, startTimeoutMs);
      } catch (err: unknown) {
        if (!(err instanceof EtcdStartError) || !isAddressInUse(err.output) || attempt >= START_ATTEMPTS) {
          throw err;
        }
      }
    }
  } catch (err: unknown) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(
  binary: string,
  dataDir: string,
  ownDir: boolean,
  startTimeoutMs: number,
): Promise<EtcdProcess> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://${LOOPBACK}:${clientPort}`;
  const peerUrl = `http://${LOOPBACK}:${peerPort}`;
  const name = 'keelson-test';
  const args = [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=keelson-${process.pid}-${clientPort}`,
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
    // Periodic progress notifications let the API server's watch caches learn the current
    // revision on etcd 3.4 (whose progress *requests* are unsafe): keep it well under the 3 s
    // a request waits for a cache to catch up.
    '--experimental-watch-progress-notify-interval=500ms',
  ];
  // ETCD_* variables would override the flags above; the member must be exactly this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));

  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  // If this process ends without calling stop() (process.exit in a test runner, Ctrl-C),
  // take the member and its temporary data with it.
  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  registerEmergencyCleanup(killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child, exited, () => hasExited);
      unregisterEmergencyCleanup(killOnExit);
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const early = exited.then((r) => {
    if (r.error !== undefined) {
      const enoent = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      return new EtcdStartError(
        enoent
          ? `etcd binary "${binary}" not found on PATH; install it with \`apt-get install -y etcd-server\``
          : `could not run etcd binary "${binary}": ${r.error.message}`,
        output,
        { cause: r.error },
      );
    }
    return new EtcdStartError(
      `etcd exited during startup (code ${String(r.code)}, signal ${String(r.signal)})`,
      output,
    );
  });

  try {
    const failure = await Promise.race([early, waitHealthy(endpoint, startTimeoutMs, () => hasExited)]);
    if (failure !== undefined) throw failure;
    if (hasExited) throw await early;
  } catch (err: unknown) {
    // stop() only removes our own temporary dir; startEtcd removes it too, which is harmless.
    await terminate(child, exited, () => hasExited);
    unregisterEmergencyCleanup(killOnExit);
    if (err instanceof EtcdStartError) throw err;
    throw new EtcdStartError(
      `etcd did not become healthy: ${err instanceof Error ? err.message : String(err)}`,
      output,
      { cause: err },
    );
  }

  const pid = child.pid;
  if (pid === undefined) throw new EtcdStartError('etcd started without a pid', output);
  return { endpoint, dataDir, pid, stop };
}

/** Synchronous cleanups of members not yet stopped, run if the process ends first. */
const emergencyCleanups = new Set<() => void>();
const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function runEmergencyCleanups(): void {
  for (const cleanup of emergencyCleanups) {
    try {
      cleanup();
    } catch (err: unknown) {
      process.stderr.write(`startEtcd: cleanup at exit failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  emergencyCleanups.clear();
}

/**
 * A fatal signal kills Node without an 'exit' event, so signals are watched too — but only
 * acted on when nobody else listens: a program with its own handler (the benchmark) decides
 * itself whether to exit, and calls stop(). We then re-raise the signal so the process ends
 * exactly as it would have.
 */
function onFatalSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  runEmergencyCleanups();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', runEmergencyCleanups);
  // First in line, so listeners registered with once() are still counted when we look.
  for (const sig of FATAL_SIGNALS) process.prependListener(sig, onFatalSignal);
}

function uninstall(): void {
  process.removeListener('exit', runEmergencyCleanups);
  for (const sig of FATAL_SIGNALS) process.removeListener(sig, onFatalSignal);
}

function registerEmergencyCleanup(cleanup: () => void): void {
  if (emergencyCleanups.size === 0) install();
  emergencyCleanups.add(cleanup);
}

function unregisterEmergencyCleanup(cleanup: () => void): void {
  if (emergencyCleanups.delete(cleanup) && emergencyCleanups.size === 0) uninstall();
}

/** Resolves undefined once `/health` reports healthy; rejects after the timeout. */
async function waitHealthy(endpoint: string, timeoutMs: number, exited: () => boolean): Promise<undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = new Error('no response yet');
  while (Date.now() < deadline) {
    if (exited()) return undefined; // the `early` branch of the race reports why
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
      const body: unknown = await res.json();
      if (res.ok && isHealthy(body)) return undefined;
      last = new Error(`/health answered ${res.status}: ${JSON.stringify(body)}`);
    } catch (err: unknown) {
      last = err; // not listening yet; kept as the reason if we time out
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${endpoint}/health`, { cause: last });
}

function isHealthy(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { health?: unknown }).health === 'true';
}

async function terminate(
  child: ChildProcess,
  exited: Promise<unknown>,
  hasExited: () => boolean,
): Promise<void> {
  if (hasExited() || child.pid === undefined) {
    await exited;
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!hasExited()) child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : undefined;
      srv.close((err) => {
        if (err) reject(err);
        else if (port === undefined) reject(new Error('could not determine a free port'));
        else resolve(port);
      });
    });
  });
}

function isAddressInUse(output: string): boolean {
  return /address already in use/i.test(output);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
