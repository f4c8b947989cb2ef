// Client-side apply of one manifest, shared by `apply` and `diff`: create with the last-applied annotation, or patch by three-way merge.
import { ConflictError, NotFoundError, StatusError } from '@keelson/api';
import type { ResourceClient } from '@keelson/client';
import type { CommandContext } from './context';
import type { Manifest } from './manifests';
import { asJson, goJson, isObject, metadataOf, type JsonObject } from './objects';
import { objectName } from './resources';
import { createThreeWayMergePatch } from './threeway';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

export type DryRun = 'none' | 'client' | 'server';

/** `--dry-run[=client|server|none]` (bare `--dry-run` is client, as kubectl once had it). */
export function parseDryRun(value: string | boolean | undefined): DryRun {
  if (value === undefined || value === false || value === 'none') return 'none';
  if (value === true || value === 'client') return 'client';
  if (value === 'server') return 'server';
  throw new Error(`Invalid dry-run value (${String(value)}). Must be "none", "server", or "client".`);
}

/** ` (dry run)` / ` (server dry run)`: what kubectl appends to an operation. */
export function dryRunSuffix(d: DryRun): string {
  return d === 'client' ? ' (dry run)' : d === 'server' ? ' (server dry run)' : '';
}

function annotationsOf(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  const a = meta['annotations'];
  return isObject(a) ? a : {};
}

/**
 * kubectl's GetModifiedConfiguration: the object serialised without its last-applied annotation
 * (sorted keys, a trailing newline, `annotations: {}` kept when it had none), and, with
 * `annotate`, the object carrying that serialisation as the annotation.
 */
export function modifiedConfiguration(obj: JsonObject, annotate: boolean): { object: JsonObject; lastApplied: string } {
  const copy = structuredClone(obj);
  const meta = metadataOf(copy);
  const annotations = { ...annotationsOf(copy) };
  delete annotations[lastAppliedAnnotation];
  meta['annotations'] = annotations;
  const lastApplied = `${goJson(copy)}\n`;
  if (annotate) meta['annotations'] = { ...annotations, [lastAppliedAnnotation]: lastApplied };
  return { object: copy, lastApplied };
}

/** The last-applied configuration a live object carries, parsed; undefined when absent or unreadable. */
export function lastApplied(live: JsonObject): JsonObject | undefined {
  const text = annotationsOf(live)[lastAppliedAnnotation];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const v = asJson(JSON.parse(text));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export type ApplyOperation = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  operation: ApplyOperation;
  /** The object as the server returned it (or would have: with client dry-run, what was sent or the live object). */
  object: JsonObject;
  /** The live object before, when there was one. */
  live?: JsonObject;
  /** The strategic merge patch sent, for `configured`. */
  patch?: JsonObject;
}

export interface ApplyOptions {
  dryRun: DryRun;
  fieldManager: string;
}

export function resourceFor(ctx: CommandContext, m: Manifest): ResourceClient {
  const rc = ctx.client().resource(m.info);
  return m.namespace !== undefined ? rc.namespace(m.namespace) : rc;
}

async function getLive(rc: ResourceClient, name: string): Promise<JsonObject | undefined> {
  try {
    return asJson(await rc.get(name)) as JsonObject;
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** An error with the manifest's file named, as kubectl's AddSourceToErr words it. */
export class SourcedError extends Error {
  constructor(
    readonly verb: string,
    readonly source: string,
    readonly error: unknown,
  ) {
    super(`error when ${verb} "${source}": ${error instanceof Error ? error.message : String(error)}`);
    this.name = 'SourcedError';
  }

  /** The line kubectl prints for it. */
  describe(): string {
    if (this.error instanceof StatusError) return `Error from server (${this.error.reason}): ${this.message}`;
    return `error: ${this.message}`;
  }
}

/**
 * Applies one manifest the client-side way. With dry-run client nothing is sent but the read;
 * with dry-run server the write is sent with `dryRun=All`. A conflicting concurrent write is
 * retried (up to five times) with a fresh read, as kubectl's patcher does.
 */
export async function clientSideApply(ctx: CommandContext, m: Manifest, o: ApplyOptions): Promise<ApplyResult> {
  const rc = resourceFor(ctx, m);
  const writeOptions = { fieldManager: o.fieldManager, ...(o.dryRun === 'server' ? { dryRun: true } : {}) };
  for (let attempt = 1; ; attempt++) {
    const live = await getLive(rc, m.name);
    if (live === undefined) {
      const { object } = modifiedConfiguration(m.object, true);
      if (o.dryRun === 'client') return { operation: 'created', object };
      try {
        return { operation: 'created', object: asJson(await rc.create(object, writeOptions)) as JsonObject };
      } catch (e: unknown) {
        throw new SourcedError('creating', m.source, e);
      }
    }
    if (lastApplied(live) === undefined) {
      ctx.err.write(
        `Warning: resource ${m.info.resource}/${m.name} is missing the ${lastAppliedAnnotation} annotation which is required by keelctl apply. keelctl apply should only be used on resources created declaratively by either keelctl create --save-config or keelctl apply. The missing annotation will be patched automatically.\n`,
      );
    }
    const patch = threeWayPatch(m, live);
    if (Object.keys(patch).length === 0) return { operation: 'unchanged', object: live, live };
    if (o.dryRun === 'client') return { operation: 'configured', object: live, live, patch };
    try {
      const object = asJson(await rc.patch(m.name, 'strategic', patch, writeOptions)) as JsonObject;
      return { operation: 'configured', object, live, patch };
    } catch (e: unknown) {
      if (e instanceof ConflictError && attempt < 5) continue;
      throw new SourcedError('patching', m.source, e);
    }
  }
}

/** The patch client-side apply sends for `m` against `live`. */
export function threeWayPatch(m: Manifest, live: JsonObject): JsonObject {
  const { object: modified } = modifiedConfiguration(m.object, true);
  return createThreeWayMergePatch(lastApplied(live), modified, live, m.info.kind);
}

/** `deployment.apps/web`. */
export function manifestName(m: Manifest): string {
  return objectName(m.info, m.name);
}

/** Reads the live object (undefined when absent), for `diff`. */
export async function liveObject(ctx: CommandContext, m: Manifest): Promise<JsonObject | undefined> {
  return getLive(resourceFor(ctx, m), m.name);
}
