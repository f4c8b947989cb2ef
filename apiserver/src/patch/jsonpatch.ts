// JSON Patch (RFC 6902, application/json-patch+json) with the error split the Kubernetes API server uses.
//
// A body that is not a JSON array of objects is malformed (400). Everything that goes wrong while
// applying — an unknown op, a path that is not there, a failed `test` — is a 422, as upstream
// (evanphx/json-patch behind `errors.NewGenericServerResponse(422)`) answers it. Two lenient
// upstream behaviours are kept on purpose: negative array indices count from the end, and a `test`
// for `null` passes when the member is absent.
import { BadRequestError } from '@keelson/api';
import { PatchApplyError, TooManyOperationsError } from './errors';
import { clone, deepEqual, isObject, show, type Json, type JsonObject } from './json';

/** The most operations one patch may carry (apiserver `maxJSONPatchOperations`). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export type JsonPatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

export interface JsonPatchOperation {
  op: JsonPatchOp;
  path: string;
  from?: string;
  value?: Json;
}

/** Checks the shape of a decoded patch body: an array of objects, at most MAX operations. */
export function parseJsonPatch(body: Json): JsonObject[] {
  if (!Array.isArray(body)) {
    throw new BadRequestError(`json patch must be a JSON array of operations, got ${show(body)}`);
  }
  if (body.length > MAX_JSON_PATCH_OPERATIONS) throw new TooManyOperationsError(MAX_JSON_PATCH_OPERATIONS, body.length);
  return body.map((op, i) => {
    if (!isObject(op)) throw new BadRequestError(`json patch operation ${i} must be a JSON object, got ${show(op)}`);
    return op;
  });
}

/** Splits a JSON pointer into unescaped reference tokens ('' is the whole document). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchApplyError(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new PatchApplyError(`invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

type Container = Json[] | JsonObject;

/** Index for reading or replacing an element; negative counts from the end, as upstream allows. */
function existingIndex(arr: Json[], token: string, pointer: string): number {
  if (!/^-?\d+$/.test(token)) throw new PatchApplyError(`${pointer}: ${JSON.stringify(token)} is not an array index`);
  let i = Number(token);
  if (i < 0) i += arr.length;
  if (i < 0 || i >= arr.length) throw new PatchApplyError(`${pointer}: index ${token} is out of range for an array of ${arr.length}`);
  return i;
}

/** The container holding the last token of `tokens`, which must exist. */
function parentOf(doc: Json, tokens: readonly string[], pointer: string, op: string): Container {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    let next: Json | undefined;
    if (Array.isArray(cur)) next = cur[existingIndex(cur, t, pointer)];
    else if (isObject(cur)) next = Object.hasOwn(cur, t) ? cur[t] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      throw new PatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
    }
    cur = next;
  }
  if (cur === null || typeof cur !== 'object') {
    throw new PatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
  }
  return cur;
}

function lastToken(tokens: readonly string[]): string {
  return tokens[tokens.length - 1] ?? '';
}

function getAt(doc: Json, pointer: string, op: string): Json | undefined {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, pointer, op);
  const t = lastToken(tokens);
  if (Array.isArray(parent)) return parent[existingIndex(parent, t, pointer)];
  return Object.hasOwn(parent, t) ? parent[t] : undefined;
}

function addAt(doc: Json, pointer: string, value: Json, op: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer, op);
  const t = lastToken(tokens);
  if (Array.isArray(parent)) {
    if (t === '-') {
      parent.push(value);
      return doc;
    }
    if (!/^-?\d+$/.test(t)) throw new PatchApplyError(`${pointer}: ${JSON.stringify(t)} is not an array index`);
    let i = Number(t);
    if (i < 0) i += parent.length + 1;
    if (i < 0 || i > parent.length) throw new PatchApplyError(`${pointer}: index ${t} is out of range for an array of ${parent.length}`);
    parent.splice(i, 0, value);
  } else {
    parent[t] = value;
  }
  return doc;
}

function removeAt(doc: Json, pointer: string, op: string): { doc: Json; removed: Json } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchApplyError(`${op} operation cannot remove the whole document`);
  const parent = parentOf(doc, tokens, pointer, op);
  const t = lastToken(tokens);
  if (Array.isArray(parent)) {
    const i = existingIndex(parent, t, pointer);
    const [removed] = parent.splice(i, 1);
    return { doc, removed: removed ?? null };
  }
  if (!Object.hasOwn(parent, t)) throw new PatchApplyError(`Unable to remove nonexistent key: ${t}: missing value`);
  const removed = parent[t] ?? null;
  delete parent[t];
  return { doc, removed };
}

function stringField(op: JsonObject, field: 'path' | 'from', kind: string): string {
  const v = op[field];
  if (typeof v !== 'string') {
    throw new PatchApplyError(`${kind} operation${v === undefined ? `, missing ${field} field` : `: ${field} must be a string`}`);
  }
  return v;
}

function valueField(op: JsonObject, kind: string): Json {
  if (!Object.hasOwn(op, 'value')) throw new PatchApplyError(`${kind} operation, missing value field`);
  return op.value ?? null;
}

function applyOne(doc: Json, op: JsonObject): Json {
  const kind = op.op;
  switch (kind) {
    case 'add':
      return addAt(doc, stringField(op, 'path', kind), clone(valueField(op, kind)), kind);
    case 'remove':
      return removeAt(doc, stringField(op, 'path', kind), kind).doc;
    case 'replace': {
      const path = stringField(op, 'path', kind);
      const value = clone(valueField(op, kind));
      const tokens = parsePointer(path);
      if (tokens.length === 0) return value;
      const parent = parentOf(doc, tokens, path, kind);
      const t = lastToken(tokens);
      if (Array.isArray(parent)) parent[existingIndex(parent, t, path)] = value;
      else if (Object.hasOwn(parent, t)) parent[t] = value;
      else throw new PatchApplyError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      return doc;
    }
    case 'move': {
      const from = stringField(op, 'from', kind);
      const path = stringField(op, 'path', kind);
      if (from === path) {
        if (getAt(doc, from, kind) === undefined) throw new PatchApplyError(`move operation does not apply: doc is missing from path: ${from}`);
        return doc;
      }
      if (path.startsWith(`${from}/`)) throw new PatchApplyError(`move operation cannot move ${from} into its own child ${path}`);
      if (getAt(doc, from, kind) === undefined) throw new PatchApplyError(`move operation does not apply: doc is missing from path: ${from}`);
      const { doc: rest, removed } = removeAt(doc, from, kind);
      return addAt(rest, path, removed, kind);
    }
    case 'copy': {
      const from = stringField(op, 'from', kind);
      const path = stringField(op, 'path', kind);
      const v = getAt(doc, from, kind);
      if (v === undefined) throw new PatchApplyError(`copy operation does not apply: doc is missing from path: ${from}`);
      return addAt(doc, path, clone(v), kind);
    }
    case 'test': {
      const path = stringField(op, 'path', kind);
      const want = Object.hasOwn(op, 'value') ? (op.value ?? null) : undefined;
      const got = getAt(doc, path, kind);
      // Upstream treats an absent member as equal to an expected null.
      const ok = got === undefined ? want === undefined || want === null : want !== undefined && deepEqual(got, want);
      if (!ok) throw new PatchApplyError(`testing value ${path} failed: test failed`);
      return doc;
    }
    default:
      throw new PatchApplyError(`Unexpected kind: ${typeof kind === 'string' ? kind : show(kind)}`);
  }
}

/** Applies the operations in order to a copy of `doc`; `doc` itself is left alone. */
export function applyJsonPatch(doc: Json, operations: readonly JsonObject[]): Json {
  let out = clone(doc);
  for (const op of operations) out = applyOne(out, op);
  return out;
}
