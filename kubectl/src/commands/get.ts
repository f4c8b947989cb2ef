// `keelctl get`: server-printed Tables (or yaml/json/name/jsonpath/custom-columns) for one or many resources, and -w to follow changes.
import type { Command } from 'commander';
import { apiVersionOf, NotFoundError, type ResourceInfo, type Table, type TableRow } from '@keelson/api';
import type { ResourceClient } from '@keelson/client';
import { parseDuration, type CommandContext } from '../context';
import { CliError, describeError } from '../errors';
import { asJson, isObject, scalarText, type JsonObject } from '../objects';
import { collect } from '../ops/flags';
import { parseOutput, printObjects, renderTables, rowCells, rowMetadata, headerCells, withoutManagedFields, type OutputSpec, type TableFlags, type TableGroup } from '../printers';
import { parseResourceArgs } from '../resources';
import { TabWriter, tableOptions } from '../tabwriter';

interface GetFlags {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  watchOnly?: boolean;
  outputWatchEvents?: boolean;
  showLabels?: boolean;
  showKind?: boolean;
  labelColumns?: string[];
  headers: boolean;
  ignoreNotFound?: boolean;
  showManagedFields?: boolean;
}

/** One resource type and what of it to get: some names, or a list. */
interface Request {
  info: ResourceInfo;
  names?: string[];
}

export function registerGet(program: Command, ctx: () => CommandContext): void {
  program
    .command('get')
    .description('Display one or many resources')
    .usage('[(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]')
    .argument('[args...]', 'TYPE[,TYPE…] [NAME…], TYPE/NAME…, or all')
    .option('-o, --output <format>', 'json|yaml|name|wide|jsonpath=…|jsonpath-file=…|custom-columns=…|custom-columns-file=…')
    .option('-l, --selector <selector>', 'label selector (e.g. -l key1=value1,key2=value2)')
    .option('--field-selector <selector>', 'field selector (e.g. --field-selector metadata.name=web)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('--watch-only', 'watch for changes without listing first')
    .option('--output-watch-events', 'print the event type (ADDED, MODIFIED, DELETED) with each watched change')
    .option('--show-labels', 'show all labels as the last column')
    .option('--show-kind', 'list the resource type for each object')
    .option('-L, --label-columns <key>', 'a column per label key (repeatable, or comma-separated)', collect)
    .option('--no-headers', 'do not print headers')
    .option('--ignore-not-found', 'treat "resource not found" as a successful retrieval')
    .option('--show-managed-fields', 'keep metadata.managedFields in yaml/json output')
    .action(async (args: string[], flags: GetFlags) => {
      await runGet(ctx(), args, flags);
    });
}

function requestsOf(args: readonly string[]): { requests: Request[]; singleItem: boolean } {
  const parsed = parseResourceArgs(args, 'get');
  if (parsed.form === 'pairs') {
    const requests: Request[] = [];
    for (const { info, name } of parsed.items) {
      const existing = requests.find((r) => r.info === info);
      if (existing) existing.names?.push(name);
      else requests.push({ info, names: [name] });
    }
    return { requests, singleItem: parsed.items.length === 1 };
  }
  const requests = parsed.types.map((info) => (parsed.names.length > 0 ? { info, names: [...parsed.names] } : { info }));
  return { requests, singleItem: parsed.types.length === 1 && parsed.names.length === 1 };
}

async function runGet(c: CommandContext, args: string[], flags: GetFlags): Promise<void> {
  const output = parseOutput(flags.output);
  const { requests, singleItem } = requestsOf(args);
  if ((flags.selector !== undefined || flags.fieldSelector !== undefined) && requests.some((r) => r.names !== undefined)) {
    throw new CliError('name cannot be provided when a selector is specified');
  }
  if ((flags.watch || flags.watchOnly) && requests.length > 1) throw new CliError('you may only specify a single resource type');
  const labelColumns = (flags.labelColumns ?? []).flatMap((l) => l.split(',')).filter((l) => l !== '');
  const errors: unknown[] = [];
  const noteError = (e: unknown): void => {
    if (e instanceof NotFoundError && flags.ignoreNotFound) return;
    errors.push(e);
  };
  const scope = (info: ResourceInfo): ResourceClient => {
    const rc = c.client().resource(info);
    return flags.allNamespaces && info.namespaced && !requests.some((r) => r.names !== undefined) ? rc.allNamespaces() : rc.namespace(c.namespace());
  };
  const listOptions = { ...(flags.selector !== undefined ? { labelSelector: flags.selector } : {}), ...(flags.fieldSelector !== undefined ? { fieldSelector: flags.fieldSelector } : {}) };
  const tableFlags = (info: ResourceInfo): TableFlags => ({
    wide: output.type === 'table' && output.wide,
    withNamespace: flags.allNamespaces === true && info.namespaced,
    withKind: flags.showKind === true || requests.length > 1,
    showLabels: flags.showLabels === true,
    labelColumns,
    noHeaders: !flags.headers,
  });

  const groups: TableGroup[] = [];
  const objects: { info: ResourceInfo; object: JsonObject }[] = [];
  if (!flags.watchOnly) {
    for (const req of requests) {
      const rc = scope(req.info);
      if (output.type === 'table') {
        const table = await fetchTable(rc, req, listOptions, noteError);
        if (table) groups.push({ info: req.info, table });
      } else {
        for (const object of await fetchObjects(rc, req, listOptions, noteError)) {
          objects.push({ info: req.info, object: flags.showManagedFields ? object : withoutManagedFields(object) });
        }
      }
    }
  }
  // Errors first, one per line, as kubectl prints them; the last one is reported by the framework.
  const last = errors.pop();
  for (const e of errors) c.err.write(`${describeError(e)}\n`);

  let resourceVersion: string | undefined;
  if (output.type === 'table') {
    // With -w the watcher prints the listing itself, so later rows line up with it.
    if (!flags.watch) c.out.write(renderTables(groups, (g) => tableFlags(g.info)));
    resourceVersion = groups[0]?.table.metadata.resourceVersion;
    const rows = groups.reduce((n, g) => n + g.table.rows.length, 0);
    if (rows === 0 && last === undefined && errors.length === 0 && !flags.ignoreNotFound && !flags.watch && !flags.watchOnly) {
      const namespaced = !flags.allNamespaces && requests.every((r) => r.info.namespaced);
      c.err.write(namespaced ? `No resources found in ${c.namespace()} namespace.\n` : 'No resources found\n');
    }
  } else if (!flags.watchOnly) {
    printObjects(c.out, output, objects, singleItem);
  }
  if (last !== undefined) throw last instanceof Error ? last : new Error(scalarText(last));

  const req = requests[0];
  if ((flags.watch || flags.watchOnly) && req !== undefined) {
    await watchChanges(c, scope(req.info), req, output, tableFlags(req.info), groups[0], resourceVersion, flags, listOptions);
  }
}

async function fetchTable(rc: ResourceClient, req: Request, listOptions: object, noteError: (e: unknown) => void): Promise<Table | undefined> {
  if (req.names === undefined) return rc.table({ ...listOptions, includeObject: 'Metadata' });
  let table: Table | undefined;
  for (const name of req.names) {
    try {
      const t = await rc.getTable(name, { includeObject: 'Metadata' });
      if (table === undefined) table = t;
      else table.rows.push(...t.rows);
    } catch (e: unknown) {
      noteError(e);
    }
  }
  return table;
}

async function fetchObjects(rc: ResourceClient, req: Request, listOptions: object, noteError: (e: unknown) => void): Promise<JsonObject[]> {
  const typed = (o: unknown): JsonObject => {
    const obj = asJson(o);
    return isObject(obj) ? { apiVersion: apiVersionOf(req.info), kind: req.info.kind, ...obj } : {};
  };
  if (req.names === undefined) return (await rc.listAll(listOptions)).items.map(typed);
  const out: JsonObject[] = [];
  for (const name of req.names) {
    try {
      out.push(typed(await rc.get(name)));
    } catch (e: unknown) {
      noteError(e);
    }
  }
  return out;
}

/**
 * `-w`: follows changes from where the listing left off, one row per change, aligned with the
 * table above it. Runs until interrupted or, with --request-timeout, until that much time has
 * passed (then exits 0, as kubectl does). The API server does not print Tables on watches, so
 * each changed object's row is fetched as a one-row Table; a deleted object prints its last row.
 */
async function watchChanges(
  c: CommandContext,
  rc: ResourceClient,
  req: Request,
  output: OutputSpec,
  tflags: TableFlags,
  initial: TableGroup | undefined,
  resourceVersion: string | undefined,
  flags: GetFlags,
  listOptions: object,
): Promise<void> {
  const abort = new AbortController();
  const timeoutMs = c.flags.requestTimeout !== undefined ? parseDuration(c.flags.requestTimeout) : 0;
  const timer = timeoutMs > 0 ? c.clock.setTimer(timeoutMs, () => abort.abort()) : undefined;
  const rows = new Map<string, TableRow>();
  let columns = initial?.table;
  for (const row of initial?.table.rows ?? []) rows.set(keyOf(rowMetadata(row)), row);
  const writer = new TabWriter({ ...tableOptions, rememberWidths: true });
  if (initial && initial.table.rows.length > 0) {
    // The listing, as ADDED events; the writer remembers its column widths for the rows to come.
    if (tflags.noHeaders === false) writer.write(`${withEvent(headerCells(initial, tflags), flags, 'EVENT')}\n`);
    for (const row of initial.table.rows) writer.write(`${withEvent(rowCells(initial, row, tflags), flags, 'ADDED')}\n`);
    c.out.write(writer.flush());
  }
  const names = req.names;
  const watch = rc.watch({
    ...listOptions,
    ...(names !== undefined && names.length === 1 && names[0] !== undefined ? { name: names[0] } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    signal: abort.signal,
  });
  let headerPrinted = initial !== undefined && initial.table.rows.length > 0;
  try {
    for await (const event of watch) {
      if (event.type === 'BOOKMARK') continue;
      const meta = event.object.metadata ?? {};
      if (names !== undefined && !names.includes(meta.name ?? '')) continue;
      if (output.type !== 'table') {
        const object = asJson({ apiVersion: apiVersionOf(req.info), kind: req.info.kind, ...event.object }) as JsonObject;
        printObjects(c.out, output, [{ info: req.info, object: flags.showManagedFields ? object : withoutManagedFields(object) }], true);
        continue;
      }
      const key = keyOf(meta);
      let row = rows.get(key);
      if (event.type !== 'DELETED') {
        try {
          const t = await c.client().resource(req.info).namespace(meta.namespace ?? c.namespace()).getTable(meta.name ?? '', { includeObject: 'Metadata' });
          columns ??= t;
          row = t.rows[0] ?? row;
        } catch (e: unknown) {
          if (!(e instanceof NotFoundError)) throw e;
        }
      }
      if (row === undefined || columns === undefined) continue;
      if (event.type === 'DELETED') rows.delete(key);
      else rows.set(key, row);
      const group: TableGroup = { info: req.info, table: columns };
      if (!headerPrinted && tflags.noHeaders === false) writer.write(`${withEvent(headerCells(group, tflags), flags, 'EVENT')}\n`);
      headerPrinted = true;
      writer.write(`${withEvent(rowCells(group, row, tflags), flags, event.type)}\n`);
      c.out.write(writer.flush());
    }
  } finally {
    timer?.cancel();
    watch.stop();
  }
}

function withEvent(cells: string[], flags: GetFlags, event: string): string {
  return (flags.outputWatchEvents ? [event, ...cells] : cells).join('\t');
}

function keyOf(meta: { namespace?: string; name?: string }): string {
  return `${meta.namespace ?? ''}/${meta.name ?? ''}`;
}
