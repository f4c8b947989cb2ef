// The `keelctl` command line: kubectl-compatible commands against any Kubernetes API server.
import { Command, CommanderError } from 'commander';

const version = '0.1.0';

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command('keelctl')
    .description('keelctl controls a Keelson (or any Kubernetes) cluster')
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();
  program
    .command('version')
    .description('print the client version')
    .option('--client', 'client version only (the server is not contacted)')
    .action(() => out(`Client Version: v${version}\n`));
  return program;
}

/** Runs keelctl; exits the process with the command's status. */
export function main(argv: string[]): void {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  try {
    program.parse(argv, { from: 'user' });
  } catch (e: unknown) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
