// `keelctl attach POD [-c CONTAINER] [-i] [-t]`: the output (and stdin) of a container's main process over a pods/attach WebSocket.
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { getPod, pickContainer } from '../ops/pods';
import { stream, type StreamFlags } from './exec';

export function registerAttach(program: Command, ctx: () => CommandContext): void {
  program
    .command('attach')
    .description('Attach to a process that is already running inside an existing container')
    .argument('<pod>', 'POD, pod/POD or TYPE/NAME')
    .option('-c, --container <name>', 'the container (default: the default-container annotation, else the first)')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a TTY')
    .option('-q, --quiet', 'only print output from the remote session')
    .action(async (podArg: string, flags: StreamFlags) => {
      const c = ctx();
      const pod = await getPod(c, podArg);
      const container = pickContainer(c, pod, flags.container);
      const spec = pod.spec?.containers.find((x) => x.name === container);
      if (flags.stdin === true && spec?.stdin !== true) {
        throw new CliError(`Unable to use stdin with container ${container} in pod ${pod.metadata?.name ?? ''}: stdin is not enabled in the container spec`);
      }
      await stream(c, pod, 'attach', container, [], flags);
    });
}
