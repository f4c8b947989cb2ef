// The shape of a table printer (columns plus a row function) and the column definitions every printer shares.
import type { TableColumnDefinition } from '@keelson/api';

/** A cell as the server sends it: strings, and JSON numbers where upstream prints an int64. */
export type Cell = string | number | boolean;

/** meta/v1 TableRowCondition: only `Completed` exists (set on Succeeded and Failed pods). */
export interface RowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** What a printer returns for one object: a cell per column, in column order. */
export interface PrintedRow {
  cells: Cell[];
  conditions?: RowCondition[];
}

/** Injected context: the time AGE and other durations are measured against. */
export interface PrintContext {
  now: Date;
}

/**
 * Columns and a row function for one kind. The server always prints every column, `-o wide`
 * ones (priority 1) included, exactly as kube-apiserver does; kubectl hides them by priority.
 */
export interface TablePrinter {
  readonly columns: readonly TableColumnDefinition[];
  print(obj: object, ctx: PrintContext): PrintedRow;
}

/**
 * A printer for objects of type T. The one cast from `object` is here: printers are chosen by
 * the resource's kind and every stored object passed validation against that kind's schema.
 */
export function definePrinter<T>(columns: readonly TableColumnDefinition[], print: (obj: T, ctx: PrintContext) => PrintedRow | Cell[]): TablePrinter {
  return {
    columns,
    print(obj, ctx) {
      const row = print(obj as T, ctx);
      return Array.isArray(row) ? { cells: row } : row;
    },
  };
}

/** A column definition; `priority` 1 means shown only with `-o wide`. */
export function column(name: string, description: string, opts: { type?: TableColumnDefinition['type']; priority?: number; format?: string } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** A `-o wide` column. */
export function wide(name: string, description: string, type: TableColumnDefinition['type'] = 'string'): TableColumnDefinition {
  return column(name, description, { type, priority: 1 });
}

/** ObjectMeta's swagger description of `name`, used by every Name column. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** ObjectMeta's swagger description of `creationTimestamp`, used by every Age column. */
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = column('Name', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = column('Age', AGE_DESCRIPTION);
export const containersColumn = wide('Containers', 'Names of each container in the template.');
export const imagesColumn = wide('Images', 'Images referenced by each container in the template.');
