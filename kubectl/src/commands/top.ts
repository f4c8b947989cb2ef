// `keelctl top nodes|pods`: cpu and memory use from each node's kubelet Summary API (nodes/{n}/proxy/stats/summary).
import type { Command } from 'commander';
import { parseQuantity, quantityToNumber, type Node } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { TabWriter, tableOptions } from '../tabwriter';

/** The parts of the kubelet's stats/v1alpha1 Summary `top` reads. */
interface Usage {
  cpu?: { usageNanoCores?: number };
  memory?: { workingSetBytes?: number };
}
interface Summary {
  node: { nodeName: string } & Usage;
  pods: ({ podRef: { name: string; namespace: string }; containers?: ({ name: string } & Usage)[] } & Usage)[];
}

/** Millicores as kubectl prints them (`250m`). */
export function formatCpu(nanoCores: number | undefined): string {
  return nanoCores === undefined ? '<unknown>' : `${Math.round(nanoCores / 1e6)}m`;
}

/** Mebibytes as kubectl prints them (`64Mi`). */
export function formatMemory(bytes: number | undefined): string {
  return bytes === undefined ? '<unknown>' : `${Math.round(bytes / (1024 * 1024))}Mi`;
}

async function summary(c: CommandContext, node: string): Promise<Summary | undefined> {
  try {
    return await c.client().request<Summary>({ method: 'GET', path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary` });
  } catch (e: unknown) {
    c.err.write(`warning: no metrics from node ${node}: ${(e as Error).message}\n`);
    return undefined;
  }
}

async function nodes(c: CommandContext, only?: string): Promise<Node[]> {
  const list = (await c.client().resource('v1', 'Node').list()).items;
  if (only === undefined) return list;
  const hit = list.filter((n) => n.metadata?.name === only);
  if (hit.length === 0) throw new CliError(`nodes "${only}" not found`);
  return hit;
}

export function registerTop(program: Command, ctx: () => CommandContext): void {
  const top = program.command('top').description('Display resource (CPU/memory) usage of nodes or pods');

  top
    .command('nodes')
    .alias('node')
    .alias('no')
    .description('Display resource (CPU/memory) usage of nodes')
    .argument('[name]', 'one node')
    .option('--no-headers', 'do not print headers')
    .action(async (name: string | undefined, flags: { headers: boolean }) => {
      const c = ctx();
      const tw = new TabWriter(tableOptions);
      if (flags.headers) tw.write('NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n');
      for (const n of await nodes(c, name)) {
        const nodeName = n.metadata?.name ?? '';
        const s = await summary(c, nodeName);
        const alloc = n.status?.allocatable ?? n.status?.capacity ?? {};
        const cpuCap = alloc['cpu'] !== undefined ? quantityToNumber(parseQuantity(alloc['cpu'])) * 1e9 : undefined;
        const memCap = alloc['memory'] !== undefined ? quantityToNumber(parseQuantity(alloc['memory'])) : undefined;
        const cpu = s?.node.cpu?.usageNanoCores;
        const mem = s?.node.memory?.workingSetBytes;
        const pct = (v: number | undefined, cap: number | undefined): string => (v === undefined || cap === undefined || cap === 0 ? '<unknown>' : `${Math.round((v / cap) * 100)}%`);
        tw.write(`${nodeName}\t${formatCpu(cpu)}\t${pct(cpu, cpuCap)}\t${formatMemory(mem)}\t${pct(mem, memCap)}\n`);
      }
      c.out.write(tw.flush());
    });

  top
    .command('pods')
    .alias('pod')
    .alias('po')
    .description('Display resource (CPU/memory) usage of pods')
    .argument('[name]', 'one pod')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .option('--containers', 'one line per container')
    .option('--no-headers', 'do not print headers')
    .action(async (name: string | undefined, flags: { allNamespaces?: boolean; containers?: boolean; headers: boolean }) => {
      const c = ctx();
      const ns = c.namespace();
      const rows: { namespace: string; pod: string; container?: string; usage: Usage }[] = [];
      for (const n of await nodes(c)) {
        const s = await summary(c, n.metadata?.name ?? '');
        for (const p of s?.pods ?? []) {
          if (flags.allNamespaces !== true && p.podRef.namespace !== ns) continue;
          if (name !== undefined && p.podRef.name !== name) continue;
          if (flags.containers === true) for (const ct of p.containers ?? []) rows.push({ namespace: p.podRef.namespace, pod: p.podRef.name, container: ct.name, usage: ct });
          else rows.push({ namespace: p.podRef.namespace, pod: p.podRef.name, usage: p });
        }
      }
      if (rows.length === 0) {
        if (name !== undefined) throw new CliError(`pods "${name}" not found`);
        c.err.write(flags.allNamespaces === true ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
        return;
      }
      rows.sort((a, b) => `${a.namespace}/${a.pod}/${a.container ?? ''}`.localeCompare(`${b.namespace}/${b.pod}/${b.container ?? ''}`));
      const tw = new TabWriter(tableOptions);
      const nsCol = flags.allNamespaces === true;
      if (flags.headers) tw.write(`${nsCol ? 'NAMESPACE\t' : ''}${flags.containers === true ? 'POD\tNAME' : 'NAME'}\tCPU(cores)\tMEMORY(bytes)\n`);
      for (const r of rows) {
        tw.write(`${nsCol ? `${r.namespace}\t` : ''}${r.pod}\t${r.container !== undefined ? `${r.container}\t` : ''}${formatCpu(r.usage.cpu?.usageNanoCores)}\t${formatMemory(r.usage.memory?.workingSetBytes)}\n`);
      }
      c.out.write(tw.flush());
    });
}
