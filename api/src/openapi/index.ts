// The OpenAPI definitions of every served kind, generated from the Kubernetes types, and the decoder's unknown-field pruning over them.
export { openapiSchemaFile, openapiDefinitions, definitionNameOf, resolveSchema, isOpaqueObject } from './definitions';
export { pruneUnknownFields } from './prune';
export { refName, type GroupVersionKind, type SchemaObject, type SchemaFile } from './types';
