// Turning `TYPE/NAME …` or `TYPE NAME …` arguments into resources, and naming them as kubectl prints them.
import { resolveResourceName, type ResourceInfo } from '@keelson/api';
import { CliError } from '../errors';

/** One object a command was asked to act on. */
export interface Target {
  info: ResourceInfo;
  name: string;
}

/** The resource a user typed (`deploy`, `deployments.apps`, `Deployment`), or kubectl's error. */
export function resolveType(type: string): ResourceInfo {
  const info = resolveResourceName(type)[0];
  if (info === undefined) throw new CliError(`the server doesn't have a resource type "${type}"`);
  return info;
}

/**
 * `TYPE/NAME [TYPE/NAME…]` or `TYPE NAME [NAME…]`, as kubectl's builder reads them. `TYPE` alone
 * comes back with `names` empty, for commands that then select by label (`-l`) or `--all`.
 */
export function parseTargets(args: readonly string[]): { targets: Target[]; typeOnly?: ResourceInfo } {
  const first = args[0];
  if (first === undefined) return { targets: [] };
  if (first.includes('/')) {
    return {
      targets: args.map((arg) => {
        const slash = arg.indexOf('/');
        if (slash < 0) {
          throw new CliError(
            "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'keelctl get resource/<resource_name>' instead of 'keelctl get resource resource/<resource_name>'",
          );
        }
        const name = arg.slice(slash + 1);
        if (name === '') throw new CliError(`arguments in resource/name form must have a single resource and name`);
        return { info: resolveType(arg.slice(0, slash)), name };
      }),
    };
  }
  const info = resolveType(first);
  const names = args.slice(1);
  for (const n of names) {
    if (n.includes('/')) {
      throw new CliError(
        "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'keelctl get resource/<resource_name>' instead of 'keelctl get resource resource/<resource_name>'",
      );
    }
  }
  if (names.length === 0) return { targets: [], typeOnly: info };
  return { targets: names.map((name) => ({ info, name })) };
}

/** Targets that must each name an object: `TYPE` alone is kubectl's "no name was specified". */
export function requireNamedTargets(args: readonly string[], none = 'required resource not specified'): Target[] {
  if (args.length === 0) throw new CliError(none);
  const { targets, typeOnly } = parseTargets(args);
  if (typeOnly !== undefined) throw new CliError('resource(s) were provided, but no name was specified');
  return targets;
}

/** `deployment.apps`, `pod`: the name printer's prefix. */
export function kindName(info: ResourceInfo): string {
  const kind = info.kind.toLowerCase();
  return info.group === '' ? kind : `${kind}.${info.group}`;
}

/** `deployment.apps/web`, `pod/p`: how kubectl names an object it acted on. */
export function objectName(info: ResourceInfo, name: string): string {
  return `${kindName(info)}/${name}`;
}

/** `deployments.apps`, `pods`: the group-qualified resource, as errors name it. */
export function groupResource(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/** `Deployment.apps`: a GroupKind as Go's `String()` prints it. */
export function groupKind(info: ResourceInfo): string {
  return info.group === '' ? info.kind : `${info.kind}.${info.group}`;
}
