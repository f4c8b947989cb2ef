// `keelctl exec POD [-c CONTAINER] -- COMMAND…`: runs a command in a container through pods/exec.
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { getPod, pickContainer } from '../ops/pods';

interface ExecFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

/** The WebSocket subprotocol kubectl speaks to pods/exec. */
export const execProtocol = 'v5.channel.k8s.io';

export function registerExec(program: Command, ctx: () => CommandContext): void {
  program
    .command('exec')
    .description('Execute a command in a container')
    .argument('<pod>', 'POD or pod/POD')
    .argument('[command...]', 'the command and its arguments, after --')
    .option('-c, --container <name>', 'the container (default: the default-container annotation, else the first)')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a TTY')
    .action(async (podArg: string, command: string[], flags: ExecFlags) => {
      const c = ctx();
      if (command.length === 0) throw new CliError('you must specify at least one command for the container');
      const pod = await getPod(c, podArg);
      const container = pickContainer(c, pod, flags.container);
      const name = pod.metadata?.name ?? '';
      // `command` repeats once per word, which the client's query map cannot express: build it here.
      const params = new URLSearchParams();
      for (const word of command) params.append('command', word);
      params.set('container', container);
      params.set('stdin', String(flags.stdin === true));
      params.set('stdout', 'true');
      params.set('stderr', String(flags.tty !== true));
      params.set('tty', String(flags.tty === true));
      // The request a WebSocket upgrade starts with. The server answers it with a Status until the
      // kubelet serves exec; that Status (405 today) is what the user sees.
      await c.client().request({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(c.namespace())}/pods/${encodeURIComponent(name)}/exec?${params.toString()}`,
        target: { resource: 'pods', name },
      });
      throw new CliError(`the server accepted pods/exec, but keelctl cannot stream it yet (it needs a WebSocket ${execProtocol} connection)`);
    });
}
