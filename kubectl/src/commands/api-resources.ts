// `keelctl api-resources`: the resources the server serves, from discovery (/api/v1 and each group's preferred version).
import type { Command } from 'commander';
import type { APIGroupList, APIResource, APIResourceList } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { boolFlag } from '../ops/flags';
import { table } from '../ops/format';

interface Flags {
  output?: string;
  namespaced?: string | boolean;
  apiGroup?: string;
  verbs?: string;
  sortBy?: string;
  headers?: boolean;
}

/** A discovered resource with the group version it was served under. */
interface Found extends APIResource {
  groupVersion: string;
  groupName: string;
}

/** Every top-level resource of the server's preferred versions (subresources left out), as kubectl's ServerPreferredResources. */
async function discover(c: CommandContext): Promise<Found[]> {
  const client = c.client();
  const lists: APIResourceList[] = [await client.request<APIResourceList>({ method: 'GET', path: '/api/v1' })];
  const groups = await client.request<APIGroupList>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
    if (gv !== undefined) lists.push(await client.request<APIResourceList>({ method: 'GET', path: `/apis/${gv}` }));
  }
  return lists.flatMap((l) => {
    const slash = l.groupVersion.indexOf('/');
    const groupName = slash < 0 ? '' : l.groupVersion.slice(0, slash);
    return l.resources.filter((r) => !r.name.includes('/') && r.verbs.length > 0).map((r) => ({ ...r, groupVersion: l.groupVersion, groupName }));
  });
}

export function registerApiResources(program: Command, ctx: () => CommandContext): void {
  program
    .command('api-resources')
    .description('Print the supported API resources on the server')
    .option('-o, --output <format>', 'wide or name')
    .option('--namespaced [bool]', 'true: only namespaced resources; false: only cluster-scoped ones')
    .option('--api-group <group>', 'only resources in this API group')
    .option('--verbs <verbs>', 'only resources that support all these verbs (comma-separated)')
    .option('--sort-by <field>', 'name or kind')
    .option('--no-headers', 'do not print headers')
    .action(async (flags: Flags) => {
      const c = ctx();
      const output = flags.output ?? '';
      if (!['', 'wide', 'name'].includes(output)) throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: name,wide`);
      if (flags.sortBy !== undefined && !['', 'name', 'kind'].includes(flags.sortBy)) throw new CliError('--sort-by accepts only name or kind');
      const namespaced = boolFlag(flags.namespaced, 'namespaced');
      const verbs = (flags.verbs ?? '').split(',').filter((v) => v !== '');
      let found = (await discover(c)).filter(
        (r) =>
          (namespaced === undefined || r.namespaced === namespaced) &&
          (flags.apiGroup === undefined || r.groupName === flags.apiGroup) &&
          verbs.every((v) => r.verbs.includes(v)),
      );
      const key = (r: Found): string => (flags.sortBy === 'name' ? r.name : flags.sortBy === 'kind' ? r.kind : r.groupName);
      found = found.map((r, i) => ({ r, i })).sort((a, b) => cmp(key(a.r), key(b.r)) || cmp(a.r.name, b.r.name) || a.i - b.i).map((x) => x.r);
      if (output === 'name') {
        c.out.write(found.map((r) => `${r.name}${r.groupName === '' ? '' : `.${r.groupName}`}\n`).join(''));
        return;
      }
      const wide = output === 'wide';
      const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
      const rows = found.map((r) => [r.name, (r.shortNames ?? []).join(','), r.groupVersion, String(r.namespaced), r.kind, ...(wide ? [r.verbs.join(','), (r.categories ?? []).join(',')] : [])]);
      c.out.write(table(flags.headers === false ? rows : [header, ...rows]));
    });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
