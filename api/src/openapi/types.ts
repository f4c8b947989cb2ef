// Types of the generated OpenAPI (Swagger 2.0 style) definitions every kind's schema is read from.

/** One `x-kubernetes-group-version-kind` entry. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * A schema as Kubernetes publishes it in `/openapi/v2` `definitions`: JSON Schema draft 4
 * with the Kubernetes vendor extensions. `$ref` points at `#/definitions/<name>`; a `$ref`
 * may carry a `description` beside it, as upstream's does.
 */
export interface SchemaObject {
  $ref?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject;
  items?: SchemaObject;
  required?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
}

/** The checked-in file: where it came from, and the definitions by OpenAPI name. */
export interface SchemaFile {
  info: {
    /** The command that regenerates the file. */
    generator: string;
    /** Package name → version (and the Kubernetes OpenAPI version it was generated from). */
    sources: Record<string, string>;
  };
  definitions: Record<string, SchemaObject>;
}

/** `#/definitions/io.k8s.api.apps.v1.Deployment` → `io.k8s.api.apps.v1.Deployment`. */
export function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i < 0 ? ref : ref.slice(i + 1);
}
