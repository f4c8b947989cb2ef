// `keelctl scale TYPE/NAME --replicas=N [--current-replicas=M]`: sets replicas through the scale subresource.
import type { Command } from 'commander';
import { ConflictError, type Scale } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { intFlag } from '../ops/flags';
import { objectName, requireNamedTargets } from '../ops/targets';

interface ScaleFlags {
  replicas?: string;
  currentReplicas?: string;
  resourceVersion?: string;
}

/** How often a compare-and-swap scale is retried after a conflict before giving up. */
const conflictRetries = 5;

export function registerScale(program: Command, ctx: () => CommandContext): void {
  program
    .command('scale')
    .description('Set a new size for a deployment, replica set, or stateful set')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME...')
    .option('--replicas <count>', 'the new desired number of replicas (required)')
    .option('--current-replicas <count>', 'precondition: the current size must be this (-1 for none)', '-1')
    .option('--resource-version <version>', 'precondition: the current resource version must be this')
    .action(async (args: string[], flags: ScaleFlags) => {
      const c = ctx();
      const replicas = intFlag(flags.replicas, 'replicas');
      if (replicas === undefined) throw new CliError('required flag(s) "replicas" not set');
      if (replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
      const current = intFlag(flags.currentReplicas, 'current-replicas') ?? -1;
      if (current < -1) throw new CliError('The --current-replicas must specify an integer of -1 or greater');
      const targets = requireNamedTargets(args, 'You must provide one or more resources by argument or filename.');
      if (flags.resourceVersion !== undefined && targets.length > 1) throw new CliError('cannot use --resource-version with multiple resources');
      const ns = c.namespace();
      for (const t of targets) {
        const res = c.client().resource(t.info).namespace(ns);
        await res.get(t.name); // as kubectl's builder: a missing object is NotFound before any scale call
        if (current === -1 && flags.resourceVersion === undefined) {
          await res.scale(t.name, replicas);
        } else {
          await scaleWithPrecondition(() => res.getScale(t.name), (s) => res.updateScale(t.name, s), replicas, current, flags.resourceVersion);
        }
        c.out.write(`${objectName(t.info, t.name)} scaled\n`);
      }
    });
}

/** Read the scale, check the preconditions, write it back compare-and-swap; retry on conflict. */
async function scaleWithPrecondition(
  read: () => Promise<Scale>,
  write: (s: Scale) => Promise<Scale>,
  replicas: number,
  current: number,
  resourceVersion: string | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const scale = await read();
    const actual = scale.spec?.replicas ?? 0;
    if (current !== -1 && actual !== current) throw new CliError(`Expected replicas to be ${current}, was ${actual}`);
    const rv = scale.metadata?.resourceVersion ?? '';
    if (resourceVersion !== undefined && rv !== resourceVersion) throw new CliError(`Expected resource version to be ${resourceVersion}, was ${rv}`);
    try {
      await write({ ...scale, spec: { ...scale.spec, replicas } });
      return;
    } catch (e: unknown) {
      if (!(e instanceof ConflictError) || attempt >= conflictRetries || resourceVersion !== undefined) throw e;
    }
  }
}
