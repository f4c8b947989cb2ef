// Server-side printing: objects of one resource → a meta.k8s.io Table, rows carrying nothing, their metadata, or the whole object.
import { apiVersionOf, type ObjectMeta, type ResourceInfo, type Table, type TableRow } from '@keelson/api';
import { printerFor } from './printers';

/** `?includeObject=`: what each row's `object` carries. kubectl asks for Metadata. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The Table API version the client negotiated (`v=v1` or `v=v1beta1` in its Accept header). */
export type TableVersion = 'v1' | 'v1beta1';

export interface TableOptions {
  /** The time AGE and other durations are measured against. */
  now: Date;
  includeObject: IncludeObject;
  /** The list's metadata, copied onto the table (a single object's table has none). */
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** meta.k8s.io version of the Table and of PartialObjectMetadata rows (default v1). */
  version?: TableVersion;
  /** Leave out columnDefinitions, as a watch does after its first event. */
  noHeaders?: boolean;
}

/** meta/v1 PartialObjectMetadata: a row's object when includeObject=Metadata. */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: `meta.k8s.io/${TableVersion}`;
  metadata: ObjectMeta;
}

type Printable = { apiVersion?: unknown; kind?: unknown; metadata?: ObjectMeta };

function rowObject(info: ResourceInfo, obj: object, include: IncludeObject, version: TableVersion): unknown {
  const o = obj as Printable;
  switch (include) {
    case 'None':
      return undefined;
    case 'Metadata': {
      const partial: PartialObjectMetadata = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata ?? {} };
      return partial;
    }
    case 'Object':
      // Stored objects may lack type meta; a client decoding the embedded object needs it.
      return o.apiVersion !== undefined && o.kind !== undefined ? obj : { apiVersion: apiVersionOf(info), kind: info.kind, ...obj };
  }
}

/**
 * The Table for `objects` (one for a get, all items for a list) of resource `info`, with the
 * columns kubectl shows against a real cluster. Every column is present, `-o wide` ones
 * included (priority 1); kubectl hides those unless asked.
 */
export function toTable(info: ResourceInfo, objects: readonly object[], opts: TableOptions): Table {
  const version = opts.version ?? 'v1';
  const printer = printerFor(info);
  const ctx = { now: opts.now };
  const rows: TableRow[] = objects.map((obj) => {
    const printed = printer.print(obj, ctx);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions !== undefined) row.conditions = printed.conditions.map((c) => ({ ...c }));
    const object = rowObject(info, obj, opts.includeObject, version);
    if (object !== undefined) row.object = object;
    return row;
  });
  const lm = opts.listMeta;
  const metadata: Table['metadata'] = {
    ...(lm?.resourceVersion ? { resourceVersion: lm.resourceVersion } : {}),
    ...(lm?.continue ? { continue: lm.continue } : {}),
    ...(lm?.remainingItemCount !== undefined ? { remainingItemCount: lm.remainingItemCount } : {}),
  };
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
