// The served OpenAPI documents, built from the generated definitions (the schemas validation and pruning use), the patch table and the registry.
//
//   api/generated/openapi-schemas.json ─┐
//   patch/schema.ts (merge keys, lists) ─┼─► swaggerDocument()  → /openapi/v2
//   registry (resources, verbs)        ─┘        └─ per group version, as OpenAPI 3.0 → /openapi/v3/<gv>
import { definitionNameOf, openapiDefinitions, refName, resources, subresourceKinds, type SchemaObject } from '@keelson/api';
import { versionInfo } from '../discovery';
import { fieldMeta, isAtomicType, rootType } from '../patch/schema';
import { groupVersionPaths, groupVersionPrefix, groupVersions } from './paths';
import type { OpenAPIV3Document, SwaggerDocument, V2Operation, V2Parameter, V2PathItem, V3Operation, V3Parameter, V3PathItem, V3Schema } from './types';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Adds Kubernetes' patch and list markers (x-kubernetes-patch-merge-key, -patch-strategy,
 * -list-type, -list-map-keys, -map-type) from the table strategic merge patch and server-side
 * apply work from, walking it from each kind alongside the definitions.
 */
export function addPatchMetadata(definitions: Record<string, SchemaObject>): void {
  const visited = new Set<string>();
  const walk = (definition: string, type: string): void => {
    const key = `${definition}\u0000${type}`;
    const schema = definitions[definition];
    if (visited.has(key) || !schema) return;
    visited.add(key);
    if (isAtomicType(type)) schema['x-kubernetes-map-type'] = 'atomic';
    for (const [field, prop] of Object.entries(schema.properties ?? {})) {
      const meta = fieldMeta(type, field);
      if (!meta) continue;
      if (meta.listMapKeys) prop['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
      if (meta.listType) prop['x-kubernetes-list-type'] = meta.listType;
      if (meta.atomic) prop['x-kubernetes-map-type'] = 'atomic';
      if (meta.patchMergeKey) prop['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
      if (meta.patchStrategy) prop['x-kubernetes-patch-strategy'] = meta.patchStrategy;
      const target = prop.$ref ?? prop.items?.$ref ?? prop.additionalProperties?.$ref;
      if (meta.type !== undefined && target !== undefined) walk(refName(target), meta.type);
    }
  };
  const kinds = [...resources, ...Object.values(subresourceKinds)];
  for (const k of kinds) {
    const definition = definitionNameOf(k);
    const type = rootType(k.kind);
    if (definition !== undefined && type !== undefined) walk(definition, type);
  }
}

function sortedPaths<T>(paths: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(paths).sort()) out[key] = paths[key] as T;
  return out;
}

/** The definitions as served: generated, with the patch markers added. */
function servedDefinitions(): Record<string, SchemaObject> {
  const definitions = structuredClone(openapiDefinitions()) as Record<string, SchemaObject>;
  addPatchMetadata(definitions);
  return definitions;
}

const info = (): { title: string; version: string } => ({ title: 'Kubernetes', version: versionInfo().gitVersion });

/** `/openapi/v2`: every served path and every definition. */
export function swaggerDocument(): SwaggerDocument {
  const paths: Record<string, V2PathItem> = {};
  for (const gv of groupVersions()) Object.assign(paths, groupVersionPaths(gv.group, gv.version));
  return { swagger: '2.0', info: info(), paths: sortedPaths(paths), definitions: servedDefinitions() };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0, one document per group version.

/** A v2 schema in v3 form: `#/components/schemas/…`, and `allOf` around a `$ref` that has siblings. */
export function toV3Schema(s: SchemaObject): V3Schema {
  const { $ref, properties, items, additionalProperties, ...rest } = s;
  const out: V3Schema = { ...rest };
  if (properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(properties)) out.properties[k] = toV3Schema(v);
  }
  if (items) out.items = toV3Schema(items);
  if (additionalProperties) out.additionalProperties = toV3Schema(additionalProperties);
  if ($ref === undefined) return out;
  const target = `#/components/schemas/${refName($ref)}`;
  return Object.keys(out).length === 0 ? { $ref: target } : { allOf: [{ $ref: target }], ...out };
}

function toV3Parameter(p: V2Parameter): V3Parameter {
  const schema: V3Schema = p.type !== undefined ? { type: p.type, ...(p.uniqueItems ? { uniqueItems: true } : {}) } : {};
  const out: V3Parameter = { name: p.name, in: p.in === 'path' ? 'path' : 'query', description: p.description, schema };
  if (p.required) out.required = true;
  return out;
}

function toV3Operation(op: V2Operation): V3Operation {
  const parameters = (op.parameters ?? []).filter((p) => p.in !== 'body').map(toV3Parameter);
  const bodyParam = op.parameters?.find((p) => p.in === 'body');
  const out: V3Operation = { description: op.description, tags: op.tags, operationId: op.operationId, responses: {}, 'x-kubernetes-action': op['x-kubernetes-action'] };
  if (parameters.length > 0) out.parameters = parameters;
  if (bodyParam?.schema) {
    const content: Record<string, { schema: V3Schema }> = {};
    for (const type of op.consumes ?? ['*/*']) content[type] = { schema: toV3Schema(bodyParam.schema) };
    out.requestBody = bodyParam.required ? { content, required: true } : { content };
  }
  for (const [code, response] of Object.entries(op.responses)) {
    if (!response.schema) {
      out.responses[code] = { description: response.description };
      continue;
    }
    const content: Record<string, { schema: V3Schema }> = {};
    for (const type of op.produces) content[type] = { schema: toV3Schema(response.schema) };
    out.responses[code] = { description: response.description, content };
  }
  const gvk = op['x-kubernetes-group-version-kind'];
  if (gvk) out['x-kubernetes-group-version-kind'] = gvk;
  return out;
}

/** Every `$ref` under a value. */
function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(refName(v));
      else refsIn(v, out);
    }
  }
}

/** The document key of a group version in `/openapi/v3`: `api/v1`, `apis/apps/v1`. */
export function groupVersionKey(group: string, version: string): string {
  return groupVersionPrefix(group, version).slice(1);
}

/** `/openapi/v3/<api/v1|apis/group/version>`: the group version's paths and every schema they reach. */
export function v3Document(group: string, version: string, definitions: Record<string, SchemaObject> = servedDefinitions()): OpenAPIV3Document {
  const paths: Record<string, V3PathItem> = {};
  for (const [path, item] of Object.entries(groupVersionPaths(group, version))) {
    const v3: V3PathItem = {};
    for (const m of METHODS) {
      const op = item[m];
      if (op) v3[m] = toV3Operation(op);
    }
    if (item.parameters) v3.parameters = item.parameters.map(toV3Parameter);
    paths[path] = v3;
  }
  // The schemas the paths reach, and those they reach in turn.
  const needed = new Set<string>();
  refsIn(paths, needed);
  for (const name of needed) refsIn(definitions[name], needed);
  const schemas: Record<string, V3Schema> = {};
  for (const name of [...needed].sort()) {
    const s = definitions[name];
    if (s) schemas[name] = toV3Schema(s);
  }
  return { openapi: '3.0.0', info: info(), paths: sortedPaths(paths), components: { schemas } };
}

/** Every group version's v3 document, keyed as `/openapi/v3` lists them. */
export function v3Documents(): Map<string, OpenAPIV3Document> {
  const definitions = servedDefinitions();
  const docs = new Map<string, OpenAPIV3Document>();
  for (const gv of groupVersions()) docs.set(groupVersionKey(gv.group, gv.version), v3Document(gv.group, gv.version, definitions));
  return docs;
}
