// Parses a Kubernetes API path into what it names: group, version, resource, namespace, name, subresource.
import { lookupResource, type ResourceInfo } from '@keelson/api';

export interface ResourceRequest {
  kind: 'resource';
  info: ResourceInfo;
  group: string;
  version: string;
  /** The namespace named in the path (`/namespaces/{ns}/…`); undefined for cluster-wide requests. */
  namespace?: string;
  name?: string;
  /** A served subresource, or whatever the path named (rejected by the handler with 404). */
  subresource?: string;
  /** `/api/v1/watch/…` (the legacy watch prefix). */
  legacyWatch: boolean;
}

export interface UnknownResource {
  kind: 'unknown';
  group: string;
  version: string;
  resource: string;
}

/** Splits `/api/v1/namespaces/default/pods/web/status` (or `/apis/apps/v1/…`); undefined if not an API path. */
export function parseResourcePath(path: string): ResourceRequest | UnknownResource | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // `/namespaces/{ns}/{resource}…` names a namespaced resource; `/namespaces/{name}[/status]` the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !isNamespaceSubresource(rest[2] ?? '')) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const info = lookupResource(group, version, resource);
  if (!info || rest.length > 3) return { kind: 'unknown', group, version, resource };
  const req: ResourceRequest = { kind: 'resource', info, group, version, legacyWatch };
  if (namespace !== undefined) req.namespace = namespace;
  if (rest[1] !== undefined) req.name = rest[1];
  if (rest[2] !== undefined) req.subresource = rest[2];
  return req;
}

function isNamespaceSubresource(s: string): boolean {
  return s === 'status' || s === 'finalize';
}
