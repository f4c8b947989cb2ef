// Generates the OpenAPI definitions of every served kind from kubernetes-types (.d.ts, read with the TypeScript compiler API), cross-checked with @kubernetes/client-node.
//
//   kubernetes-types/<group>/<version>.d.ts   interfaces, JSDoc descriptions, optional/required,
//                                             Quantity / Time / MicroTime aliases, int-or-string unions
//   @kubernetes/client-node gen/models        attributeTypeMap: int32 / int64 / double / byte /
//                                             date-time(-micro); fields and types added since
//            │                                kubernetes-types' last release (1.30 → 1.34)
//            ▼
//   definitions closed over the registry's kinds, their lists, subresource bodies and meta types
//            ▼
//   api/generated/openapi-schemas.json  (scripts/gen-openapi-schemas.js writes it; a test checks it)
//
// The generator is not part of the package surface: it loads the TypeScript compiler.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { apiVersionOf, resources, subresourceKinds } from '../registry';
import type { GroupVersionKind, SchemaFile, SchemaObject } from './types';

/** Where the generated file lives, relative to the repository root. */
export const schemaFileRelativePath = 'api/generated/openapi-schemas.json';

/** The generated file's absolute path (the same from src/ and dist/). */
export const schemaFilePath = path.resolve(__dirname, '..', '..', 'generated', 'openapi-schemas.json');

export interface GenerateOptions {
  /** The kubernetes-types package directory (default: resolved from node_modules). */
  kubernetesTypesDir?: string;
  /** @kubernetes/client-node's `dist/gen/models` directory (default: resolved from node_modules). */
  clientNodeModelsDir?: string;
}

export interface GenerateResult {
  file: SchemaFile;
  /** How the two sources disagreed and which one was taken, one line each. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// kubernetes-types: modules of interfaces and aliases.

interface KtProperty {
  name: string;
  optional: boolean;
  type: ts.TypeNode;
  description: string;
}

interface KtDecl {
  module: string;
  name: string;
  description: string;
  /** Interface members; undefined for a type alias. */
  properties?: KtProperty[];
}

interface KtModule {
  decls: Map<string, KtDecl>;
  /** Imported name → module it comes from. */
  imports: Map<string, string>;
}

function jsDocText(node: ts.Node): string {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const last = docs[docs.length - 1];
  return last ? (ts.getTextOfJSDocComment(last.comment) ?? '').trim() : '';
}

function memberName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function listFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...listFiles(full, suffix));
    } else if (entry.name.endsWith(suffix)) {
      out.push(full);
    }
  }
  return out;
}

function readKubernetesTypes(dir: string): Map<string, KtModule> {
  const modules = new Map<string, KtModule>();
  for (const file of listFiles(dir, '.d.ts')) {
    const module = path.relative(dir, file).split(path.sep).join('/').replace(/\.d\.ts$/, '');
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const mod: KtModule = { decls: new Map(), imports: new Map() };
    for (const stmt of source.statements) {
      if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
        const from = path.posix.join(path.posix.dirname(module), stmt.moduleSpecifier.text);
        const bindings = stmt.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) mod.imports.set(el.name.text, from);
      } else if (ts.isInterfaceDeclaration(stmt)) {
        const properties: KtProperty[] = [];
        for (const m of stmt.members) {
          if (!ts.isPropertySignature(m) || !m.type) continue;
          const name = memberName(m.name);
          if (name !== undefined) properties.push({ name, optional: m.questionToken !== undefined, type: m.type, description: jsDocText(m) });
        }
        mod.decls.set(stmt.name.text, { module, name: stmt.name.text, description: jsDocText(stmt), properties });
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        mod.decls.set(stmt.name.text, { module, name: stmt.name.text, description: jsDocText(stmt) });
      }
    }
    modules.set(module, mod);
  }
  return modules;
}

/** The shape of a kubernetes-types property type. */
type KtShape =
  | { k: 'string' }
  | { k: 'number' }
  | { k: 'boolean' }
  | { k: 'intOrString' }
  | { k: 'ref'; module: string; name: string }
  | { k: 'array'; of: KtShape }
  | { k: 'map'; of: KtShape };

// ---------------------------------------------------------------------------------------------
// @kubernetes/client-node: models with attributeTypeMap, descriptions and optional markers.

interface CnAttribute {
  type: string;
  format: string;
  optional: boolean;
  description: string;
}

interface CnModel {
  description: string;
  attributes: Map<string, CnAttribute>;
}

function isTypeMapEntry(v: unknown): v is { baseName: string; name: string; type: string; format: string } {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o['baseName'] === 'string' && typeof o['name'] === 'string' && typeof o['type'] === 'string' && typeof o['format'] === 'string';
}

function readClientNodeModels(dir: string): { models: Map<string, CnModel>; openapiVersion: string } {
  const models = new Map<string, CnModel>();
  let openapiVersion = '';
  for (const file of listFiles(dir, '.d.ts')) {
    const name = path.basename(file, '.d.ts');
    const jsFile = path.join(dir, `${name}.js`);
    if (!fs.existsSync(jsFile)) continue;
    const decl = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const cls = decl.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name);
    if (!cls) continue;
    const members = new Map<string, { optional: boolean; description: string }>();
    for (const m of cls.members) {
      if (!ts.isPropertyDeclaration(m)) continue;
      const key = memberName(m.name);
      if (key !== undefined && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) {
        members.set(key, { optional: m.questionToken !== undefined, description: jsDocText(m) });
      }
    }
    // The JS holds the attributeTypeMap array literal: read it as data, without running the module.
    const jsText = fs.readFileSync(jsFile, 'utf8');
    if (!openapiVersion) openapiVersion = /OpenAPI spec version: (\S+)/.exec(jsText)?.[1] ?? '';
    const js = ts.createSourceFile(jsFile, jsText, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const attributes = new Map<string, CnAttribute>();
    for (const s of js.statements) {
      if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression)) continue;
      const { left, right } = s.expression;
      if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'attributeTypeMap' || !ts.isArrayLiteralExpression(right)) continue;
      const entries: unknown = JSON.parse(right.getText(js));
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        if (!isTypeMapEntry(e)) continue;
        const m = members.get(e.name);
        attributes.set(e.baseName, { type: e.type, format: e.format, optional: m?.optional ?? true, description: m?.description ?? '' });
      }
    }
    models.set(name, { description: jsDocText(cls), attributes });
  }
  return { models, openapiVersion };
}

type CnShape =
  | { k: 'string' | 'number' | 'boolean' | 'date' | 'any' | 'intOrString' }
  | { k: 'model'; name: string }
  | { k: 'array'; of: CnShape }
  | { k: 'map'; of: CnShape };

function cnShape(type: string): CnShape {
  const t = type.trim();
  const array = /^Array<(.*)>$/.exec(t);
  if (array?.[1] !== undefined) return { k: 'array', of: cnShape(array[1]) };
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(t);
  if (map?.[1] !== undefined) return { k: 'map', of: cnShape(map[1]) };
  switch (t) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'any':
      return { k: t };
    case 'Date':
      return { k: 'date' };
    case 'IntOrString':
      return { k: 'intOrString' };
    case 'V1MicroTime':
      // Declared by hand in client-node's types.ts, not a generated model.
      return { k: 'date' };
    default:
      return { k: 'model', name: t };
  }
}

// ---------------------------------------------------------------------------------------------
// Names.

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The OpenAPI name prefix of a kubernetes-types module (`apps/v1` → `io.k8s.api.apps.v1`). */
function definitionPrefix(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'util/intstr':
      return 'io.k8s.apimachinery.pkg.util.intstr';
    default:
      if (module.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${module.replace('/', '.')}`;
      return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

/** The kubernetes-types module of an API group's version (`apps`, `v1` → `apps/v1`; core → `core/v1`). */
function moduleOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0] ?? group}/${version}`;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Definitions that need more than their TypeScript declaration says. */
const aliasSchemas: Readonly<Record<string, { type: 'string'; format: string }>> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', format: 'quantity' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
};

// ---------------------------------------------------------------------------------------------
// The generator.

class Generator {
  readonly defs = new Map<string, SchemaObject>();
  readonly notes: string[] = [];
  /** client-node model name → kubernetes-types declaration. */
  private readonly byModel = new Map<string, KtDecl>();

  constructor(
    private readonly kt: Map<string, KtModule>,
    private readonly cn: Map<string, CnModel>,
  ) {
    for (const mod of kt.values()) {
      for (const decl of mod.decls.values()) {
        const model = this.modelNameOf(decl.module, decl.name);
        if (model !== undefined && decl.properties !== undefined) this.byModel.set(model, decl);
      }
    }
  }

  /** client-node's class for a declaration: `CoreV1EndpointPort` where names collide, else `V1Pod`. */
  private modelNameOf(module: string, name: string): string | undefined {
    if (module === 'version') return this.cn.has(`Version${name}`) ? `Version${name}` : undefined;
    const [group, version] = module.split('/');
    if (group === undefined || version === undefined) return undefined;
    for (const candidate of [`${cap(group)}${cap(version)}${name}`, `${cap(version)}${name}`]) {
      if (this.cn.has(candidate)) return candidate;
    }
    return undefined;
  }

  private decl(module: string, name: string): KtDecl | undefined {
    return this.kt.get(module)?.decls.get(name);
  }

  /** Resolves a type name used in `module` to its declaring module. */
  private resolve(module: string, name: string): { module: string; name: string } | undefined {
    if (this.decl(module, name)) return { module, name };
    const from = this.kt.get(module)?.imports.get(name);
    return from !== undefined && this.decl(from, name) ? { module: from, name } : undefined;
  }

  private ktShape(node: ts.TypeNode, module: string, where: string): KtShape {
    if (ts.isParenthesizedTypeNode(node)) return this.ktShape(node.type, module, where);
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { k: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { k: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { k: 'boolean' };
      default:
        break;
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { k: 'string' };
    if (ts.isUnionTypeNode(node)) {
      const kinds = new Set(node.types.map((t) => t.kind));
      if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) return { k: 'intOrString' };
      if (node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) return { k: 'string' };
    }
    if (ts.isArrayTypeNode(node)) return { k: 'array', of: this.ktShape(node.elementType, module, where) };
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const arg = node.typeArguments?.[0];
      if (node.typeName.text === 'Array' && arg) return { k: 'array', of: this.ktShape(arg, module, where) };
      const target = this.resolve(module, node.typeName.text);
      if (target) return { k: 'ref', ...target };
    }
    if (ts.isTypeLiteralNode(node)) {
      const sig = node.members.find(ts.isIndexSignatureDeclaration);
      if (sig) return { k: 'map', of: this.ktShape(sig.type, module, where) };
    }
    throw new Error(`${where}: unsupported type ${node.getText()}`);
  }

  /** The definition name of a kubernetes-types declaration, generating it on first use. */
  private ensureKt(module: string, name: string): string {
    const def = `${definitionPrefix(module)}.${name}`;
    if (this.defs.has(def)) return def;
    const decl = this.decl(module, name);
    if (!decl) throw new Error(`kubernetes-types has no ${module}.${name}`);
    this.defs.set(def, {});
    const model = this.modelNameOf(module, name);
    this.defs.set(def, this.buildKt(def, decl, model !== undefined ? this.cn.get(model) : undefined, model));
    return def;
  }

  /** The definition name of a client-node model kubernetes-types does not have, generating it. */
  private ensureModel(model: string, referrer: string, where: string): string {
    const known = this.byModel.get(model);
    if (known) return this.ensureKt(known.module, known.name);
    const [group, version] = referrer.split('/');
    const prefixes = [`${cap(group ?? '')}${cap(version ?? '')}`, cap(version ?? '')];
    const bare = prefixes.reduce((n, p) => (p && n.startsWith(p) ? n.slice(p.length) : n), model);
    const def = `${definitionPrefix(referrer)}.${bare}`;
    if (this.defs.has(def)) return def;
    const cnModel = this.cn.get(model);
    if (!cnModel) throw new Error(`${where}: client-node has no model ${model}`);
    this.notes.push(`${def}: not in kubernetes-types; taken from client-node ${model} (package assumed from ${where})`);
    this.defs.set(def, {});
    this.defs.set(def, this.buildCnOnly(def, referrer, cnModel));
    return def;
  }

  private buildKt(def: string, decl: KtDecl, model: CnModel | undefined, modelName: string | undefined): SchemaObject {
    const alias = aliasSchemas[def];
    if (decl.properties === undefined) {
      if (!alias) throw new Error(`${def}: type alias without a known schema`);
      return { ...(decl.description ? { description: decl.description } : {}), ...alias };
    }
    const schema: SchemaObject = {};
    if (decl.description) schema.description = decl.description;
    schema.type = 'object';
    if (decl.properties.length === 0 && (model === undefined || model.attributes.size === 0)) {
      // RawExtension, FieldsV1, Patch: opaque objects whose content is kept as sent.
      return schema;
    }
    const ktProps = new Map(decl.properties.map((p) => [p.name, p]));
    const names = [...new Set([...ktProps.keys(), ...(model?.attributes.keys() ?? [])])].sort();
    const properties: Record<string, SchemaObject> = {};
    const required: string[] = [];
    const gvk: Partial<GroupVersionKind> = {};
    for (const name of names) {
      const where = `${def}.${name}`;
      const kp = ktProps.get(name);
      const cp = model?.attributes.get(name);
      let prop: SchemaObject;
      if (kp) {
        prop = this.fromKt(this.ktShape(kp.type, decl.module, where), cp ? cnShape(cp.type) : undefined, cp?.format ?? '', decl.module, where);
        if (!cp && model) this.notes.push(`${where}: in kubernetes-types only (removed since?); kept`);
        const literal = ts.isLiteralTypeNode(kp.type) && ts.isStringLiteral(kp.type.literal) ? kp.type.literal.text : undefined;
        if (literal !== undefined && name === 'kind') gvk.kind = literal;
        if (literal !== undefined && name === 'apiVersion') Object.assign(gvk, splitApiVersion(literal));
      } else if (cp) {
        prop = this.fromCn(cnShape(cp.type), cp.format, decl.module, where);
      } else {
        continue;
      }
      const description = kp?.description || cp?.description || '';
      properties[name] = description ? { ...prop, description } : prop;
      // Required-ness follows the newer source where it has the field.
      const isRequired = cp ? !cp.optional : kp ? !kp.optional : false;
      if (cp && kp && cp.optional !== kp.optional) {
        this.notes.push(`${where}: required in ${cp.optional ? 'kubernetes-types' : 'client-node'} only; taken as ${isRequired ? 'required' : 'optional'} (client-node is newer)`);
      }
      if (isRequired) required.push(name);
    }
    if (modelName === undefined && decl.properties.length > 0 && def.startsWith('io.k8s.api')) this.notes.push(`${def}: no client-node model to cross-check`);
    schema.properties = properties;
    if (required.length > 0) schema.required = required;
    if (gvk.kind !== undefined && gvk.version !== undefined) {
      schema['x-kubernetes-group-version-kind'] = [{ group: gvk.group ?? '', kind: gvk.kind, version: gvk.version }];
    }
    return schema;
  }

  private buildCnOnly(def: string, module: string, model: CnModel): SchemaObject {
    const schema: SchemaObject = {};
    if (model.description) schema.description = model.description;
    schema.type = 'object';
    const properties: Record<string, SchemaObject> = {};
    const required: string[] = [];
    for (const [name, attr] of [...model.attributes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const prop = this.fromCn(cnShape(attr.type), attr.format, module, `${def}.${name}`);
      properties[name] = attr.description ? { ...prop, description: attr.description } : prop;
      if (!attr.optional) required.push(name);
    }
    schema.properties = properties;
    if (required.length > 0) schema.required = required;
    return schema;
  }

  private numberSchema(format: string, where: string): SchemaObject {
    if (format === 'int32' || format === 'int64') return { type: 'integer', format };
    if (format === 'double' || format === 'float') return { type: 'number', format };
    this.notes.push(`${where}: number without a format in client-node; taken as int32`);
    return { type: 'integer', format: 'int32' };
  }

  /** A property's schema from its kubernetes-types shape, with formats (and a cross-check) from client-node. */
  private fromKt(kt: KtShape, cn: CnShape | undefined, format: string, module: string, where: string): SchemaObject {
    const mismatch = (): void => {
      if (cn) this.notes.push(`${where}: kubernetes-types says ${kt.k}, client-node says ${cn.k === 'model' ? cn.name : cn.k}; kubernetes-types taken`);
    };
    switch (kt.k) {
      case 'string':
        if (cn && cn.k !== 'string') mismatch();
        return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
      case 'boolean':
        if (cn && cn.k !== 'boolean') mismatch();
        return { type: 'boolean' };
      case 'number':
        if (!cn) {
          this.notes.push(`${where}: number not in client-node; taken as int32`);
          return { type: 'integer', format: 'int32' };
        }
        if (cn.k !== 'number') mismatch();
        return this.numberSchema(format, where);
      case 'intOrString':
        if (cn && cn.k !== 'intOrString') mismatch();
        this.ensureIntOrString();
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      case 'array':
        if (cn && cn.k !== 'array') mismatch();
        return { type: 'array', items: this.fromKt(kt.of, cn?.k === 'array' ? cn.of : undefined, format, module, `${where}[]`) };
      case 'map':
        if (cn && cn.k !== 'map') mismatch();
        return { type: 'object', additionalProperties: this.fromKt(kt.of, cn?.k === 'map' ? cn.of : undefined, format, module, `${where}{}`) };
      case 'ref': {
        const def = this.ensureKt(kt.module, kt.name);
        const target = this.decl(kt.module, kt.name);
        if (cn && target) {
          const expected = target.properties === undefined ? (def.endsWith('Time') ? 'date' : 'string') : this.modelNameOf(kt.module, kt.name) ?? 'any';
          const actual = cn.k === 'model' ? cn.name : cn.k;
          if (expected !== actual) mismatch();
        }
        return { $ref: `#/definitions/${def}` };
      }
    }
  }

  /** A property's schema from client-node alone (fields kubernetes-types does not have yet). */
  private fromCn(cn: CnShape, format: string, module: string, where: string): SchemaObject {
    switch (cn.k) {
      case 'string':
        return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
      case 'boolean':
        return { type: 'boolean' };
      case 'number':
        return this.numberSchema(format, where);
      case 'date':
        return { $ref: `#/definitions/${this.ensureKt('meta/v1', format === 'date-time-micro' ? 'MicroTime' : 'Time')}` };
      case 'intOrString':
        this.ensureIntOrString();
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      case 'any':
        return { type: 'object' };
      case 'array':
        return { type: 'array', items: this.fromCn(cn.of, format, module, `${where}[]`) };
      case 'map':
        return { type: 'object', additionalProperties: this.fromCn(cn.of, format, module, `${where}{}`) };
      case 'model':
        return { $ref: `#/definitions/${this.ensureModel(cn.name, module, where)}` };
    }
  }

  private ensureIntOrString(): void {
    if (this.defs.has(INT_OR_STRING)) return;
    this.defs.set(INT_OR_STRING, {
      description: 'IntOrString holds either an int32 or a string; in JSON and YAML it is written as the inner value, so a field of this type accepts a number or a name.',
      type: 'string',
      format: 'int-or-string',
    });
  }

  /** Generates `module.name` and everything it references. */
  add(module: string, name: string): string {
    return this.ensureKt(module, name);
  }

  /** Adds group-version-kinds to a definition that has none of its own (Status, DeleteOptions…). */
  tag(def: string, gvks: GroupVersionKind[]): void {
    const schema = this.defs.get(def);
    if (schema) schema['x-kubernetes-group-version-kind'] = gvks;
  }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Key order inside a schema: stable, and close to upstream's. */
const keyOrder = ['$ref', 'description', 'type', 'format', 'items', 'additionalProperties', 'properties', 'required'];

/** Maps whose keys are names (sorted), not schema keywords (kept in keyOrder). */
const nameMaps = new Set(['properties', 'definitions', 'sources']);

function rank(k: string): number {
  const i = keyOrder.indexOf(k);
  return i < 0 ? keyOrder.length : i;
}

function canonical(value: unknown, byName = false): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort((a, b) => (byName ? 0 : rank(a) - rank(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = canonical(obj[k], !byName && nameMaps.has(k));
  return out;
}

function packageDir(entry: string, name: string): string {
  let dir = path.dirname(require.resolve(entry));
  while (!fs.existsSync(path.join(dir, 'package.json')) || (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${name} package`);
    dir = up;
  }
  return dir;
}

function versionOf(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/** Generates the definitions of every served kind, closed over what they reference. */
export function generateDefinitions(options: GenerateOptions = {}): GenerateResult {
  const ktDir = options.kubernetesTypesDir ?? path.dirname(require.resolve('kubernetes-types/package.json'));
  const cnPackage = options.clientNodeModelsDir === undefined ? packageDir('@kubernetes/client-node', '@kubernetes/client-node') : undefined;
  const cnDir = options.clientNodeModelsDir ?? path.join(cnPackage ?? '', 'dist', 'gen', 'models');
  const kt = readKubernetesTypes(ktDir);
  const { models, openapiVersion } = readClientNodeModels(cnDir);
  const gen = new Generator(kt, models);

  for (const r of resources) {
    gen.add(moduleOf(r.group, r.version), r.kind);
    gen.add(moduleOf(r.group, r.version), r.listKind);
  }
  for (const s of Object.values(subresourceKinds)) gen.add(moduleOf(s.group, s.version), s.kind);
  for (const meta of ['Status', 'DeleteOptions', 'WatchEvent', 'Patch', 'APIResourceList', 'APIGroupList', 'APIGroup', 'APIVersions']) gen.add('meta/v1', meta);
  gen.add('version', 'Info');

  // Kinds every group version serves, which carry no apiVersion of their own in the types.
  const groupVersions = [...new Map(resources.map((r) => [apiVersionOf(r), { group: r.group, version: r.version }])).values()];
  gen.tag('io.k8s.apimachinery.pkg.apis.meta.v1.Status', [{ group: '', kind: 'Status', version: 'v1' }]);
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    gen.tag(`io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`, groupVersions.map((gv) => ({ group: gv.group, kind, version: gv.version })));
  }

  const definitions: Record<string, SchemaObject> = {};
  for (const name of [...gen.defs.keys()].sort()) {
    const schema = gen.defs.get(name);
    if (schema) definitions[name] = schema;
  }
  const file: SchemaFile = {
    info: {
      generator: 'node scripts/gen-openapi-schemas.js (after `npx tsc -b api`)',
      sources: {
        'kubernetes-types': versionOf(ktDir),
        '@kubernetes/client-node': `${cnPackage ? versionOf(cnPackage) : 'unknown'} (Kubernetes OpenAPI ${openapiVersion || 'unknown'})`,
      },
    },
    definitions,
  };
  return { file: canonical(file) as SchemaFile, notes: gen.notes };
}

/** The file's text exactly as checked in. */
export function renderSchemaFile(file: SchemaFile): string {
  return `${JSON.stringify(file, null, 1)}\n`;
}
