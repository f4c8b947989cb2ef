// fieldValidation for write bodies: unknown fields pruned against the kind's OpenAPI definition, duplicate JSON keys found, both failed (Strict), warned (Warn) or dropped (Ignore) as Kubernetes does.
//
//   raw JSON body ── scanJsonKeys ──► duplicate keys + where each key path appears
//   decoded object ─ pruneUnknownFields (the generated definitions) ──► unknown field paths
//        └─► checkFields: Strict → 400 "strict decoding error: unknown field "spec.x", …"
//                         Warn   → one `Warning: 299 - "unknown field \"spec.x\""` header each
//                         Ignore → dropped silently
// The fields are never stored, whatever the mode.
import type { Response } from 'express';
import { BadRequestError, definitionNameOf, pruneUnknownFields, type GroupVersionKind, type KubeObject } from '@keelson/api';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What a JSON body says beyond its parsed value. */
export interface BodyKeys {
  /** Keys given more than once, by path, each once, where they first repeat. */
  duplicates: readonly { path: string; position: number }[];
  /** Where each key path first appears, to report problems in document order. */
  positions: ReadonlyMap<string, number>;
}

/** The part of a write's options this module reads. */
export interface FieldCheckOptions {
  /** `fieldValidation` query parameter; Warn when absent, as Kubernetes defaults it. */
  fieldValidation?: FieldValidation;
  /** Receives one message per unknown or duplicate field under Warn. */
  warn?: (message: string) => void;
  /** Duplicate keys and key positions of the raw JSON body, when there was one. */
  bodyKeys?: BodyKeys;
}

/** Kubernetes keeps at most this many strict decoding errors (and warnings) per request. */
const maxProblems = 100;

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

type Frame = { kind: 'object'; path: string; keys: Set<string>; expectKey: boolean } | { kind: 'array'; path: string; index: number };

/** A JSON string token's value; the raw token when it is malformed (a patch body not yet parsed). */
function decodeKey(token: string): string {
  try {
    const v: unknown = JSON.parse(token);
    return typeof v === 'string' ? v : token;
  } catch {
    return token;
  }
}

/**
 * Scans JSON text for duplicate object keys, with paths printed as Kubernetes prints them
 * (`spec.template.spec.containers[0].image`). Iterative: nesting depth is not bounded by the stack;
 * text that is not JSON gives meaningless but harmless results (the parser reports it).
 */
export function scanJsonKeys(text: string): BodyKeys {
  const positions = new Map<string, number>();
  const duplicates: { path: string; position: number }[] = [];
  const reported = new Set<string>();
  const stack: Frame[] = [];
  let valuePath = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (top?.kind === 'object' && top.expectKey) {
        const key = decodeKey(text.slice(start, i + 1));
        const path = joinPath(top.path, key);
        top.expectKey = false;
        valuePath = path;
        if (!top.keys.has(key)) {
          top.keys.add(key);
          if (!positions.has(path)) positions.set(path, start);
        } else if (!reported.has(path)) {
          reported.add(path);
          duplicates.push({ path, position: start });
        }
      }
    } else if (c === '{') {
      stack.push({ kind: 'object', path: valuePath, keys: new Set(), expectKey: true });
    } else if (c === '[') {
      stack.push({ kind: 'array', path: valuePath, index: 0 });
      valuePath = `${valuePath}[0]`;
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      if (top?.kind === 'object') top.expectKey = true;
      else if (top?.kind === 'array') valuePath = `${top.path}[${++top.index}]`;
    }
  }
  return { duplicates, positions };
}

/** Media types whose body is the object (or a patch shaped like it) as JSON. */
const objectShapedJson = new Set(['', '*/*', 'application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);

/** `value` quoted as Go's strconv.Quote does for ASCII; other characters escaped, as header values must be. */
function quote(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Adds each new message as a `Warning: 299 - "…"` header, as Kubernetes reports warnings. */
export function warningSink(res: Response): (message: string) => void {
  const sent = new Set<string>();
  return (message) => {
    if (sent.has(message) || sent.size >= maxProblems || res.headersSent) return;
    sent.add(message);
    res.append('Warning', `299 - ${quote(message)}`);
  };
}

/**
 * A write's options with field validation wired to the response: warnings become headers and,
 * for a JSON body shaped like the object, duplicate keys are looked for.
 */
export function withFieldChecks<T extends FieldCheckOptions>(opts: T, res: Response, raw: unknown, mediaType: string): T {
  if (opts.fieldValidation === 'Ignore') return opts;
  const out: T = { ...opts, warn: warningSink(res) };
  if (Buffer.isBuffer(raw) && objectShapedJson.has(mediaType)) out.bodyKeys = scanJsonKeys(raw.toString('utf8'));
  return out;
}

/**
 * Drops, in place, the fields of `obj` its kind's definition does not declare, then applies the
 * request's fieldValidation to them and to the body's duplicate keys. `source` words the Strict
 * error as Kubernetes does: a decoded body (POST, PUT) names the kind, a patch result does not.
 */
export function checkFields(kind: GroupVersionKind, obj: KubeObject, opts: FieldCheckOptions, source: 'body' | 'patch'): void {
  const definition = definitionNameOf(kind);
  const unknown = definition !== undefined ? pruneUnknownFields(definition, obj) : [];
  const mode = opts.fieldValidation ?? 'Warn';
  if (mode === 'Ignore') return;
  const positions = opts.bodyKeys?.positions;
  const problems = [
    ...unknown.map((path) => ({ at: positions?.get(path) ?? Number.MAX_SAFE_INTEGER, message: `unknown field "${path}"` })),
    ...(opts.bodyKeys?.duplicates ?? []).map((d) => ({ at: d.position, message: `duplicate field "${d.path}"` })),
  ];
  if (problems.length === 0) return;
  // A stable sort: fields the body did not show (a patch's result) keep the order they were met.
  const messages = problems
    .sort((a, b) => a.at - b.at)
    .slice(0, maxProblems)
    .map((p) => p.message);
  if (mode === 'Strict') {
    const detail = `strict decoding error: ${messages.join(', ')}`;
    throw new BadRequestError(source === 'body' ? `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${detail}` : detail);
  }
  for (const m of messages) opts.warn?.(m);
}
