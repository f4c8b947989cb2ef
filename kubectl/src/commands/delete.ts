// `keelctl delete`: by file, by TYPE NAME…, by label or field selector, or --all; cascade policy, grace period, and waiting until gone.
import type { Command } from 'commander';
import { NotFoundError, type ResourceInfo, type Status } from '@keelson/api';
import type { ObjectLike } from '@keelson/client';
import { dryRunSuffix, parseDryRun, SourcedError, type DryRun } from '../applier';
import type { CommandContext } from '../context';
import { CliError, describeError, ExitCode } from '../errors';
import { loadManifests } from '../manifests';
import { boolFlag, collect, durationFlag, intFlag } from '../ops/flags';
import { untilWithSync } from '../ops/watch';
import { kindName, parseResourceArgs } from '../resources';

interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  cascade?: string | boolean;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  wait?: string | boolean;
  timeout?: string;
  ignoreNotFound?: string | boolean;
  dryRun?: string | boolean;
  output?: string;
}

/** One object to delete, and the file it came from (for error messages). */
interface Target {
  info: ResourceInfo;
  name: string;
  namespace: string | undefined;
  source?: string;
}

type Propagation = 'Background' | 'Foreground' | 'Orphan';

export function registerDelete(program: Command, ctx: () => CommandContext): void {
  program
    .command('delete')
    .description('Delete resources by file names, stdin, resources and names, or by resources and label selector')
    .usage('([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]')
    .argument('[args...]', 'TYPE NAME…, TYPE/NAME…, or TYPE with -l/--all')
    .option('-f, --filename <file>', 'file, directory or - (stdin) naming the objects to delete (repeatable)', collect)
    .option('-R, --recursive', 'process the directory given with -f recursively')
    .option('-l, --selector <selector>', 'delete the objects this label selector matches')
    .option('--field-selector <selector>', 'delete the objects this field selector matches')
    .option('--all', 'delete every object of the resource types in the namespace')
    .option('-A, --all-namespaces', 'with -l or --all: in every namespace')
    .option('--cascade [strategy]', 'background, foreground or orphan: what happens to dependents', 'background')
    .option('--grace-period <seconds>', 'seconds the object has to terminate gracefully (-1: its default)')
    .option('--now', 'end the objects at once (grace period 1)')
    .option('--force', 'delete immediately, without waiting for confirmation that the object is gone')
    .option('--wait [bool]', 'wait until the objects are gone before returning (default true)')
    .option('--timeout <duration>', 'how long to wait for the deletion (0: a week)')
    .option('--ignore-not-found [bool]', 'treat "resource not found" as a successful delete')
    .option('--dry-run [strategy]', 'none, client or server')
    .option('-o, --output <format>', 'name: print only resource/name')
    .action(async (args: string[], flags: DeleteFlags) => {
      await runDelete(ctx(), args, flags);
    });
}

function propagationOf(v: string | boolean | undefined, c: CommandContext): Propagation {
  switch (v) {
    case undefined:
    case true:
    case 'background':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
      return 'Orphan';
    case 'true':
      c.err.write('warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background.\n');
      return 'Background';
    case 'false':
      c.err.write('warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n');
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${String(v)}). Must be "background", "foreground", or "orphan".`);
  }
}

async function runDelete(c: CommandContext, args: string[], flags: DeleteFlags): Promise<void> {
  if (flags.output !== undefined && flags.output !== 'name') throw new CliError(`unexpected -o output mode: ${flags.output}. We only support '-o name'`);
  if (flags.all && flags.selector !== undefined) throw new CliError('cannot set --all and --selector at the same time');
  if (flags.all && flags.fieldSelector !== undefined) throw new CliError('cannot set --all and --field-selector at the same time');
  let dryRun: DryRun;
  try {
    dryRun = parseDryRun(flags.dryRun);
  } catch (e: unknown) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const propagation = propagationOf(flags.cascade, c);
  let grace = intFlag(flags.gracePeriod, 'grace-period') ?? -1;
  if (flags.now) {
    if (grace !== -1) throw new CliError('--now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (grace === 0 && !flags.force) grace = 1; // kubectl turns --grace-period=0 into 1 unless --force
  if (flags.force && grace < 0) grace = 0;
  if (flags.force && grace > 0) throw new CliError('--force and --grace-period greater than 0 cannot be specified together');
  if (flags.force && grace === 0) {
    c.err.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  }
  const selecting = flags.all === true || flags.selector !== undefined || flags.fieldSelector !== undefined;
  // With --all or a selector, objects vanishing meanwhile are not errors (unless asked).
  const ignoreNotFound = boolFlag(flags.ignoreNotFound, 'ignore-not-found') ?? selecting;
  const wait = boolFlag(flags.wait, 'wait') ?? true;
  const timeoutMs = durationFlag(flags.timeout, 'timeout') ?? 0;

  const targets = await targetsOf(c, args, flags, selecting);
  const errors: string[] = [];
  const waitFor: { target: Target; uid: string | undefined }[] = [];
  let warnedClusterScope = false;
  for (const t of targets) {
    if (c.namespaceExplicit() && !flags.allNamespaces && !t.info.namespaced && !warnedClusterScope) {
      c.err.write('warning: deleting cluster-scoped resources, not scoped to the provided namespace\n');
      warnedClusterScope = true;
    }
    const label = kindName(t.info);
    const print = (): void => {
      if (flags.output === 'name') c.out.write(`${label}/${t.name}\n`);
      else c.out.write(`${label} "${t.name}" ${grace === 0 ? 'force deleted' : 'deleted'}${dryRunSuffix(dryRun)}\n`);
    };
    if (dryRun === 'client') {
      print();
      continue;
    }
    const rc = t.namespace !== undefined ? c.client().resource(t.info).namespace(t.namespace) : c.client().resource(t.info);
    try {
      const answer = await rc.delete(t.name, {
        propagationPolicy: propagation,
        ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}),
        ...(dryRun === 'server' ? { dryRun: true } : {}),
      });
      print();
      // A Status answer means it is gone already; an object answer is still there (graceful deletion, finalizers).
      if ((answer as Status).kind !== 'Status') waitFor.push({ target: t, uid: (answer as { metadata?: { uid?: string } }).metadata?.uid });
    } catch (e: unknown) {
      if (e instanceof NotFoundError && ignoreNotFound) continue;
      errors.push(t.source !== undefined ? new SourcedError('deleting', t.source, e).describe() : describeError(e));
    }
  }
  if (targets.length === 0 && errors.length === 0) c.out.write('No resources found\n');
  if (wait && dryRun === 'none') {
    for (const { target, uid } of waitFor) {
      const err = await waitUntilGone(c, target, uid, timeoutMs);
      if (err !== undefined) errors.push(err);
    }
  }
  if (errors.length > 0) {
    for (const e of errors) c.err.write(`${e}\n`);
    throw new ExitCode(1);
  }
}

async function targetsOf(c: CommandContext, args: readonly string[], flags: DeleteFlags, selecting: boolean): Promise<Target[]> {
  const files = flags.filename ?? [];
  if (files.length > 0) {
    if (args.length > 0) throw new CliError('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    const manifests = await loadManifests(c, { filenames: files, recursive: flags.recursive === true });
    return manifests.map((m) => ({ info: m.info, name: m.name, namespace: m.namespace, source: m.source }));
  }
  if (args.length === 0) {
    throw new CliError(
      "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  }
  const parsed = parseResourceArgs(args, 'delete');
  const ns = (info: ResourceInfo): string | undefined => (info.namespaced ? c.namespace() : undefined);
  if (parsed.form === 'pairs') {
    if (selecting) throw new CliError('name cannot be provided when a selector is specified');
    return parsed.items.map(({ info, name }) => ({ info, name, namespace: ns(info) }));
  }
  if (parsed.names.length > 0) {
    if (selecting) throw new CliError('name cannot be provided when a selector is specified');
    return parsed.types.flatMap((info) => parsed.names.map((name) => ({ info, name, namespace: ns(info) })));
  }
  if (!selecting) throw new CliError('resource(s) were provided, but no name was specified');
  const out: Target[] = [];
  for (const info of parsed.types) {
    const rc = c.client().resource(info);
    const scoped = flags.allNamespaces ? rc.allNamespaces() : rc.namespace(c.namespace());
    const list = await scoped.listAll({
      ...(flags.selector !== undefined ? { labelSelector: flags.selector } : {}),
      ...(flags.fieldSelector !== undefined ? { fieldSelector: flags.fieldSelector } : {}),
    });
    for (const item of list.items) out.push({ info, name: item.metadata?.name ?? '', namespace: info.namespaced ? item.metadata?.namespace : undefined });
  }
  return out;
}

/** Waits until the object is gone (or replaced by one with another UID); an error line on timeout. */
async function waitUntilGone(c: CommandContext, t: Target, uid: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const rc = t.namespace !== undefined ? c.client().resource(t.info).namespace(t.namespace) : c.client().resource(t.info);
  const gone = (o: ObjectLike | undefined): boolean => o === undefined || (uid !== undefined && o.metadata?.uid !== uid);
  const result = await untilWithSync(
    rc,
    t.name,
    {
      synced: gone,
      changed: (type, o) => (type === 'DELETED' && (uid === undefined || o.metadata?.uid === uid)) || (type !== 'DELETED' && gone(o)),
    },
    { clock: c.clock, timeoutMs: timeoutMs > 0 ? timeoutMs : 7 * 24 * 3_600_000 },
  );
  return result === 'done' ? undefined : `error: timed out waiting for the condition on ${t.info.resource}/${t.name}`;
}
