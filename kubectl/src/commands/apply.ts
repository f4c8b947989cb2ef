// `keelctl apply -f`: client-side three-way apply (the last-applied annotation) or --server-side apply, with dry runs.
import type { Command } from 'commander';
import { ConflictError, StatusError } from '@keelson/api';
import { clientSideApply, dryRunSuffix, manifestName, parseDryRun, resourceFor, SourcedError, type DryRun } from '../applier';
import type { CommandContext } from '../context';
import { CliError, describeError, ExitCode } from '../errors';
import { loadManifests, type Manifest } from '../manifests';
import { asJson, type JsonObject } from '../objects';
import { collect } from '../ops/flags';
import { parseOutput, toJsonText, toYaml, withoutManagedFields, type OutputSpec } from '../printers';

interface ApplyFlags {
  filename?: string[];
  recursive?: boolean;
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
  dryRun?: string | boolean;
  output?: string;
}

const conflictHelp = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

export function registerApply(program: Command, ctx: () => CommandContext): void {
  program
    .command('apply')
    .description('Apply a configuration to a resource by file name or stdin')
    .option('-f, --filename <file>', 'file, directory or - (stdin) with the configuration (repeatable)', collect)
    .option('-R, --recursive', 'process the directory given with -f recursively')
    .option('--server-side', 'apply on the server (server-side apply) instead of the client')
    .option('--force-conflicts', 'with --server-side: take ownership of fields other managers own')
    .option('--field-manager <name>', 'the name of the manager tracking field ownership')
    .option('--dry-run [strategy]', 'none, client or server: only print what would be sent')
    .option('-o, --output <format>', 'name, yaml or json')
    .action(async (flags: ApplyFlags) => {
      await runApply(ctx(), flags);
    });
}

async function runApply(c: CommandContext, flags: ApplyFlags): Promise<void> {
  const dryRun = parseDryRunFlag(flags.dryRun);
  if ((flags.filename ?? []).length === 0) throw new CliError('must specify one of -f and -k');
  if (flags.forceConflicts && !flags.serverSide) throw new CliError('--force-conflicts only works with --server-side');
  if (flags.serverSide && dryRun === 'client') throw new CliError('--dry-run=client doesn\'t work with --server-side (did you mean --dry-run=server instead?)');
  const output = flags.output === undefined ? undefined : parseOutput(flags.output, ['name', 'yaml', 'json']);
  const manifests = await loadManifests(c, { filenames: flags.filename ?? [], recursive: flags.recursive === true });
  if (manifests.length === 0) throw new CliError('no objects passed to apply');
  const report = reporter(c, output, dryRun);
  const errors: string[] = [];
  for (const m of manifests) {
    try {
      if (flags.serverSide) {
        const object = await serverSideApply(c, m, dryRun, flags.fieldManager ?? 'kubectl', flags.forceConflicts === true);
        report(m, 'serverside-applied', object);
      } else {
        const r = await clientSideApply(c, m, { dryRun, fieldManager: flags.fieldManager ?? 'kubectl-client-side-apply' });
        report(m, r.operation, r.object);
      }
    } catch (e: unknown) {
      errors.push(e instanceof SourcedError ? e.describe() : describeError(e));
    }
  }
  if (errors.length > 0) {
    for (const e of errors) c.err.write(`${e}\n`);
    throw new ExitCode(1);
  }
}

function parseDryRunFlag(v: string | boolean | undefined): DryRun {
  try {
    return parseDryRun(v);
  } catch (e: unknown) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

async function serverSideApply(c: CommandContext, m: Manifest, dryRun: DryRun, fieldManager: string, force: boolean): Promise<JsonObject> {
  try {
    const result = await resourceFor(c, m).apply(m.object, { fieldManager, force, ...(dryRun === 'server' ? { dryRun: true } : {}) });
    return asJson(result) as JsonObject;
  } catch (e: unknown) {
    if (e instanceof ConflictError || (e instanceof StatusError && e.code === 409)) throw new CliError(`${e.message}\n${conflictHelp}`);
    throw new SourcedError('patching', m.source, e);
  }
}

/** Prints each applied object: `deployment.apps/web configured`, or in the -o format (YAML documents separated by `---`). */
function reporter(c: CommandContext, output: OutputSpec | undefined, dryRun: DryRun): (m: Manifest, operation: string, object: JsonObject) => void {
  let documents = 0;
  return (m, operation, object) => {
    if (output === undefined) c.out.write(`${manifestName(m)} ${operation}${dryRunSuffix(dryRun)}\n`);
    else if (output.type === 'name') c.out.write(`${manifestName(m)}\n`);
    else if (output.type === 'yaml') c.out.write(`${documents++ > 0 ? '---\n' : ''}${toYaml(withoutManagedFields(object))}`);
    else if (output.type === 'json') c.out.write(toJsonText(withoutManagedFields(object)));
  };
}
