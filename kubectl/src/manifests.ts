// `-f FILE|DIR|-` for apply, create, delete and diff: multi-document YAML and JSON, Lists flattened, namespaces resolved as kubectl does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { lookupKind, type ResourceInfo } from '@keelson/api';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { asJson, isObject, metadataOf, str, type JsonObject } from './objects';

/** One object from a manifest, with where it came from. */
export interface Manifest {
  /** The file path as given (or inside a given directory), or `STDIN`. */
  source: string;
  /** 1-based position among the file's non-empty documents. */
  document: number;
  object: JsonObject;
  info: ResourceInfo;
  name: string;
  /** The namespace the object goes to; undefined for cluster-scoped kinds. */
  namespace: string | undefined;
}

export interface FilenameOptions {
  filenames: string[];
  recursive: boolean;
}

const extensions = new Set(['.json', '.yaml', '.yml']);

/** The files `-f` names: a file as is, a directory's manifests (sorted; subdirectories with -R). */
export function expandPaths(path: string, recursive: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...expandPaths(child, true));
    } else if (extensions.has(extname(entry.name))) {
      out.push(child);
    }
  }
  return out;
}

/** A YAML stream split at `---` lines, each document with the file line it starts on (0-based). */
export function splitDocuments(text: string): { text: string; startLine: number }[] {
  const lines = text.split('\n');
  const docs: { text: string; startLine: number }[] = [];
  let start = 0;
  let current: string[] = [];
  lines.forEach((line, i) => {
    // kubectl's YAMLReader: `---` at the start of a line, followed by nothing but a comment.
    const m = /^---(.*)$/.exec(line);
    const trimmed = m?.[1]?.trim();
    if (m && (trimmed === '' || trimmed?.startsWith('#'))) {
      docs.push({ text: current.join('\n'), startLine: start });
      current = [];
      start = i + 1;
    } else {
      current.push(line);
    }
  });
  docs.push({ text: current.join('\n'), startLine: start });
  return docs.filter((d) => d.text.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#') && l.trim() !== '...'));
}

/** The JSON values in one file's text; errors name the file, the document and the line. */
export function parseManifestText(text: string, source: string): { value: JsonObject; document: number }[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return [{ value: parseJsonDocument(text, source), document: 1 }];
  const out: { value: JsonObject; document: number }[] = [];
  splitDocuments(text).forEach((doc, i) => {
    const document = i + 1;
    let v: unknown;
    try {
      v = load(doc.text, { schema: CORE_SCHEMA, filename: source });
    } catch (e: unknown) {
      if (e instanceof YAMLException) {
        const line = doc.startLine + e.mark.line + 1;
        throw new CliError(`error parsing ${source}: document ${document}: yaml: line ${line}: ${e.reason}`);
      }
      throw e;
    }
    if (v === undefined || v === null) return;
    if (!isObject(v)) throw new CliError(`error parsing ${source}: document ${document}: yaml: line ${doc.startLine + 1}: the document is a ${Array.isArray(v) ? 'list' : typeof v}, not an object`);
    out.push({ value: asJson(v) as JsonObject, document });
  });
  return out;
}

function parseJsonDocument(text: string, source: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e: unknown) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /at position (\d+)/.exec(message);
    if (pos?.[1] !== undefined) {
      const line = text.slice(0, Number(pos[1])).split('\n').length;
      throw new CliError(`error parsing ${source}: document 1: json: line ${line}: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    // Without a position, the YAML parser (JSON is YAML) may still name the line.
    try {
      load(text, { schema: CORE_SCHEMA, json: true });
    } catch (y: unknown) {
      if (y instanceof YAMLException) throw new CliError(`error parsing ${source}: document 1: json: line ${y.mark.line + 1}: ${y.reason}`);
    }
    throw new CliError(`error parsing ${source}: document 1: json: ${message}`);
  }
  if (!isObject(v)) throw new CliError(`error parsing ${source}: document 1: json: the document is not an object`);
  return asJson(v) as JsonObject;
}

/** Objects of one document: itself, or the items of a `List`. */
function flatten(value: JsonObject): JsonObject[] {
  const kind = str(value['kind']);
  const items = value['items'];
  if (kind !== undefined && kind.endsWith('List') && Array.isArray(items)) {
    return items.flatMap((item) => (isObject(item) ? flatten(item) : []));
  }
  return [value];
}

/**
 * Reads every `-f` argument into objects with their resource, name and namespace. Namespaced
 * objects without a namespace get `-n` (or the context's); one whose namespace disagrees with an
 * explicit `-n` is refused with kubectl's message.
 */
export async function loadManifests(ctx: CommandContext, options: FilenameOptions): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const f of options.filenames) {
    const files = f === '-' ? ['-'] : expandPaths(f, options.recursive);
    for (const file of files) {
      const source = file === '-' ? 'STDIN' : file;
      const text = file === '-' ? await ctx.stdin() : readFileSync(file, 'utf8');
      for (const { value, document } of parseManifestText(text, source)) {
        for (const object of flatten(value)) out.push(toManifest(ctx, object, source, document));
      }
    }
  }
  return out;
}

function toManifest(ctx: CommandContext, object: JsonObject, source: string, document: number): Manifest {
  const apiVersion = str(object['apiVersion']);
  const kind = str(object['kind']);
  const missing = [apiVersion === undefined || apiVersion === '' ? 'apiVersion not set' : undefined, kind === undefined || kind === '' ? 'kind not set' : undefined].filter(
    (x): x is string => x !== undefined,
  );
  if (missing.length > 0 || apiVersion === undefined || kind === undefined) {
    throw new CliError(`error validating "${source}": document ${document}: error validating data: [${missing.join(', ')}]`);
  }
  const meta = metadataOf(object);
  const name = str(meta['name']) ?? '';
  const info = lookupKind(apiVersion, kind);
  if (info === undefined) {
    throw new CliError(
      `resource mapping not found for name: "${name}" namespace: "${str(meta['namespace']) ?? ''}" from "${source}": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`,
    );
  }
  if (name === '') throw new CliError(`error validating "${source}": document ${document}: ${kind}: metadata.name is required`);
  let namespace: string | undefined;
  if (info.namespaced) {
    const own = str(meta['namespace']);
    if (own !== undefined && own !== '' && ctx.namespaceExplicit() && own !== ctx.namespace()) {
      throw new CliError(
        `the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace()}". You must pass '--namespace=${own}' to perform this operation.`,
      );
    }
    namespace = own !== undefined && own !== '' ? own : ctx.namespace();
    meta['namespace'] = namespace;
  }
  return { source, document, object, info, name, namespace };
}
