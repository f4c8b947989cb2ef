// The `keelson` launcher: parses the command line and runs one component (or, later, all of them).
import { Command, CommanderError } from 'commander';
import { version } from './version';

/** Components that later issues deliver; until then their subcommand says so and exits 1. */
const planned: { name: string; summary: string; issue: number }[] = [
  { name: 'apiserver', summary: 'serve the Kubernetes REST API over etcd or sqlite', issue: 3 },
  { name: 'scheduler', summary: 'bind pending pods to nodes', issue: 5 },
  { name: 'controller-manager', summary: 'run the workload controllers', issue: 6 },
  { name: 'kubelet', summary: 'run pods on this node', issue: 8 },
  { name: 'proxy', summary: 'make Services reach their pods on this node', issue: 9 },
  { name: 'server', summary: 'run a whole single-node cluster in one process', issue: 10 },
  { name: 'agent', summary: 'join this machine to a cluster as a node', issue: 10 },
];

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command('keelson')
    .description('Keelson: a Kubernetes-style cluster orchestrator')
    .version(version, '--version', 'print the version')
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();
  for (const p of planned) {
    program
      .command(p.name)
      .description(`${p.summary} (not available yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CommanderError(1, 'keelson.notAvailable', `keelson ${p.name}: not available in this build yet (tracked as issue ${p.issue})`);
      });
  }
  program
    .command('version')
    .description('print the version')
    .action(() => out(`keelson ${version}\n`));
  return program;
}

/** Runs the launcher; exits the process with the command's status. */
export function main(argv: string[]): void {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  try {
    program.parse(argv, { from: 'user' });
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      if (e.code === 'keelson.notAvailable') process.stderr.write(`${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`keelson: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
