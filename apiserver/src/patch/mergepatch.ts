// JSON Merge Patch (RFC 7386, application/merge-patch+json): null deletes, objects merge, everything else replaces.
import { BadRequestError } from '@keelson/api';
import { clone, isObject, type Json, type JsonObject } from './json';

/** RFC 7386 MergePatch(target, patch); returns a new value and leaves `target` alone. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The apiserver's entry to merge patch: like evanphx/json-patch, a `null` or scalar patch body is
 * malformed, while an array replaces the document (and is then rejected as not an object).
 */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (patch === null || (typeof patch !== 'object' && !Array.isArray(patch))) {
    throw new BadRequestError('Invalid JSON Patch: a merge patch must be a JSON object');
  }
  return mergePatch(target, patch);
}
