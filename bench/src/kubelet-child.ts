// Entry point of the kubelet child process the pod start-up benchmark starts: kubelet run() against a given API server and shim, ready reported over IPC.
import { RestClient } from '@keelson/client';
import { run } from '@keelson/kubelet';

/** What the benchmark passes as argv[2] (JSON). */
export interface KubeletChildConfig {
  server: string;
  nodeName: string;
  rootDir: string;
  runtimeEndpoint: string;
  podCIDR: string;
  relistMs?: number;
  workers?: number;
}

/** Messages sent to the parent over the IPC channel. */
export type KubeletChildMessage = { type: 'ready' } | { type: 'failed'; message: string };

function main(): void {
  const send = process.send?.bind(process);
  const raw = process.argv[2];
  if (raw === undefined || send === undefined) {
    process.stderr.write('kubelet-child: started by bench/dist/podstartup.js with an IPC channel and a JSON config\n');
    process.exitCode = 2;
    return;
  }
  const cfg = JSON.parse(raw) as KubeletChildConfig;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The parent died without stopping us: do not outlive it (the containers stay with the shim, which the parent removes).
  process.once('disconnect', stop);

  const client = new RestClient({ config: { server: cfg.server, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'bench' }, userAgent: `keelson-kubelet/0.1.0 (${cfg.nodeName})` });
  const kubelet = run(
    {
      client,
      nodeName: cfg.nodeName,
      rootDir: cfg.rootDir,
      runtimeEndpoint: cfg.runtimeEndpoint,
      podCIDR: cfg.podCIDR,
      nodeIP: '127.0.0.1',
      // Its API (logs, exec) on a free loopback port: never the real kubelet's 10250.
      port: 0,
      bindAddress: '127.0.0.1',
      logLevel: 'warn',
      ...(cfg.relistMs !== undefined ? { relistMs: cfg.relistMs } : {}),
      ...(cfg.workers !== undefined ? { workers: cfg.workers } : {}),
    },
    abort.signal,
  );
  kubelet.ready.then(
    () => send({ type: 'ready' } satisfies KubeletChildMessage),
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies KubeletChildMessage);
      abort.abort();
    },
  );
  kubelet.done.then(
    // An explicit exit so --cpu-prof writes its profile even if a handle lingers.
    () => {
      client.close();
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`kubelet-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

main();
