// `keelctl describe`: a readable account of objects and their recent events, by TYPE NAME (or name prefix), TYPE/NAME, -l, or -f.
import type { Command } from 'commander';
import { NotFoundError, type ConfigMap, type Deployment, type Event, type Namespace, type Node, type Pod, type ReplicaSet, type ResourceInfo, type Service } from '@keelson/api';
import type { ObjectLike } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError, describeError, ExitCode } from '../errors';
import { describeConfigMap, describeDeployment, describeGeneric, describeNamespace, describeNode, describePod, describeReplicaSet, describeService, type DescribeContext } from '../describers';
import { loadManifests } from '../manifests';
import { asJson, type JsonObject } from '../objects';
import { boolFlag, collect } from '../ops/flags';
import { parseResourceArgs } from '../resources';

interface DescribeFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  allNamespaces?: boolean;
  showEvents?: string | boolean;
}

export function registerDescribe(program: Command, ctx: () => CommandContext): void {
  program
    .command('describe')
    .description('Show details of a specific resource or group of resources')
    .usage('(-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [flags]')
    .argument('[args...]', 'TYPE [NAME_PREFIX…], or TYPE/NAME…')
    .option('-f, --filename <file>', 'file, directory or - (stdin) naming the objects to describe (repeatable)', collect)
    .option('-R, --recursive', 'process the directory given with -f recursively')
    .option('-l, --selector <selector>', 'describe the objects this label selector matches')
    .option('-A, --all-namespaces', 'in every namespace')
    .option('--show-events [bool]', 'show the events of the object (default true)')
    .action(async (args: string[], flags: DescribeFlags) => {
      await runDescribe(ctx(), args, flags);
    });
}

interface Found {
  info: ResourceInfo;
  object: ObjectLike;
}

async function runDescribe(c: CommandContext, args: string[], flags: DescribeFlags): Promise<void> {
  const showEvents = boolFlag(flags.showEvents, 'show-events') ?? true;
  const found: Found[] = [];
  const errors: unknown[] = [];
  const scoped = (info: ResourceInfo, ns?: string) => {
    const rc = c.client().resource(info);
    if (ns !== undefined) return rc.namespace(ns);
    return flags.allNamespaces && info.namespaced ? rc.allNamespaces() : rc.namespace(c.namespace());
  };
  if ((flags.filename ?? []).length > 0) {
    for (const m of await loadManifests(c, { filenames: flags.filename ?? [], recursive: flags.recursive === true })) {
      try {
        found.push({ info: m.info, object: await scoped(m.info, m.namespace).get(m.name) });
      } catch (e: unknown) {
        errors.push(e);
      }
    }
  } else {
    const parsed = parseResourceArgs(args, 'describe');
    const named = parsed.form === 'pairs' ? parsed.items : parsed.types.flatMap((info) => parsed.names.map((name) => ({ info, name })));
    if (named.length > 0 && flags.selector !== undefined) throw new CliError('name cannot be provided when a selector is specified');
    for (const { info, name } of named) {
      const rc = scoped(info);
      try {
        found.push({ info, object: await rc.get(name) });
      } catch (e: unknown) {
        if (!(e instanceof NotFoundError)) throw e;
        // kubectl describes every object whose name starts with what was given.
        const prefixed = (await rc.listAll()).items.filter((o) => (o.metadata?.name ?? '').startsWith(name));
        if (prefixed.length === 0) errors.push(e);
        for (const object of prefixed) found.push({ info, object });
      }
    }
    if (parsed.form === 'types' && parsed.names.length === 0) {
      for (const info of parsed.types) {
        const list = await scoped(info).listAll(flags.selector !== undefined ? { labelSelector: flags.selector } : {});
        for (const object of list.items) found.push({ info, object });
      }
      if (found.length === 0 && errors.length === 0) {
        const namespaced = !flags.allNamespaces && parsed.types.every((t) => t.namespaced);
        c.err.write(namespaced ? `No resources found in ${c.namespace()} namespace.\n` : 'No resources found\n');
      }
    }
  }
  const now = c.clock.now();
  const texts: string[] = [];
  for (const f of found) {
    const events = showEvents && f.info.kind !== 'Namespace' ? await eventsFor(c, f) : undefined;
    texts.push(await describeOne(f, { client: c.client(), now, events }));
  }
  c.out.write(texts.join('\n\n'));
  if (errors.length > 0) {
    for (const e of errors) c.err.write(`${describeError(e)}\n`);
    throw new ExitCode(1);
  }
}

async function eventsFor(c: CommandContext, f: Found): Promise<Event[]> {
  const meta = f.object.metadata ?? {};
  const selector: Record<string, string> = { 'involvedObject.name': meta.name ?? '', 'involvedObject.kind': f.info.kind };
  if (meta.uid !== undefined) selector['involvedObject.uid'] = meta.uid;
  const rc = c.client().resource('v1', 'Event');
  if (f.info.namespaced) selector['involvedObject.namespace'] = meta.namespace ?? '';
  const scoped = f.info.namespaced ? rc.namespace(meta.namespace ?? c.namespace()) : rc.allNamespaces();
  return (await scoped.listAll({ fieldSelector: selector })).items;
}

async function describeOne(f: Found, dc: DescribeContext): Promise<string> {
  const { info, object } = f;
  const key = `${info.group}/${info.kind}`;
  switch (key) {
    case '/Pod':
      return describePod(object as Pod, dc);
    case 'apps/Deployment':
      return describeDeployment(object as Deployment, dc);
    case 'apps/ReplicaSet':
      return describeReplicaSet(object as ReplicaSet, dc);
    case '/Service':
      return describeService(object as Service, dc);
    case '/Node':
      return describeNode(object as Node, dc);
    case '/ConfigMap':
      return describeConfigMap(object as ConfigMap, dc);
    case '/Namespace':
      return describeNamespace(object as Namespace);
    default:
      return describeGeneric(asJson(object) as JsonObject, info, dc);
  }
}
