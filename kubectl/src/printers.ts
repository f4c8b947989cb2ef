// Output formats shared by commands: -o yaml|json|name|wide|jsonpath=…|jsonpath-file=…|custom-columns=…|custom-columns-file=…, and server Tables as kubectl prints them.
import { readFileSync } from 'node:fs';
import type { ResourceInfo, Table, TableRow } from '@keelson/api';
import { dump } from 'js-yaml';
import { CliError } from './errors';
import { JsonPathError, JsonPathTemplate } from './jsonpath';
import { isObject, scalarText, sortKeys, type Json, type JsonObject } from './objects';
import { objectName } from './resources';
import { TabWriter, tableOptions } from './tabwriter';

export type OutputSpec =
  | { type: 'table'; wide: boolean }
  | { type: 'yaml' }
  | { type: 'json' }
  | { type: 'name' }
  | { type: 'jsonpath'; template: JsonPathTemplate }
  | { type: 'custom-columns'; columns: { header: string; template: JsonPathTemplate }[] };

const formats = 'json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide';

/** Parses `-o`; `allowed` limits the formats a command takes (kubectl's error lists them). */
export function parseOutput(output: string | undefined, allowed: readonly string[] = ['table', 'wide', 'yaml', 'json', 'name', 'jsonpath', 'jsonpath-file', 'custom-columns', 'custom-columns-file']): OutputSpec {
  const o = (output ?? '').replace(/^=/, '');
  const eq = o.indexOf('=');
  const format = eq < 0 ? o : o.slice(0, eq);
  const arg = eq < 0 ? '' : o.slice(eq + 1);
  const refuse = (): CliError => new CliError(`unable to match a printer suitable for the output format "${o}", allowed formats are: ${allowed.filter((a) => a !== 'table').join(',') || formats}`);
  const check = (name: string): void => {
    if (!allowed.includes(name)) throw refuse();
  };
  switch (format) {
    case '':
      return { type: 'table', wide: false };
    case 'wide':
      check('wide');
      return { type: 'table', wide: true };
    case 'yaml':
    case 'json':
    case 'name':
      check(format);
      return { type: format };
    case 'jsonpath':
    case 'jsonpath-file': {
      check(format);
      if (arg === '') throw new CliError(`template format specified but no template given`);
      const text = format === 'jsonpath' ? arg : readTemplateFile(arg);
      try {
        return { type: 'jsonpath', template: new JsonPathTemplate(text) };
      } catch (e: unknown) {
        if (e instanceof JsonPathError) throw new CliError(`error parsing jsonpath ${text}, ${e.message}`);
        throw e;
      }
    }
    case 'custom-columns':
    case 'custom-columns-file': {
      check(format);
      if (arg === '') throw new CliError('custom-columns format specified but no custom columns given');
      return { type: 'custom-columns', columns: format === 'custom-columns' ? parseColumns(arg) : parseColumnsFile(readTemplateFile(arg)) };
    }
    default:
      throw refuse();
  }
}

function readTemplateFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e: unknown) {
    throw new CliError(`error reading template ${path}, ${e instanceof Error ? e.message : String(e)}`);
  }
}

function columnTemplate(spec: string): JsonPathTemplate {
  const expr = spec.startsWith('{') ? spec : `{${spec.startsWith('.') || spec.startsWith('$') ? spec : `.${spec}`}}`;
  try {
    return new JsonPathTemplate(expr);
  } catch (e: unknown) {
    if (e instanceof JsonPathError) throw new CliError(`unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}': ${spec}: ${e.message}`);
    throw e;
  }
}

/** `NAME:.metadata.name,IMAGE:.spec.containers[*].image`. */
function parseColumns(spec: string): { header: string; template: JsonPathTemplate }[] {
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new CliError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), template: columnTemplate(part.slice(i + 1)) };
  });
}

/** A custom-columns file: a line of headers, a line of expressions. */
function parseColumnsFile(text: string): { header: string; template: JsonPathTemplate }[] {
  const [headers, exprs] = text.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
  if (headers === undefined || exprs === undefined || headers.length !== exprs.length) {
    throw new CliError(`expected same number of headers and templates, got ${headers?.length ?? 0} headers and ${exprs?.length ?? 0} templates`);
  }
  return headers.map((header, i) => ({ header, template: columnTemplate(exprs[i] ?? '') }));
}

/** kubectl's YAML: sorted keys, lists not indented under their key, double quotes where needed. */
export function toYaml(v: Json): string {
  return dump(sortKeys(v), { noArrayIndent: true, lineWidth: -1, quotingType: '"', noRefs: true });
}

/** kubectl's JSON: sorted keys, four-space indent. */
export function toJsonText(v: Json): string {
  return `${JSON.stringify(sortKeys(v), null, 4)}\n`;
}

/** The `v1 List` kubectl wraps several objects in for -o yaml/json/jsonpath. */
export function listOf(items: readonly JsonObject[]): JsonObject {
  return { apiVersion: 'v1', items: [...items], kind: 'List', metadata: { resourceVersion: '' } };
}

/** Without metadata.managedFields, as kubectl prints unless --show-managed-fields. */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = obj['metadata'];
  if (!isObject(meta) || !Object.hasOwn(meta, 'managedFields')) return obj;
  const { managedFields: _m, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * Prints objects in a non-table format. `single` is a request for one object by name: it prints
 * as itself, anything else as a List.
 */
export function printObjects(out: { write(s: string): void }, spec: Exclude<OutputSpec, { type: 'table' }>, items: readonly { info: ResourceInfo; object: JsonObject }[], single: boolean): void {
  const objects = items.map((i) => i.object);
  const data: JsonObject = single && objects.length === 1 && objects[0] !== undefined ? objects[0] : listOf(objects);
  switch (spec.type) {
    case 'yaml':
      out.write(toYaml(data));
      return;
    case 'json':
      out.write(toJsonText(data));
      return;
    case 'name':
      for (const { info, object } of items) out.write(`${objectName(info, nameOf(object))}\n`);
      return;
    case 'jsonpath':
      out.write(spec.template.execute(data));
      return;
    case 'custom-columns': {
      const w = new TabWriter(tableOptions);
      w.write(`${spec.columns.map((c) => c.header).join('\t')}\n`);
      for (const object of objects) w.write(`${customColumnCells(spec.columns, object).join('\t')}\n`);
      out.write(w.flush());
      return;
    }
  }
}

/** One row of custom columns: each column's values joined with commas, `<none>` when there are none. */
export function customColumnCells(columns: readonly { template: JsonPathTemplate }[], object: JsonObject): string[] {
  return columns.map((c) => {
    const values = c.template.values(object).filter((v) => v !== undefined);
    if (values.length === 0) return '<none>';
    return values.map((v) => (typeof v === 'string' ? v : v === null ? '<none>' : typeof v === 'object' ? JSON.stringify(v) : String(v as number | boolean))).join(',');
  });
}

export function nameOf(obj: JsonObject): string {
  const meta = obj['metadata'];
  return isObject(meta) && typeof meta['name'] === 'string' ? meta['name'] : '';
}

// ---- tables

export interface TableGroup {
  info: ResourceInfo;
  table: Table;
}

export interface TableFlags {
  wide: boolean;
  /** The NAMESPACE column first (-A, for namespaced kinds). */
  withNamespace: boolean;
  /** `kind/name` in the NAME column (several kinds, `get all`, --show-kind). */
  withKind: boolean;
  showLabels: boolean;
  /** -L: one column per label key. */
  labelColumns: readonly string[];
  noHeaders: boolean;
}

/** The metadata a row carries when the table was asked for with includeObject=Metadata. */
export function rowMetadata(row: TableRow): { name?: string; namespace?: string; labels?: Record<string, string>; uid?: string } {
  const obj = row.object;
  if (!isObject(obj)) return {};
  const meta = (obj)['metadata'];
  return isObject(meta) ? (meta) : {};
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  return scalarText(cell);
}

/** The header cells of a table, as kubectl prints them. */
export function headerCells(group: TableGroup, flags: TableFlags): string[] {
  const cols = group.table.columnDefinitions.filter((c) => flags.wide || c.priority === 0).map((c) => c.name.toUpperCase());
  const out = flags.withNamespace ? ['NAMESPACE', ...cols] : cols;
  for (const l of flags.labelColumns) out.push(l.split('/').pop()?.toUpperCase() ?? l.toUpperCase());
  if (flags.showLabels) out.push('LABELS');
  return out;
}

/** The cells of one row, as kubectl prints them. */
export function rowCells(group: TableGroup, row: TableRow, flags: TableFlags): string[] {
  const meta = rowMetadata(row);
  const cells: string[] = [];
  group.table.columnDefinitions.forEach((c, i) => {
    if (!flags.wide && c.priority !== 0) return;
    let text = cellText(row.cells[i]);
    if (i === 0 && flags.withKind) text = objectName(group.info, text);
    cells.push(text);
  });
  if (flags.withNamespace) cells.unshift(meta.namespace ?? '');
  for (const l of flags.labelColumns) cells.push(meta.labels?.[l] ?? '');
  if (flags.showLabels) {
    const labels = meta.labels ?? {};
    const keys = Object.keys(labels).sort();
    cells.push(keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels[k] ?? ''}`).join(','));
  }
  return cells;
}

/** Prints tables one after another, a blank line between kinds, as `kubectl get` does. */
export function renderTables(groups: readonly TableGroup[], flagsFor: (g: TableGroup) => TableFlags): string {
  let out = '';
  let printed = 0;
  for (const group of groups) {
    if (group.table.rows.length === 0) continue;
    const flags = flagsFor(group);
    const w = new TabWriter(tableOptions);
    if (!flags.noHeaders) w.write(`${headerCells(group, flags).join('\t')}\n`);
    for (const row of group.table.rows) w.write(`${rowCells(group, row, flags).join('\t')}\n`);
    if (printed > 0 && !flags.noHeaders) out += '\n';
    out += w.flush();
    printed++;
  }
  return out;
}
