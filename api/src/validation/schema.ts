// Structural validation against the official Kubernetes OpenAPI schemas (ajv validators compiled by kubernetes-models).
import * as path from 'node:path';
import type { FieldError } from '../errors';
import { FieldPath, fieldErr } from './errors';

/** One error as ajv reports it. */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

const schemaDir = path.join(path.dirname(require.resolve('kubernetes-models')), '_schemas');
const validators = new Map<string, CompiledValidator>();

/**
 * The compiled validator for an OpenAPI definition such as `AppsV1Deployment`
 * (io.k8s.api.apps.v1.Deployment). Loaded on first use and kept.
 */
function validatorFor(definition: string): CompiledValidator {
  let v = validators.get(definition);
  if (!v) {
    // The package exposes its schemas only by file; load them by path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(schemaDir, `IoK8sApi${definition}.js`)) as { validate: CompiledValidator };
    v = mod.validate;
    validators.set(definition, v);
  }
  return v;
}

/** Fields that are string maps in the Kubernetes types: their keys print as `[key]`. */
const mapFields = new Set([
  'labels', 'annotations', 'data', 'binaryData', 'stringData', 'limits', 'requests', 'nodeSelector',
  'matchLabels', 'capacity', 'allocatable', 'hard', 'used', 'parameters', 'volumeAttributes',
]);

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function fieldPathFromPointer(pointer: string): FieldPath {
  let p = FieldPath.root();
  let previous = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (mapFields.has(previous)) p = p.key(seg);
    else p = /^\d+$/.test(seg) ? p.index(Number(seg)) : p.child(seg);
    previous = seg;
  }
  return p;
}

function describeType(t: unknown): string {
  if (t === 'integer') return 'must be an integer';
  if (t === 'number') return 'must be a number';
  if (t === 'string') return 'must be a string';
  if (t === 'boolean') return 'must be a boolean';
  if (t === 'object') return 'must be an object';
  if (t === 'array') return 'must be an array';
  return `must be of type ${String(t)}`;
}

function valueAt(obj: unknown, pointer: string): unknown {
  let cur: unknown = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function toFieldError(obj: unknown, e: AjvError): FieldError {
  const at = fieldPathFromPointer(e.instancePath);
  const value = valueAt(obj, e.instancePath);
  switch (e.keyword) {
    case 'required':
      return fieldErr.required(at.child(String(e.params['missingProperty'])));
    case 'type':
      return fieldErr.typeInvalid(at, value, describeType(e.params['type']));
    case 'enum': {
      const allowed = Array.isArray(e.params['allowedValues']) ? (e.params['allowedValues'] as unknown[]).map(String) : [];
      return fieldErr.notSupported(at, value, allowed);
    }
    case 'format':
      if (e.params['format'] === 'quantity') {
        return fieldErr.invalid(at, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
      }
      if (e.params['format'] === 'int-or-string') return fieldErr.typeInvalid(at, value, 'must be an integer or a string');
      return fieldErr.invalid(at, value, `must be a valid ${String(e.params['format'])}`);
    case 'oneOf':
    case 'anyOf':
      return fieldErr.typeInvalid(at, value, 'must be an integer or a string');
    default:
      return fieldErr.invalid(at, value, e.message ?? e.keyword);
  }
}

/** Keywords that mean the object has the wrong shape, so semantic rules cannot run on it. */
const shapeKeywords = new Set(['type', 'format', 'oneOf', 'anyOf']);

export interface SchemaResult {
  errors: FieldError[];
  /** True when a value has the wrong type: later checks would read garbage. */
  malformed: boolean;
}

/**
 * Checks an object against its kind's OpenAPI schema: one error per offending field (a bad
 * quantity or int-or-string, which ajv reports several ways, is reported once, as Kubernetes
 * words it).
 */
export function checkSchema(definition: string, obj: unknown): SchemaResult {
  const validate = validatorFor(definition);
  if (validate(obj)) return { errors: [], malformed: false };
  const byPath = new Map<string, AjvError[]>();
  let malformed = false;
  for (const e of validate.errors ?? []) {
    const list = byPath.get(e.instancePath + (e.keyword === 'required' ? `/${String(e.params['missingProperty'])}` : ''));
    if (list) list.push(e);
    else byPath.set(e.instancePath + (e.keyword === 'required' ? `/${String(e.params['missingProperty'])}` : ''), [e]);
    if (shapeKeywords.has(e.keyword)) malformed = true;
  }
  const errors: FieldError[] = [];
  for (const list of byPath.values()) {
    const best = list.find((e) => e.keyword === 'format') ?? list[0];
    if (best) errors.push(toFieldError(obj, best));
  }
  return { errors, malformed };
}

/** The schema errors alone (see checkSchema). */
export function validateSchema(definition: string, obj: unknown): FieldError[] {
  return checkSchema(definition, obj).errors;
}
