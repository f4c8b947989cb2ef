// meta/v1: the metadata every object carries, lists, Status, watch events and Table.
export type {
  ObjectMeta,
  ListMeta,
  OwnerReference,
  Status,
  StatusCause,
  StatusDetails,
  DeleteOptions,
  Preconditions,
  LabelSelector,
  LabelSelectorRequirement,
  Condition,
  ManagedFieldsEntry,
  APIResource,
  APIResourceList,
  APIGroup,
  APIGroupList,
  APIVersions,
  GroupVersionForDiscovery,
  Time,
  MicroTime,
} from 'kubernetes-types/meta/v1';
import type { ListMeta, ObjectMeta } from 'kubernetes-types/meta/v1';

/** apiVersion and kind, as every serialized object carries them. */
export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

/** Any API object: type meta plus object metadata; spec and status are per kind. */
export interface KubeObject extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** An object the server has stored: metadata is always present. */
export type StoredObject<T extends KubeObject = KubeObject> = T & { metadata: ObjectMeta };

/** `FooList`: the shape of every list response. */
export interface KubeList<T extends KubeObject = KubeObject> extends TypeMeta {
  metadata: ListMeta;
  items: T[];
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One line of a watch stream. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** meta.k8s.io/v1 Table: server-side printing of lists. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  object?: unknown;
}

export interface Table extends TypeMeta {
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}
