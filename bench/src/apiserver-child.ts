// Entry point of the API server child process the benchmark starts: run() with quiet logging on a free loopback port.
import { run } from '@keelson/apiserver';

/** Messages sent to the parent over the IPC channel. */
export type ChildMessage = { type: 'ready'; url: string } | { type: 'failed'; message: string };

function main(): void {
  const storage = process.argv[2];
  const send = process.send?.bind(process);
  if (storage === undefined || send === undefined) {
    process.stderr.write('apiserver-child: started by bench/dist/apiserver.js with an IPC channel and a storage URI\n');
    process.exitCode = 2;
    return;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  // SIGINT: Ctrl-C reaches the whole process group; the parent stops us too, either is fine.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The parent died without stopping us: do not outlive it.
  process.once('disconnect', stop);

  const server = run({ storage, port: 0, bindAddress: '127.0.0.1', quiet: true, logLevel: 'warn' }, abort.signal);
  server.ready.then(
    () => send({ type: 'ready', url: server.url() } satisfies ChildMessage),
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ChildMessage);
      abort.abort();
    },
  );
  server.done.then(
    // An explicit exit so --cpu-prof writes its profile even if a handle lingers.
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`apiserver-child: stopping failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

main();
