// Starts the API server under test, in its own Node process (the default) or inside the benchmark process.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { run } from '@keelson/apiserver';
import type { ChildMessage } from './apiserver-child';

/** Where the API server runs: its own process (realistic) or the benchmark's (shares its event loop). */
export type ServerMode = 'child' | 'in-process';

export interface ApiServerHandle {
  url: string;
  /** The process serving requests: the child's pid, or this process's in-process. */
  pid: number;
  /** Stops the server (and waits for the child to exit). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  storage: string;
  mode: ServerMode;
  /** Extra Node flags for the child, e.g. `--cpu-prof`. */
  nodeArgs: string[];
  startTimeoutMs?: number;
}

/** The API server did not come up; `output` says why when the child reported it. */
export class ServerStartError extends Error {}

const stopGraceMs = 10_000;

export async function startApiServer(opts: StartOptions): Promise<ApiServerHandle> {
  if (opts.mode === 'in-process') return startInProcess(opts.storage);
  return startChild(opts);
}

async function startInProcess(storage: string): Promise<ApiServerHandle> {
  const abort = new AbortController();
  const server = run({ storage, port: 0, bindAddress: '127.0.0.1', quiet: true, logLevel: 'warn' }, abort.signal);
  try {
    await server.ready;
  } catch (err: unknown) {
    abort.abort();
    await server.done.catch(() => undefined);
    throw new ServerStartError(`the API server on ${storage} did not start`, { cause: err });
  }
  let stopping: Promise<void> | undefined;
  return {
    url: server.url(),
    pid: process.pid,
    stop: () => {
      stopping ??= (async () => {
        abort.abort();
        await server.done;
      })();
      return stopping;
    },
  };
}

async function startChild(opts: StartOptions): Promise<ApiServerHandle> {
  const child = fork(join(__dirname, 'apiserver-child.js'), [opts.storage], {
    execArgv: opts.nodeArgs,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A child that could not be spawned never emits 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  // If the benchmark dies without stopping the child, take it along (the child also exits when
  // its IPC channel closes).
  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child, exited, () => hasExited);
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  try {
    const url = await waitReady(child, exited, opts.startTimeoutMs ?? 60_000, opts.storage);
    if (child.pid === undefined) throw new ServerStartError('the API server child has no pid');
    return { url, pid: child.pid, stop };
  } catch (err: unknown) {
    await stop();
    throw err;
  }
}

function waitReady(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
  storage: string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ServerStartError(`the API server on ${storage} was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (m: ChildMessage) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve(m.url);
      else reject(new ServerStartError(`the API server on ${storage} failed to start:\n${m.message}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new ServerStartError(`could not start the API server child: ${err.message}`, { cause: err }));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new ServerStartError(`the API server child exited during startup (code ${String(code)}, signal ${String(signal)})`));
    });
  });
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, hasExited: () => boolean): Promise<void> {
  if (hasExited() || child.pid === undefined) {
    await exited;
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!hasExited()) child.kill('SIGKILL');
  }, stopGraceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
