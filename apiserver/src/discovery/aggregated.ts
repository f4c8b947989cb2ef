// Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): every resource of /api or /apis in one APIGroupDiscoveryList.
import { createHash } from 'node:crypto';
import { apiGroups, type APIResource } from '@keelson/api';
import { apiResources, coreVersions } from './legacy';
import type {
  APIGroupDiscovery,
  APIGroupDiscoveryList,
  APIResourceDiscovery,
  APISubresourceDiscovery,
  AggregatedDiscoveryVersion,
  APIVersionDiscovery,
} from './types';

/**
 * The Content-Type of an aggregated response. client-go treats a body as aggregated only if
 * the response says so with these parameters; a bare `application/json` is read as legacy.
 */
export function aggregatedContentType(version: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/**
 * One group version's resources in aggregated form, converted from the legacy list exactly as
 * upstream's ConvertGroupVersionIntoToDiscovery does: `pods/status` becomes a subresource of
 * `pods`; a resource's responseKind always carries its group and version ('' for core).
 */
export function resourceDiscovery(group: string, version: string): APIResourceDiscovery[] {
  const legacy: APIResource[] = apiResources(group, version);
  const out: APIResourceDiscovery[] = [];
  const parents = new Map<string, APIResourceDiscovery>();
  for (const r of legacy) {
    if (r.name.includes('/')) continue;
    const d: APIResourceDiscovery = {
      resource: r.name,
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName,
      verbs: [...r.verbs],
    };
    if (r.shortNames?.length) d.shortNames = [...r.shortNames];
    if (r.categories?.length) d.categories = [...r.categories];
    out.push(d);
    parents.set(r.name, d);
  }
  for (const r of legacy) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parent = parents.get(r.name.slice(0, slash));
    // apiResources never lists a subresource without its parent; skip rather than invent one.
    if (parent === undefined) continue;
    const sub: APISubresourceDiscovery = {
      subresource: r.name.slice(slash + 1),
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind },
      verbs: [...r.verbs],
    };
    (parent.subresources ??= []).push(sub);
  }
  return out;
}

function versionDiscovery(group: string, version: string): APIVersionDiscovery {
  return { version, resources: resourceDiscovery(group, version), freshness: 'Current' };
}

/**
 * The aggregated document for `GET /api` (root 'api': the core group, metadata without a name)
 * or `GET /apis` (root 'apis': every named group, in discovery order, versions preferred first).
 */
export function aggregatedDiscovery(root: 'api' | 'apis', version: AggregatedDiscoveryVersion): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] =
    root === 'api'
      ? [{ metadata: {}, versions: coreVersions().map((v) => versionDiscovery('', v)) }]
      : apiGroups().map((g) => ({ metadata: { name: g.group }, versions: g.versions.map((v) => versionDiscovery(g.group, v)) }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** A strong ETag for a discovery body, so clients can revalidate with If-None-Match (as upstream serves it). */
export function discoveryETag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('hex')}"`;
}
