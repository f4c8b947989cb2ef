// Test helpers for long-running keelctl commands: run one in-process, watch its output grow, pick its clock.
import { tmpdir } from 'node:os';
import { startTestServer, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient, type Clock } from '@keelson/client';
import { runKeelctl } from '../main';
import { writeKubeconfig, type CliResult } from '../testing';

/** A keelctl run in progress. */
export interface Running {
  out(): string;
  err(): string;
  /** Resolves once stdout contains `text` (rejects if the command ends first without it). */
  until(text: string): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts keelctl with `args` against `kubeconfig`; `clock` replaces the real one (a FakeClock, or a fixed "now"). */
export function startKeelctl(kubeconfig: string, args: string[], o: { clock?: Clock; env?: Record<string, string> } = {}): Running {
  let out = '';
  let err = '';
  let finished = false;
  const waiters: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      } else if (finished) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(`keelctl ${args.join(' ')} ended without printing ${JSON.stringify(w.text)}\nstdout: ${out}\nstderr: ${err}`));
      }
    }
  };
  const done = runKeelctl(args, {
    out: {
      write: (s) => {
        out += s;
        check();
      },
    },
    err: { write: (s) => (err += s) },
    env: { KUBECONFIG: kubeconfig, HOME: tmpdir(), ...o.env },
    stdin: () => Promise.resolve(''),
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
  }).then((code) => {
    finished = true;
    check();
    return { code, out, err };
  });
  return {
    out: () => out,
    err: () => err,
    until: (text) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ text, resolve, reject });
        check();
      }),
    done,
  };
}

/** A clock fixed at `now` whose timers are real: for output with ages that must not drift. */
export function fixedNow(now: number, real: Clock): Clock {
  return { now: () => now, setTimer: (ms, fn) => real.setTimer(ms, fn) };
}

/** A real API server, a namespace of one's own on it, a kubeconfig pointing there and a client to set things up with. */
export interface TestCluster {
  server: TestServer;
  kubeconfig: string;
  namespace: string;
  client: RestClient;
  stop(): Promise<void>;
}

/** Starts an API server on `storage` (see testBackends) and creates a fresh namespace for the test file. */
export async function startCluster(storage: { uri: string; cleanup: () => void }, prefix = 'kc'): Promise<TestCluster> {
  const server = await startTestServer(storage.uri, storage.cleanup);
  const namespace = uniqueName(prefix);
  const kc = writeKubeconfig(server.url, namespace);
  const client = RestClient.fromKubeconfig({ kubeconfig: kc.path, userAgent: 'keelctl-test' });
  await client.resource('v1', 'Namespace').create({ metadata: { name: namespace } });
  return {
    server,
    kubeconfig: kc.path,
    namespace,
    client,
    stop: async () => {
      client.close();
      kc.cleanup();
      await server.stop();
    },
  };
}
