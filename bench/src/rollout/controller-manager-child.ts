// Entry point of the controller-manager child process the rollout benchmark starts: run() against the API server URL given, reporting over IPC once its caches synced.
import { RestClient } from '@keelson/client';
import { run } from '@keelson/controller-manager';

/** Messages sent to the parent over the IPC channel. */
export type ControllerManagerChildMessage = { type: 'started' } | { type: 'failed'; message: string };

function main(): void {
  const [url, controllers] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (url === undefined || controllers === undefined || send === undefined) {
    process.stderr.write('controller-manager-child: started by bench/dist/rollout.js with an IPC channel, an API server URL and a controller list\n');
    process.exitCode = 2;
    return;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The parent died without stopping us: do not outlive it.
  process.once('disconnect', stop);

  const client = new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'bench' }, userAgent: 'keelson-controller-manager/bench' });
  // Conflicts retried with back-off are normal under load and logged as warnings: only errors are shown.
  const cm = run({ client, port: 0, logLevel: 'error', controllers: controllers.split(',') }, abort.signal);
  const fail = (err: unknown): void => {
    send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ControllerManagerChildMessage);
    abort.abort();
  };
  cm.started.then(() => send({ type: 'started' } satisfies ControllerManagerChildMessage), fail);
  cm.done.then(
    () => {
      client.close();
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`controller-manager-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

main();
