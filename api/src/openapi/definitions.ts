// The generated OpenAPI definitions (api/generated/openapi-schemas.json), loaded once, looked up by name and by kind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { refName, type GroupVersionKind, type SchemaFile, type SchemaObject } from './types';

// The same path from src/openapi (tests) and dist/openapi (built): the file sits beside both.
const schemaFile = path.resolve(__dirname, '..', '..', 'generated', 'openapi-schemas.json');

let loaded: { file: SchemaFile; byKind: Map<string, string> } | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function load(): { file: SchemaFile; byKind: Map<string, string> } {
  if (!loaded) {
    const file = deepFreeze(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as SchemaFile);
    const byKind = new Map<string, string>();
    for (const [name, schema] of Object.entries(file.definitions)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) byKind.set(gvkKey(gvk), name);
    }
    loaded = { file, byKind };
  }
  return loaded;
}

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** The whole generated file (frozen): provenance and every definition. */
export function openapiSchemaFile(): Readonly<SchemaFile> {
  return load().file;
}

/** Every definition by OpenAPI name (`io.k8s.api.apps.v1.Deployment`), frozen. */
export function openapiDefinitions(): Readonly<Record<string, SchemaObject>> {
  return load().file.definitions;
}

/** The definition name of a kind (`apps`, `v1`, `Deployment` → `io.k8s.api.apps.v1.Deployment`), if generated. */
export function definitionNameOf(gvk: GroupVersionKind): string | undefined {
  return load().byKind.get(gvkKey(gvk));
}

/** Follows `$ref`s to the schema they name; a schema without one is returned as is. */
export function resolveSchema(schema: SchemaObject): SchemaObject {
  let s = schema;
  for (let hops = 0; s.$ref !== undefined && hops < 16; hops++) {
    const target = openapiDefinitions()[refName(s.$ref)];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/** Objects whose content Kubernetes keeps as sent (RawExtension, FieldsV1): `type: object` and nothing else. */
export function isOpaqueObject(schema: SchemaObject): boolean {
  return schema.type === 'object' && schema.properties === undefined && schema.additionalProperties === undefined;
}
