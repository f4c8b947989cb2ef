// What the user typed → resources: `deploy`, `pods,svc`, `all`, `deployment/web`, and kubectl's names for them (`deployment.apps/web`).
import { resources, type ResourceInfo } from '@keelson/api';
import { CliError } from './errors';
import { resolveType } from './ops/targets';

export { groupResource, kindName, objectName, resolveType } from './ops/targets';

/** The resources `keelctl get all` shows: the "all" category, core group first, each group by name. */
export function allCategory(): ResourceInfo[] {
  const groups = [...new Set(resources.map((r) => r.group))];
  return resources
    .filter((r) => r.categories.includes('all'))
    .sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || a.resource.localeCompare(b.resource));
}

/** `pods,svc` or `all` → resources, without duplicates, in the order given. */
export function resolveTypes(list: string): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const part of list.split(',')) {
    if (part === '') continue;
    const infos = part.toLowerCase() === 'all' ? allCategory() : [resolveType(part)];
    for (const info of infos) if (!out.includes(info)) out.push(info);
  }
  if (out.length === 0) throw new CliError(`the server doesn't have a resource type "${list}"`);
  return out;
}

/** What `get`/`describe`/`delete` arguments name. */
export type ResourceArgs =
  /** `TYPE[,TYPE…] [NAME…]`: with no names, every object of the types. */
  | { form: 'types'; types: ResourceInfo[]; names: string[] }
  /** `TYPE/NAME [TYPE/NAME…]`. */
  | { form: 'pairs'; items: { info: ResourceInfo; name: string }[] };

/** Parses positional arguments the way kubectl's ResourceTypeOrNameArgs does. */
export function parseResourceArgs(args: readonly string[], command: string): ResourceArgs {
  const [first, ...rest] = args;
  if (first === undefined) {
    throw new CliError(`you must specify the type of resource to ${command}. Use "keelctl api-resources" for a complete list of supported resources.`);
  }
  if (first.includes('/')) {
    const items = args.map((arg) => {
      const i = arg.indexOf('/');
      if (i <= 0 || i === arg.length - 1) {
        throw new CliError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'keelctl ${command} resource/<resource_name>' instead of 'keelctl ${command} resource resource/<resource_name>'`,
        );
      }
      return { info: resolveType(arg.slice(0, i)), name: arg.slice(i + 1) };
    });
    return { form: 'pairs', items };
  }
  if (rest.some((a) => a.includes('/'))) {
    throw new CliError(
      `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'keelctl ${command} resource/<resource_name>' instead of 'keelctl ${command} resource resource/<resource_name>'`,
    );
  }
  return { form: 'types', types: resolveTypes(first), names: rest };
}
