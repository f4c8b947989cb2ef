// Test helpers for keelctl: run it in-process against a real API server and capture its output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { dump } from 'js-yaml';
import { runKeelctl, type RunOptions } from './main';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A kubeconfig file for `url` in a temp dir; returns its path and a cleanup. */
export function writeKubeconfig(url: string, namespace = 'default'): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keelctl-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: url } }],
      users: [{ name: 'test', user: {} }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test', namespace } }],
      'current-context': 'test',
    }),
  );
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a test may change about the run: the clock (for ages keelctl computes itself) and extra environment variables. */
export interface KeelctlTestOptions {
  clock?: RunOptions['clock'];
  env?: Readonly<Record<string, string>>;
  /** Standard input as a stream (exec -i/attach -i); default: `stdin` as one chunk, then its end. */
  input?: RunOptions['input'];
}

/** Runs keelctl with the given kubeconfig and arguments; `stdin` feeds `-f -`. */
export async function keelctl(kubeconfig: string, args: string[], stdin = '', options: KeelctlTestOptions = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runKeelctl(args, {
    out: { write: (s) => (out += s) },
    err: { write: (s) => (err += s) },
    env: { KUBECONFIG: kubeconfig, HOME: tmpdir(), ...options.env },
    stdin: () => Promise.resolve(stdin),
    input: options.input ?? (() => Readable.from(stdin === '' ? [] : [Buffer.from(stdin)])),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { code, out, err };
}
