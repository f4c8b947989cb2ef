// `keelctl logs POD [-c CONTAINER] [-f] [-p] [--tail=N]`: a container's log from the API server (pods/log).
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { durationFlag, intFlag } from '../ops/flags';
import { getPod, pickContainer } from '../ops/pods';

interface LogsFlags {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  limitBytes?: string;
}

export function registerLogs(program: Command, ctx: () => CommandContext): void {
  program
    .command('logs')
    .description('Print the logs for a container in a pod')
    .argument('<pod>', 'POD or pod/POD')
    .option('-c, --container <name>', 'the container (default: the default-container annotation, else the first)')
    .option('-f, --follow', 'stream the log as it grows')
    .option('-p, --previous', 'the log of the previous, terminated instance of the container')
    .option('--tail <lines>', 'lines of recent log to show; -1 shows all', '-1')
    .option('--timestamps', 'prefix each line with its timestamp')
    .option('--since <duration>', 'only lines newer than this (5s, 2m, 3h)')
    .option('--limit-bytes <n>', 'at most this many bytes of log')
    .action(async (podArg: string, flags: LogsFlags) => {
      const c = ctx();
      const tail = intFlag(flags.tail, 'tail') ?? -1;
      const sinceMs = durationFlag(flags.since, 'since');
      const limitBytes = intFlag(flags.limitBytes, 'limit-bytes');
      const pod = await getPod(c, podArg);
      const container = pickContainer(c, pod, flags.container);
      const name = pod.metadata?.name ?? '';
      const res = await c.client().stream({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(c.namespace())}/pods/${encodeURIComponent(name)}/log`,
        query: {
          container,
          follow: flags.follow === true ? 'true' : undefined,
          previous: flags.previous === true ? 'true' : undefined,
          tailLines: tail >= 0 ? tail : undefined,
          timestamps: flags.timestamps === true ? 'true' : undefined,
          sinceSeconds: sinceMs !== undefined ? Math.ceil(sinceMs / 1000) : undefined,
          limitBytes,
        },
        accept: 'text/plain, */*',
        target: { resource: 'pods', name },
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body) c.out.write(decoder.decode(chunk, { stream: true }));
        const rest = decoder.decode();
        if (rest !== '') c.out.write(rest);
      } finally {
        res.cancel();
      }
    });
}
