// The checked-in definitions are exactly what the generator makes, cover every served kind, and agree with the validators.
import * as fs from 'node:fs';
import { resources, subresourceKinds, apiVersionOf } from '../registry';
import { checkSchema } from '../validation';
import { definitionNameOf, openapiDefinitions, resolveSchema } from './definitions';
import { generateDefinitions, renderSchemaFile, schemaFilePath } from './generate';
import { refName, type SchemaObject } from './types';

const defs = openapiDefinitions();

function prop(def: string, ...path: string[]): SchemaObject {
  let s = defs[def];
  for (const p of path) {
    if (!s) break;
    s = resolveSchema(s).properties?.[p];
  }
  if (!s) throw new Error(`no ${def}.${path.join('.')}`);
  return s;
}

/** Every `$ref` anywhere under `value`. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('generated OpenAPI definitions', () => {
  it('are what the generator produces today (run node scripts/gen-openapi-schemas.js after changing it)', () => {
    const { file } = generateDefinitions();
    expect(fs.readFileSync(schemaFilePath, 'utf8')).toBe(renderSchemaFile(file));
  });

  it('define every registry kind, its list and every subresource body, tagged with its group-version-kind', () => {
    for (const r of resources) {
      for (const kind of [r.kind, r.listKind]) {
        const name = definitionNameOf({ group: r.group, version: r.version, kind });
        expect(name).toBeDefined();
        expect(defs[name ?? '']?.properties?.['apiVersion']).toBeDefined();
      }
    }
    for (const s of Object.values(subresourceKinds)) expect(definitionNameOf(s)).toBeDefined();
    expect(definitionNameOf({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('io.k8s.api.apps.v1.Deployment');
    expect(definitionNameOf({ group: '', version: 'v1', kind: 'Status' })).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    expect(definitionNameOf({ group: 'batch', version: 'v1', kind: 'DeleteOptions' })).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  });

  it('resolve every $ref', () => {
    const refs = refsIn(defs);
    expect(refs.length).toBeGreaterThan(400);
    for (const ref of refs) {
      expect(ref.startsWith('#/definitions/')).toBe(true);
      expect(defs[refName(ref)]).toBeDefined();
    }
  });

  it('carry Kubernetes types and formats: int32/int64 integers, date-time, int-or-string, quantity, byte', () => {
    expect(prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas')).toMatchObject({ type: 'integer', format: 'int32' });
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation')).toMatchObject({ type: 'integer', format: 'int64' });
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp').$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time');
    expect(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(prop('io.k8s.api.coordination.v1.LeaseSpec', 'renewTime').$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
    expect(resolveSchema(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge'))).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(prop('io.k8s.api.core.v1.ResourceRequirements', 'limits').additionalProperties?.$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
    expect(prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties).toEqual({ type: 'string', format: 'byte' });
    expect(prop('io.k8s.api.core.v1.PodSpec', 'containers')).toMatchObject({ type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' } });
  });

  it('carry descriptions and required fields', () => {
    expect(defs['io.k8s.api.core.v1.Container']?.required).toEqual(['name']);
    expect(defs['io.k8s.api.apps.v1.DeploymentSpec']?.required).toEqual(['selector', 'template']);
    expect(defs['io.k8s.api.core.v1.PodSpec']?.required).toEqual(['containers']);
    expect(prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas').description).toMatch(/Number of desired pods/);
    expect(defs['io.k8s.api.apps.v1.Deployment']?.description).toMatch(/declarative updates/);
  });

  it('include fields added after the last kubernetes-types release, from client-node', () => {
    expect(prop('io.k8s.api.apps.v1.DeploymentStatus', 'terminatingReplicas')).toMatchObject({ type: 'integer', format: 'int32' });
    expect(prop('io.k8s.api.core.v1.EnvVarSource', 'fileKeyRef').$ref).toBe('#/definitions/io.k8s.api.core.v1.FileKeySelector');
  });

  it('keep opaque objects opaque', () => {
    for (const name of ['io.k8s.apimachinery.pkg.runtime.RawExtension', 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1']) {
      expect(defs[name]?.type).toBe('object');
      expect(defs[name]?.properties).toBeUndefined();
    }
  });
});

/** A value for `schema` with every field set, of the type the definitions say. */
function sample(schema: SchemaObject, seen: readonly string[]): unknown {
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    if (seen.includes(name)) return undefined;
    return sample(resolveSchema(schema), [...seen, name]);
  }
  switch (schema.format) {
    case 'date-time':
      return '2024-05-06T07:08:09Z';
    case 'quantity':
      return '250m';
    case 'int-or-string':
      return 3;
    case 'byte':
      return 'aGVsbG8=';
    default:
      break;
  }
  switch (schema.type) {
    case 'string':
      return 'x';
    case 'integer':
      return 7;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return schema.items ? [sample(schema.items, seen)] : [];
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        const value = sample(v, seen);
        if (value !== undefined) out[k] = value;
      }
      if (schema.additionalProperties) out['key'] = sample(schema.additionalProperties, seen);
      return out;
    }
  }
}

describe('generated definitions against the kubernetes-models validators', () => {
  // A full object of each kind, every field typed as the generated definitions say, must be
  // well-typed for the validators compiled from the official OpenAPI: integer vs number vs
  // string, date-time, quantity and int-or-string all agree.
  it.each(resources.map((r) => [`${apiVersionOf(r)} ${r.kind}`, r] as const))('%s', (_name, r) => {
    const def = definitionNameOf(r) ?? '';
    const obj = sample({ $ref: `#/definitions/${def}` }, []) as Record<string, unknown>;
    obj['apiVersion'] = apiVersionOf(r);
    obj['kind'] = r.kind;
    const result = checkSchema(r.schema, obj);
    expect(result.errors.filter((e) => e.type === 'FieldValueTypeInvalid')).toEqual([]);
    expect(result.malformed).toBe(false);
  });
});
