// `keelctl exec POD [-c CONTAINER] [-i] [-t] -- COMMAND…`: a remote command over a pods/exec WebSocket (attach shares the stream).
import type { Command } from 'commander';
import type { Pod } from '@keelson/api';
import type { CommandContext, InputStream } from '../context';
import { CliError, ExitCode } from '../errors';
import { getPod, pickContainer } from '../ops/pods';
import { openStream, remoteCommandProtocols, runRemoteCommand, textSink, type RemoteCommandIO, type Sink } from '../ops/stream';

export interface StreamFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  quiet?: boolean;
}

/** The WebSocket subprotocol keelctl prefers for pods/exec (v4 is offered too). */
export const execProtocol = 'v5.channel.k8s.io';

/** The terminal the session uses: raw mode and size when -t and stdin is a TTY; kubectl's warning when it is not. */
function terminal(c: CommandContext, flags: StreamFlags): { input: InputStream | undefined; tty: boolean; io: Partial<RemoteCommandIO>; restore: () => void } {
  const input = flags.stdin === true ? c.input() : undefined;
  let tty = flags.tty === true;
  if (tty && (input === undefined || input.isTTY !== true)) {
    if (flags.quiet !== true) c.err.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  if (!tty || input === undefined) return { input, tty, io: {}, restore: () => undefined };
  input.setRawMode?.(true);
  const out = process.stdout;
  return {
    input,
    tty,
    io: {
      size: () => (out.columns !== undefined && out.rows !== undefined ? { width: out.columns, height: out.rows } : { width: 80, height: 24 }),
      onResize: (listener) => {
        out.on('resize', listener);
        return () => out.off('resize', listener);
      },
    },
    restore: () => input.setRawMode?.(false),
  };
}

/** Raw bytes to the real terminal when keelctl writes to it, else through the text outputs (tests, pipes inside node). */
function sinks(c: CommandContext, raw: boolean): { stdout: Sink; stderr: Sink } {
  if (raw) return { stdout: { write: (b) => void process.stdout.write(b) }, stderr: { write: (b) => void process.stderr.write(b) } };
  return { stdout: textSink(c.out), stderr: textSink(c.err) };
}

export async function stream(c: CommandContext, pod: Pod, sub: 'exec' | 'attach', container: string, command: string[], flags: StreamFlags): Promise<void> {
  const name = pod.metadata?.name ?? '';
  const t = terminal(c, flags);
  const params = new URLSearchParams();
  for (const word of command) params.append('command', word);
  params.set('container', container);
  params.set('stdin', String(t.input !== undefined));
  params.set('stdout', 'true');
  params.set('stderr', String(!t.tty));
  params.set('tty', String(t.tty));
  const ws = await openStream(c, `/api/v1/namespaces/${encodeURIComponent(c.namespace())}/pods/${encodeURIComponent(name)}/${sub}?${params.toString()}`, remoteCommandProtocols);
  let code: number;
  try {
    if (sub === 'attach' && t.tty && flags.quiet !== true) c.err.write("If you don't see a command prompt, try pressing enter.\n");
    code = await runRemoteCommand(ws, { stdin: t.input, ...sinks(c, t.tty && process.stdout.isTTY), ...t.io });
  } finally {
    t.restore();
  }
  // kubectl exits with the remote command's code (`command terminated with exit code N` on stderr).
  if (code !== 0) {
    if (flags.quiet !== true) c.err.write(`command terminated with exit code ${code}\n`);
    throw new ExitCode(code);
  }
}

export function registerExec(program: Command, ctx: () => CommandContext): void {
  program
    .command('exec')
    .description('Execute a command in a container')
    .argument('<pod>', 'POD, pod/POD or TYPE/NAME (a pod of a deployment, …)')
    .argument('[command...]', 'the command and its arguments, after --')
    .option('-c, --container <name>', 'the container (default: the default-container annotation, else the first)')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a TTY')
    .option('-q, --quiet', 'only print output from the remote session')
    .action(async (podArg: string, command: string[], flags: StreamFlags) => {
      const c = ctx();
      if (command.length === 0) throw new CliError('you must specify at least one command for the container');
      const pod = await getPod(c, podArg);
      await stream(c, pod, 'exec', pickContainer(c, pod, flags.container), command, flags);
    });

}
