// Drops the fields a kind's schema does not declare, as Kubernetes does when it decodes a typed object.
import { isOpaqueObject, openapiDefinitions, resolveSchema } from './definitions';
import type { SchemaObject } from './types';

/** `spec.template.spec.containers[0].foo`, as Kubernetes prints a field in strict decoding errors. */
function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Removes, in place, every field of `obj` that the definition `definition` (an OpenAPI name such
 * as `io.k8s.api.apps.v1.Deployment`) does not declare, at any depth, and returns their paths in
 * the order met. Values of the wrong type are left alone for validation to report; opaque
 * objects (RawExtension, FieldsV1) and maps keep every key.
 */
export function pruneUnknownFields(definition: string, obj: unknown): string[] {
  const root = openapiDefinitions()[definition];
  if (!root) throw new Error(`no OpenAPI definition ${definition}`);
  const unknown: string[] = [];
  // An explicit stack: objects nest as deep as a client sends them.
  const stack: { schema: SchemaObject; value: unknown; path: string }[] = [{ schema: root, value: obj, path: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (value === null || typeof value !== 'object') continue;
    const schema = resolveSchema(item.schema);
    const next: typeof stack = [];
    if (Array.isArray(value)) {
      const items = schema.type === 'array' ? schema.items : undefined;
      if (items) value.forEach((v: unknown, i) => next.push({ schema: items, value: v, path: `${path}[${i}]` }));
    } else if (schema.type === 'object' && !isOpaqueObject(schema)) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const at = child(path, key);
        const field = schema.properties ? schema.properties[key] : schema.additionalProperties;
        if (field === undefined) {
          unknown.push(at);
          delete record[key];
        } else {
          next.push({ schema: field, value: record[key], path: schema.properties ? at : `${path}[${key}]` });
        }
      }
    }
    // Reversed, so that fields come off the stack in document order.
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as (typeof stack)[number]);
  }
  return unknown;
}
