// The PATCH flavours the API server accepts, behind one entry point, plus field ownership for other writes.
//
//   Content-Type                             body         → function
//   application/json-patch+json              JSON array   → applyJsonPatch      (RFC 6902)
//   application/merge-patch+json             JSON object  → applyMergePatch     (RFC 7386)
//   application/strategic-merge-patch+json   JSON object  → strategicMergePatch (schema.ts table)
//   application/apply-patch+yaml             YAML / JSON  → serverSideApply     (managedFields)
import { BadRequestError, InvalidError, lookupKind, subresourceKinds, UnsupportedMediaTypeError } from '@keelson/api';
import { load as loadYaml, CORE_SCHEMA } from 'js-yaml';
import { serverSideApply } from './apply';
import { applyJsonPatch, parseJsonPatch } from './jsonpatch';
import { isObject, toJson, type Json, type JsonObject } from './json';
import { applyMergePatch } from './mergepatch';
import { rootType } from './schema';
import { strategicMergePatch } from './strategic';

export { serverSideApply, type ApplyOptions, type ApplyResult } from './apply';
export { applyJsonPatch, parseJsonPatch, parsePointer, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOp, type JsonPatchOperation } from './jsonpatch';
export { mergePatch, applyMergePatch } from './mergepatch';
export { strategicMergePatch } from './strategic';
export { recordUpdate, MAX_UPDATE_MANAGERS, type ManagedFieldsEntry, type ManagedFieldsOperation, type RecordUpdateOptions } from './managedfields';
export { patchStrategies, fieldMeta, rootType, type FieldMeta, type PatchStrategy } from './schema';
export { FieldSet, pathString, type Path, type PathElement } from './fieldpath';
export { ApplyConflictError, PatchApplyError, TooManyOperationsError, type ApplyConflict } from './errors';
export type { Json, JsonObject } from './json';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchTypes: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type of a Content-Type header (parameters and case ignored), or undefined. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return patchTypes[media];
}

export interface PatchContext {
  /** Kind and apiVersion of the endpoint (`Deployment`, `apps/v1`). */
  kind: string;
  apiVersion: string;
  /** Field manager (`?fieldManager=`); required for apply. */
  manager?: string;
  /** `?force=true`; only allowed for apply. */
  force?: boolean;
  /** Timestamp for managedFields (RFC 3339). */
  now: string;
  /** The subresource patched (`status`), recorded in managedFields by apply. */
  subresource?: string;
}

function text(body: string | Buffer): string {
  return typeof body === 'string' ? body : body.toString('utf8');
}

function parseJson(body: string | Buffer, what: string): Json {
  try {
    return JSON.parse(text(body)) as Json;
  } catch (e: unknown) {
    throw new BadRequestError(`invalid JSON ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function parseYaml(body: string | Buffer): Json {
  let v: unknown;
  try {
    // The core schema: no timestamps or binary, so values stay as JSON would have them.
    v = loadYaml(text(body), { schema: CORE_SCHEMA });
  } catch (e: unknown) {
    throw new BadRequestError(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (v === undefined) throw new BadRequestError('error decoding patch: the body is empty');
  try {
    return toJson(v, 'patch');
  } catch (e: unknown) {
    throw new BadRequestError(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function patchOptionsInvalid(field: string, type: 'FieldValueRequired' | 'FieldValueForbidden', detail: string): InvalidError {
  return new InvalidError({ kind: 'PatchOptions', group: 'meta.k8s.io' }, [{ type, field, detail }]);
}

function requireObject(v: Json, ctx: PatchContext): JsonObject {
  if (isObject(v)) return v;
  throw new InvalidError({ kind: ctx.kind }, [{ type: 'FieldValueInvalid', field: 'patch', value: v, detail: 'the patched object must be a JSON object' }]);
}

/** Kinds strategic merge patch works for: built-in kinds (custom resources get 415 upstream). */
function strategicSupported(ctx: PatchContext): boolean {
  return rootType(ctx.kind) !== undefined || lookupKind(ctx.apiVersion, ctx.kind) !== undefined || Object.hasOwn(subresourceKinds, ctx.kind);
}

/**
 * Applies a PATCH body of the given Content-Type to `live` and returns the new object; `live` is
 * never changed. `live` undefined is only meaningful for apply (which then creates); the other
 * types patch an empty object. Apply also updates metadata.managedFields; for the other types
 * call recordUpdate on the result to record the writer's ownership.
 *
 * Errors: UnsupportedMediaTypeError (415) for other content types (including apply-patch+cbor);
 * BadRequestError (400) for a body that does not parse or a malformed patch; PatchApplyError or
 * InvalidError (422) for a patch that cannot be applied or options that are not allowed;
 * ApplyConflictError (409) for apply conflicts without force.
 */
export function applyPatch(contentType: string, live: object | undefined, body: string | Buffer, ctx: PatchContext): object {
  const type = patchTypeOf(contentType);
  if (type === undefined) throw new UnsupportedMediaTypeError(contentType);
  if (ctx.force === true && type !== 'apply') throw patchOptionsInvalid('force', 'FieldValueForbidden', 'may not be specified for non-apply patch');
  const current = live === undefined ? {} : toJson(live, 'live object');

  switch (type) {
    case 'json': {
      const ops = parseJsonPatch(parseJson(body, 'patch'));
      return requireObject(applyJsonPatch(current, ops), ctx);
    }
    case 'merge':
      return requireObject(applyMergePatch(current, parseJson(body, 'merge patch')), ctx);
    case 'strategic': {
      if (!strategicSupported(ctx)) throw new UnsupportedMediaTypeError(contentType);
      const patch = parseJson(body, 'strategic merge patch');
      if (patch === null) return requireObject(current, ctx);
      if (!isObject(patch)) throw new BadRequestError(`invalid JSON document: a strategic merge patch must be a JSON object, got ${Array.isArray(patch) ? 'an array' : typeof patch}`);
      return strategicMergePatch(requireObject(current, ctx), patch, ctx.kind);
    }
    case 'apply': {
      if (!ctx.manager) throw patchOptionsInvalid('fieldManager', 'FieldValueRequired', 'is required for apply patch');
      const applied = parseYaml(body);
      if (!isObject(applied)) throw new BadRequestError('error decoding patch: an apply patch must be an object');
      const opts = { manager: ctx.manager, force: ctx.force === true, now: ctx.now, kind: ctx.kind, apiVersion: ctx.apiVersion };
      return serverSideApply(live, applied, ctx.subresource ? { ...opts, subresource: ctx.subresource } : opts).object;
    }
  }
}
