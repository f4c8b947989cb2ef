// Whether a request's Accept header asks for a meta.k8s.io Table (kubectl get), and which version.
import { negotiateMediaType, type ConvertTarget } from '../discovery/mediatype';
import type { TableVersion } from './table';

/** Media types a Table is served in. */
const SUPPORTED = ['application/json'] as const;

/**
 * The conversions a resource endpoint accepts (RequestScope.AllowsMediaTypeTransform):
 * Table and PartialObjectMetadata(List) in meta.k8s.io v1 or v1beta1.
 */
function allowsConversion(t: ConvertTarget): boolean {
  if (t.group !== 'meta.k8s.io' || (t.version !== 'v1' && t.version !== 'v1beta1')) return false;
  return t.kind === 'Table' || t.kind === 'PartialObjectMetadata' || t.kind === 'PartialObjectMetadataList';
}

/**
 * kubectl sends `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`:
 * the best acceptable alternative wins (q-values first, then the order sent). `table` is true
 * only when that alternative is a Table; otherwise the plain object is served and `version`
 * is 'v1'. An alternative asking for another kind or an unknown version is skipped, as upstream does.
 */
export function parseTableAccept(accept: string): { table: boolean; version: TableVersion } {
  const chosen = negotiateMediaType(accept, SUPPORTED, allowsConversion);
  const convert = chosen?.convert;
  if (convert?.kind === 'Table' && (convert.version === 'v1' || convert.version === 'v1beta1')) return { table: true, version: convert.version };
  return { table: false, version: 'v1' };
}
