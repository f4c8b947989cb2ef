// The shapes of the served OpenAPI documents: Swagger 2.0 (/openapi/v2) and OpenAPI 3.0 (/openapi/v3/…).
import type { GroupVersionKind, SchemaObject } from '@keelson/api';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Kubernetes' verb for an operation (`x-kubernetes-action`). */
export type Action = 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export interface V2Parameter {
  name: string;
  in: 'path' | 'query' | 'body';
  description: string;
  required?: boolean;
  type?: 'string' | 'boolean' | 'integer';
  uniqueItems?: boolean;
  schema?: SchemaObject;
}

export interface V2Response {
  description: string;
  schema?: SchemaObject;
}

export interface V2Operation {
  description: string;
  consumes?: string[];
  produces: string[];
  schemes: string[];
  tags: string[];
  operationId: string;
  parameters?: V2Parameter[];
  responses: Record<string, V2Response>;
  'x-kubernetes-action': Action;
  'x-kubernetes-group-version-kind'?: GroupVersionKind;
}

export type V2PathItem = Partial<Record<HttpMethod, V2Operation>> & { parameters?: V2Parameter[] };

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, V2PathItem>;
  definitions: Record<string, SchemaObject>;
}

/** A schema in an OpenAPI 3.0 document: `$ref`s with siblings become `allOf: [{$ref}]`, as upstream writes them. */
export type V3Schema = Omit<SchemaObject, 'properties' | 'items' | 'additionalProperties'> & {
  allOf?: V3Schema[];
  properties?: Record<string, V3Schema>;
  items?: V3Schema;
  additionalProperties?: V3Schema;
};

export interface V3Parameter {
  name: string;
  in: 'path' | 'query';
  description: string;
  required?: boolean;
  schema: V3Schema;
}

export interface V3MediaTypes {
  content: Record<string, { schema: V3Schema }>;
}

export interface V3Operation {
  description: string;
  tags: string[];
  operationId: string;
  parameters?: V3Parameter[];
  requestBody?: V3MediaTypes & { required?: boolean };
  responses: Record<string, { description: string } & Partial<V3MediaTypes>>;
  'x-kubernetes-action': Action;
  'x-kubernetes-group-version-kind'?: GroupVersionKind;
}

export type V3PathItem = Partial<Record<HttpMethod, V3Operation>> & { parameters?: V3Parameter[] };

export interface OpenAPIV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, V3PathItem>;
  components: { schemas: Record<string, V3Schema> };
}

/** `GET /openapi/v3`: one entry per group version, each with a content-addressed URL. */
export interface OpenAPIV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}
