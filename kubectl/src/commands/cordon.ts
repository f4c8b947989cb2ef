// `keelctl cordon NODE` and `keelctl uncordon NODE`: mark nodes (un)schedulable through spec.unschedulable.
import type { Command } from 'commander';
import type { Node } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';

/**
 * Sets spec.unschedulable on each node as kubectl's cordon helper does: `node/n1 cordoned`, or
 * `already cordoned` when nothing needs to change. A node that cannot be patched is reported
 * and skipped, as kubectl does (the command still succeeds).
 */
export async function setSchedulable(c: CommandContext, nodes: readonly Node[], cordon: boolean): Promise<void> {
  const verb = cordon ? 'cordon' : 'uncordon';
  const res = c.client().resource('v1', 'Node');
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    if ((node.spec?.unschedulable === true) === cordon) {
      c.out.write(`node/${name} already ${verb}ed\n`);
      continue;
    }
    try {
      await res.patch(name, 'merge', { spec: { unschedulable: cordon ? true : null } });
    } catch (e: unknown) {
      c.err.write(`error: unable to ${verb} node "${name}": ${e instanceof Error ? e.message : String(e)}\n`);
      continue;
    }
    c.out.write(`node/${name} ${verb}ed\n`);
  }
}

/** The named nodes, read first so that a missing one fails the command before anything changes. */
export async function getNodes(c: CommandContext, names: readonly string[], use: string): Promise<Node[]> {
  if (names.length === 0) throw new CliError(`USAGE: ${use} [flags]\nSee 'keelctl ${use.split(' ')[0] ?? ''} -h' for help and examples`);
  const res = c.client().resource('v1', 'Node');
  const nodes: Node[] = [];
  for (const n of names) nodes.push(await res.get(n.replace(/^(node|nodes|no)\//, '')));
  return nodes;
}

export function registerCordon(program: Command, ctx: () => CommandContext): void {
  for (const cordon of [true, false]) {
    const use = `${cordon ? 'cordon' : 'uncordon'} NODE`;
    program
      .command(cordon ? 'cordon' : 'uncordon')
      .description(cordon ? 'Mark node as unschedulable' : 'Mark node as schedulable')
      .argument('[node...]', 'node names')
      .action(async (names: string[]) => {
        const c = ctx();
        await setSchedulable(c, await getNodes(c, names, use), cordon);
      });
  }
}
