// `keelctl version`: the client's version and, unless --client, the server's.
import type { Command } from 'commander';
import type { CommandContext } from '../context';

export const clientVersion = 'v0.1.0';

export function registerVersion(program: Command, ctx: () => CommandContext): void {
  program
    .command('version')
    .description('Print the client and server version information')
    .option('--client', 'client version only (no server needed)')
    .option('-o, --output <format>', 'yaml or json')
    .action(async (opts: { client?: boolean; output?: string }) => {
      const c = ctx();
      const info: { clientVersion: { gitVersion: string }; serverVersion?: unknown } = { clientVersion: { gitVersion: clientVersion } };
      if (!opts.client) info.serverVersion = await c.client().version();
      if (opts.output === 'json') {
        c.out.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      c.out.write(`Client Version: ${clientVersion}\n`);
      const server = info.serverVersion as { gitVersion?: string } | undefined;
      if (server) c.out.write(`Server Version: ${server.gitVersion ?? 'unknown'}\n`);
    });
}
