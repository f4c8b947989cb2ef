// `keelctl diff -f`: the live objects against what a server-side dry-run apply would make of them, as a unified diff; exit 1 when they differ.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { apiVersionOf } from '@keelson/api';
import { lastApplied, lastAppliedAnnotation, liveObject, modifiedConfiguration, resourceFor, SourcedError, threeWayPatch } from '../applier';
import type { CommandContext } from '../context';
import { CliError, describeError, ExitCode } from '../errors';
import { loadManifests, type Manifest } from '../manifests';
import { asJson, goJson, isObject, type JsonObject } from '../objects';
import { collect } from '../ops/flags';
import { toYaml, withoutManagedFields } from '../printers';
import { unifiedDiff } from '../udiff';

interface DiffFlags {
  filename?: string[];
  recursive?: boolean;
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
  showManagedFields?: boolean;
}

export function registerDiff(program: Command, ctx: () => CommandContext): void {
  program
    .command('diff')
    .description('Diff the live version against a would-be applied version')
    .option('-f, --filename <file>', 'file, directory or - (stdin) with the configuration (repeatable)', collect)
    .option('-R, --recursive', 'process the directory given with -f recursively')
    .option('--server-side', 'compare against a server-side apply instead of a client-side one')
    .option('--force-conflicts', 'with --server-side: take ownership of fields other managers own')
    .option('--field-manager <name>', 'the name of the manager tracking field ownership')
    .option('--show-managed-fields', 'include metadata.managedFields in the diff')
    .addHelpText(
      'after',
      '\nExit status: 0 no differences, 1 differences found, >1 keelctl or diff failed.\nKUBECTL_EXTERNAL_DIFF names a program to run on the LIVE and MERGED directories instead of the built-in unified diff.',
    )
    .action(async (flags: DiffFlags) => {
      const c = ctx();
      let differences: boolean;
      try {
        differences = await runDiff(c, flags);
      } catch (e: unknown) {
        if (e instanceof ExitCode) throw e;
        // kubectl diff keeps exit 1 for "differences found": its own failures exit 2 or more.
        c.err.write(`${e instanceof SourcedError ? e.describe() : describeError(e)}\n`);
        throw new ExitCode(2);
      }
      if (differences) throw new ExitCode(1);
    });
}

/** kubectl's file name for an object: `apps.v1.Deployment.default.web`, `v1.Namespace..prod`. */
export function diffFileName(m: Manifest): string {
  const group = m.info.group === '' ? '' : `${m.info.group}.`;
  return `${group}${m.info.version}.${m.info.kind}.${m.namespace ?? ''}.${m.name}`;
}

interface Pair {
  name: string;
  live: string;
  merged: string;
}

async function runDiff(c: CommandContext, flags: DiffFlags): Promise<boolean> {
  if ((flags.filename ?? []).length === 0) throw new CliError('must specify one of -f and -k');
  const manifests = await loadManifests(c, { filenames: flags.filename ?? [], recursive: flags.recursive === true });
  const pairs: Pair[] = [];
  for (const m of manifests) {
    const live = await liveObject(c, m);
    const merged = await dryRunApply(c, m, live, flags);
    const show = (o: JsonObject | undefined): string => (o === undefined ? '' : toYaml(prepare(o, m, flags)));
    const [l, r] = maskSecrets(m, live, merged);
    pairs.push({ name: diffFileName(m), live: show(l), merged: show(r) });
  }
  const external = c.env['KUBECTL_EXTERNAL_DIFF'];
  if (external !== undefined && external.trim() !== '') return runExternal(c, external, pairs);
  let differences = false;
  for (const p of pairs) {
    const hunks = unifiedDiff(p.live, p.merged);
    if (hunks === '') continue;
    differences = true;
    c.out.write(`diff -u -N LIVE/${p.name} MERGED/${p.name}\n--- LIVE/${p.name}\n+++ MERGED/${p.name}\n${hunks}`);
  }
  return differences;
}

/** What the server would store: a dry-run patch (client-side apply's three-way patch, or server-side apply), or a dry-run create. */
async function dryRunApply(c: CommandContext, m: Manifest, live: JsonObject | undefined, flags: DiffFlags): Promise<JsonObject> {
  const rc = resourceFor(c, m);
  try {
    if (flags.serverSide) {
      return asJson(await rc.apply(m.object, { fieldManager: flags.fieldManager ?? 'kubectl', force: flags.forceConflicts === true, dryRun: true })) as JsonObject;
    }
    const fieldManager = flags.fieldManager ?? 'kubectl-client-side-apply';
    if (live === undefined) {
      return asJson(await rc.create(modifiedConfiguration(m.object, true).object, { dryRun: true, fieldManager })) as JsonObject;
    }
    const patch = threeWayPatch(m, live);
    if (Object.keys(patch).length === 0) return live;
    return asJson(await rc.patch(m.name, 'strategic', patch, { dryRun: true, fieldManager })) as JsonObject;
  } catch (e: unknown) {
    throw new SourcedError(live === undefined ? 'creating' : 'patching', m.source, e);
  }
}

function prepare(o: JsonObject, m: Manifest, flags: DiffFlags): JsonObject {
  const typed: JsonObject = { ...o, apiVersion: apiVersionOf(m.info), kind: m.info.kind };
  return flags.showManagedFields ? typed : withoutManagedFields(typed);
}

/**
 * Secret values never reach the terminal: `***`, or `*** (before)` / `*** (after)` where they
 * changed, as kubectl's masker does — in `data` and `stringData`, and in the last-applied
 * annotation, which holds a copy of them.
 */
function maskSecrets(m: Manifest, live: JsonObject | undefined, merged: JsonObject): [JsonObject | undefined, JsonObject] {
  if (m.info.kind !== 'Secret') return [live, merged];
  const [l, r] = maskData(live, merged);
  const [la, ra] = maskData(l && lastApplied(l), r && lastApplied(r));
  return [withLastApplied(l, la), withLastApplied(r, ra) ?? merged];
}

function maskData(before: JsonObject | undefined, after: JsonObject | undefined): [JsonObject | undefined, JsonObject | undefined] {
  const b = before && { ...before };
  const a = after && { ...after };
  for (const field of ['data', 'stringData']) {
    const bv = b?.[field];
    const av = a?.[field];
    const old = isObject(bv) ? bv : {};
    const now = isObject(av) ? av : {};
    const masked = (values: JsonObject, other: JsonObject, suffix: string): JsonObject =>
      Object.fromEntries(Object.keys(values).map((k) => [k, values[k] === other[k] ? '***' : `*** (${suffix})`]));
    if (b && isObject(bv)) b[field] = masked(old, now, 'before');
    if (a && isObject(av)) a[field] = masked(now, old, 'after');
  }
  return [b, a];
}

function withLastApplied(o: JsonObject | undefined, config: JsonObject | undefined): JsonObject | undefined {
  if (o === undefined || config === undefined || !isObject(o['metadata'])) return o;
  const meta = o['metadata'];
  const annotations = isObject(meta['annotations']) ? meta['annotations'] : {};
  return { ...o, metadata: { ...meta, annotations: { ...annotations, [lastAppliedAnnotation]: `${goJson(config)}\n` } } };
}

/** KUBECTL_EXTERNAL_DIFF: writes LIVE-* and MERGED-* directories and runs the program on them; its exit code is ours. */
async function runExternal(c: CommandContext, command: string, pairs: readonly Pair[]): Promise<boolean> {
  const root = mkdtempSync(join(tmpdir(), 'keelctl-diff-'));
  const liveDir = mkdtempSync(join(root, 'LIVE-'));
  const mergedDir = mkdtempSync(join(root, 'MERGED-'));
  try {
    for (const p of pairs) {
      writeFileSync(join(liveDir, p.name), p.live);
      writeFileSync(join(mergedDir, p.name), p.merged);
    }
    const [program, ...args] = command.trim().split(/\s+/);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(program ?? 'diff', [...args, liveDir, mergedDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => c.out.write(d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => c.err.write(d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (n) => resolve(n ?? 2));
    });
    if (code > 1) throw new ExitCode(code);
    return code === 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
