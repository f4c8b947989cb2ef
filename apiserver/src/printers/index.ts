// Server-side Table printing (meta.k8s.io Table) for every served kind, with kubectl's columns.
export { toTable, type TableOptions, type IncludeObject, type TableVersion, type PartialObjectMetadata } from './table';
export { parseTableAccept } from './accept';
export { printerFor, hasPrinter, defaultPrinter } from './printers';
export { humanDuration, since, parseTime } from './duration';
export type { TablePrinter, PrintContext, PrintedRow, Cell, RowCondition } from './printer';
