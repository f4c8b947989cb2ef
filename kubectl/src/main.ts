// The `keelctl` command line: kubectl-compatible commands against any Kubernetes API server.
import { Command, CommanderError } from 'commander';
import { commands } from './commands';
import { createContext, type CommandContext, type ContextOptions, type GlobalFlags, type InputStream, type Output } from './context';
import { describeError, ExitCode } from './errors';

// ExitCode lives in errors.ts so commands can throw it without importing main (an import cycle).
export { ExitCode };

export interface RunOptions {
  out: Output;
  err: Output;
  env?: Readonly<Record<string, string | undefined>>;
  stdin?: () => Promise<string>;
  /** Standard input as a stream (exec -i); default process.stdin. */
  input?: () => InputStream;
  clock?: ContextOptions['clock'];
}

/** Builds the program; the context is created from the global flags once parsing is done. */
export function buildProgram(o: RunOptions): Command {
  const program = new Command('keelctl')
    .description('keelctl controls a Keelson (or any Kubernetes) cluster')
    .configureOutput({ writeOut: (s) => o.out.write(s), writeErr: (s) => o.err.write(s) })
    .exitOverride()
    .enablePositionalOptions(false)
    .showSuggestionAfterError(true)
    .option('--kubeconfig <file>', 'path to the kubeconfig file')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--cluster <name>', 'the kubeconfig cluster to use')
    .option('--user <name>', 'the kubeconfig user to use')
    .option('-n, --namespace <ns>', 'the namespace scope for this request')
    .option('-s, --server <url>', 'the address of the API server')
    .option('--token <token>', 'bearer token for authentication')
    .option('--insecure-skip-tls-verify', 'do not verify the server certificate')
    .option('--request-timeout <duration>', 'how long to wait for one request (0 = no limit)');
  let ctx: CommandContext | undefined;
  const getCtx = (): CommandContext => {
    ctx ??= createContext({
      flags: program.opts<GlobalFlags>(),
      out: o.out,
      err: o.err,
      ...(o.env ? { env: o.env } : {}),
      ...(o.stdin ? { stdin: o.stdin } : {}),
      ...(o.input ? { input: o.input } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    });
    return ctx;
  };
  for (const register of commands) register(program, getCtx);
  // Global flags are accepted before or after the subcommand, as with kubectl.
  for (const sub of program.commands) {
    for (const opt of program.options) {
      if (!sub.options.some((x) => x.long === opt.long)) sub.addOption(opt);
    }
    sub.hook('preAction', (_this, action) => {
      const local = action.opts<Record<string, unknown>>();
      for (const opt of program.options) {
        const key = opt.attributeName();
        if (local[key] !== undefined) program.setOptionValue(key, local[key]);
      }
    });
  }
  return program;
}

/** Runs keelctl with `argv`; resolves to the exit code (never throws). */
export async function runKeelctl(argv: string[], o: RunOptions): Promise<number> {
  const program = buildProgram(o);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e: unknown) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ExitCode) return e.code;
    o.err.write(`${describeError(e)}\n`);
    return 1;
  }
}


/** Runs keelctl as a process. */
export function main(argv: string[]): void {
  const out = { write: (s: string) => void process.stdout.write(s) };
  const err = { write: (s: string) => void process.stderr.write(s) };
  runKeelctl(argv, { out, err }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${describeError(e)}\n`);
      process.exit(1);
    },
  );
}
