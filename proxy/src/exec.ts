// Runs the host tools the proxy needs (nft, ip, modprobe) with stdin, collecting output; typed failure.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`${command} failed (exit ${code ?? 'signal'}): ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
    this.name = 'CommandError';
  }
}

export type Runner = (cmd: string, args: readonly string[], stdin?: string) => Promise<string>;

/** Runs a command to completion; rejects with CommandError on a non-zero exit. */
export const runCommand: Runner = (cmd, args, stdin) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new CommandError(`${cmd} ${args.join(' ')}`, code, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
