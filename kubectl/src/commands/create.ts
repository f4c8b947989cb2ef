// `keelctl create`: from files (-f), or generated: namespace, deployment, job, configmap — with --dry-run and -o to print instead.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { lookupKind } from '@keelson/api';
import { dryRunSuffix, modifiedConfiguration, parseDryRun, SourcedError, type DryRun } from '../applier';
import type { CommandContext } from '../context';
import { CliError, describeError, ExitCode } from '../errors';
import { loadManifests, type Manifest } from '../manifests';
import { asJson, dropNulls, metadataOf, str, type JsonObject } from '../objects';
import { collect, intFlag } from '../ops/flags';
import { parseOutput, printObjects, withoutManagedFields, type OutputSpec } from '../printers';
import { objectName } from '../resources';

interface CreateFlags {
  filename?: string[];
  recursive?: boolean;
  dryRun?: string | boolean;
  output?: string;
  saveConfig?: boolean;
  fieldManager?: string;
}

interface Common {
  dryRun: DryRun;
  output: OutputSpec | undefined;
  saveConfig: boolean;
  fieldManager: string;
}

function common(flags: CreateFlags): Common {
  let dryRun: DryRun;
  try {
    dryRun = parseDryRun(flags.dryRun);
  } catch (e: unknown) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  return {
    dryRun,
    output: flags.output === undefined ? undefined : parseOutput(flags.output, ['name', 'yaml', 'json', 'jsonpath', 'jsonpath-file', 'custom-columns', 'custom-columns-file']),
    saveConfig: flags.saveConfig === true,
    fieldManager: flags.fieldManager ?? 'kubectl-create',
  };
}

/** Options every generator and -f share; commander puts them on `create`, so subcommands read them with optsWithGlobals. */
function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run [strategy]', 'none, client or server: print the object instead of (or as well as) creating it')
    .option('-o, --output <format>', 'yaml, json, name, jsonpath=… or custom-columns=…')
    .option('--save-config', 'record the configuration in the last-applied annotation, for a later `apply`')
    .option('--field-manager <name>', 'the name of the manager tracking field ownership');
}

export function registerCreate(program: Command, ctx: () => CommandContext): void {
  const create = addCommonOptions(
    program
      .command('create')
      .description('Create a resource from a file or from stdin, or generate one (namespace, deployment, job, configmap)')
      .option('-f, --filename <file>', 'file, directory or - (stdin) with the objects to create (repeatable)', collect)
      .option('-R, --recursive', 'process the directory given with -f recursively'),
  ).action(async (flags: CreateFlags) => {
    const c = ctx();
    if ((flags.filename ?? []).length === 0) throw new CliError('must specify one of -f and -k');
    const manifests = await loadManifests(c, { filenames: flags.filename ?? [], recursive: flags.recursive === true });
    if (manifests.length === 0) throw new CliError('no objects passed to create');
    await createAll(c, manifests, common(flags));
  });

  create
    .command('namespace')
    .alias('ns')
    .description('Create a namespace with the specified name')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const c = ctx();
      await createGenerated(c, { apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: null, name }, spec: {}, status: {} }, common(cmd.optsWithGlobals<CreateFlags>()));
    });

  create
    .command('deployment')
    .alias('deploy')
    .description('Create a deployment with the specified name')
    .argument('<name>')
    .option('--image <image>', 'image for the container (repeatable: one container each)', collect)
    .option('--replicas <n>', 'number of replicas', '1')
    .option('--port <port>', 'the port the first container exposes')
    .argument('[command...]', 'after --: the command the containers run')
    .action(async (name: string, command: string[], o: { image?: string[]; replicas: string; port?: string }, cmd: Command) => {
      const c = ctx();
      const images = o.image ?? [];
      if (images.length === 0) throw new CliError('required flag(s) "image" not set');
      const replicas = intFlag(o.replicas, 'replicas') ?? 1;
      const port = intFlag(o.port, 'port');
      const labels = { app: name };
      const used = new Set<string>();
      const containers = images.map((image): JsonObject => {
        const cname = uniqueName(containerName(image), used);
        return { name: cname, image, ...(command.length > 0 ? { command } : {}), resources: {} };
      });
      const first = containers[0];
      if (port !== undefined && first !== undefined) first['ports'] = [{ containerPort: port }];
      const object: JsonObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { creationTimestamp: null, labels, name, ...namespaceIfExplicit(c) },
        spec: {
          replicas,
          selector: { matchLabels: labels },
          strategy: {},
          template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
        },
        status: {},
      };
      await createGenerated(c, object, common(cmd.optsWithGlobals<CreateFlags>()));
    });

  create
    .command('job')
    .description('Create a job with the specified name')
    .argument('<name>')
    .argument('[command...]', 'after --: the command the container runs')
    .option('--image <image>', 'image for the container')
    .action(async (name: string, command: string[], o: { image?: string }, cmd: Command) => {
      const c = ctx();
      if (o.image === undefined || o.image === '') throw new CliError('--image must be specified');
      const object: JsonObject = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { creationTimestamp: null, name, ...namespaceIfExplicit(c) },
        spec: {
          template: {
            metadata: { creationTimestamp: null },
            spec: { containers: [{ name, image: o.image, ...(command.length > 0 ? { command } : {}), resources: {} }], restartPolicy: 'Never' },
          },
        },
        status: {},
      };
      await createGenerated(c, object, common(cmd.optsWithGlobals<CreateFlags>()));
    });

  create
    .command('configmap')
    .alias('cm')
    .description('Create a config map from literal values or files')
    .argument('<name>')
    .option('--from-literal <key=value>', 'a key and literal value (repeatable)', collect)
    .option('--from-file <[key=]path>', 'a file (key: its base name) (repeatable)', collect)
    .action(async (name: string, o: { fromLiteral?: string[]; fromFile?: string[] }, cmd: Command) => {
      const c = ctx();
      const data: JsonObject = {};
      const put = (key: string, value: string): void => {
        if (Object.hasOwn(data, key)) throw new CliError(`cannot add key ${key}, another key by that name already exists in Data for ConfigMap "${name}"`);
        data[key] = value;
      };
      for (const lit of o.fromLiteral ?? []) {
        const i = lit.indexOf('=');
        if (i <= 0) throw new CliError(`invalid literal source ${lit}, expected key=value`);
        put(lit.slice(0, i), lit.slice(i + 1));
      }
      for (const spec of o.fromFile ?? []) {
        const i = spec.indexOf('=');
        const [key, path] = i > 0 ? [spec.slice(0, i), spec.slice(i + 1)] : [basename(spec), spec];
        try {
          put(key, readFileSync(path, 'utf8'));
        } catch (e: unknown) {
          if (e instanceof CliError) throw e;
          throw new CliError(`error reading ${path}: no such file or directory`);
        }
      }
      const object: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { creationTimestamp: null, name, ...namespaceIfExplicit(c) } };
      if (Object.keys(data).length > 0) object['data'] = data;
      await createGenerated(c, object, common(cmd.optsWithGlobals<CreateFlags>()));
    });
}

/** kubectl puts `-n` into generated objects only when it was given. */
function namespaceIfExplicit(c: CommandContext): JsonObject {
  return c.namespaceExplicit() ? { namespace: c.namespace() } : {};
}

/** `registry/team/nginx:1.25` → `nginx`, `_` made `-`, as kubectl names a deployment's containers. */
function containerName(image: string): string {
  let name = image.split('/').pop() ?? image;
  name = name.split('@')[0] ?? name;
  name = name.split(':')[0] ?? name;
  return name.replace(/_/g, '-');
}

function uniqueName(name: string, used: Set<string>): string {
  let n = name;
  for (let i = 2; used.has(n); i++) n = `${name}-${i}`;
  used.add(n);
  return n;
}

/** A generated object: printed as is with --dry-run=client, else created (namespace defaulted). */
async function createGenerated(c: CommandContext, object: JsonObject, o: Common): Promise<void> {
  const info = lookupKind(str(object['apiVersion']) ?? '', str(object['kind']) ?? '');
  if (info === undefined) throw new Error(`no resource for ${str(object['kind']) ?? ''}`);
  const name = str(metadataOf(object)['name']) ?? '';
  if (o.dryRun === 'client') {
    print(c, o, [{ info, object, name }]);
    return;
  }
  const toSend = dropNulls(object) as JsonObject;
  if (info.namespaced) metadataOf(toSend)['namespace'] = c.namespace();
  else delete metadataOf(toSend)['namespace'];
  const manifest: Manifest = { source: '', document: 1, object: toSend, info, name, namespace: info.namespaced ? c.namespace() : undefined };
  await createAll(c, [manifest], o);
}

async function createAll(c: CommandContext, manifests: readonly Manifest[], o: Common): Promise<void> {
  const errors: string[] = [];
  const created: { info: Manifest['info']; object: JsonObject; name: string }[] = [];
  for (const m of manifests) {
    const object = o.saveConfig ? modifiedConfiguration(m.object, true).object : m.object;
    if (o.dryRun === 'client') {
      created.push({ info: m.info, object, name: m.name });
      continue;
    }
    const rc = m.namespace !== undefined ? c.client().resource(m.info).namespace(m.namespace) : c.client().resource(m.info);
    try {
      const result = asJson(await rc.create(object, { fieldManager: o.fieldManager, ...(o.dryRun === 'server' ? { dryRun: true } : {}) })) as JsonObject;
      created.push({ info: m.info, object: withoutManagedFields(result), name: m.name });
    } catch (e: unknown) {
      errors.push(m.source !== '' ? new SourcedError('creating', m.source, e).describe() : describeError(e));
    }
  }
  print(c, o, created);
  if (errors.length > 0) {
    for (const e of errors) c.err.write(`${e}\n`);
    throw new ExitCode(1);
  }
}

function print(c: CommandContext, o: Common, items: readonly { info: Manifest['info']; object: JsonObject; name: string }[]): void {
  if (o.output === undefined || o.output.type === 'table') {
    for (const i of items) c.out.write(`${objectName(i.info, i.name)} created${dryRunSuffix(o.dryRun)}\n`);
    return;
  }
  printObjects(c.out, o.output, items.map((i) => ({ info: i.info, object: i.object })), items.length === 1);
}
