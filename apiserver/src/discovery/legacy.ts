// Unaggregated discovery: /api (APIVersions), /apis (APIGroupList), /apis/{g} (APIGroup), /api/v1 and /apis/{g}/{v} (APIResourceList).
import { createHash } from 'node:crypto';
import {
  apiGroups,
  apiVersionOf,
  resources,
  type APIGroup,
  type APIGroupList,
  type APIResource,
  type APIResourceList,
  type APIVersions,
  type ResourceInfo,
} from '@keelson/api';
import { subresourcesOf } from './subresources';

/** meta/v1 ServerAddressByClientCIDR. */
export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The opaque hash of a resource's storage version (discovery.StorageVersionHash): the first
 * eight bytes of sha256(`group/version/kind`), base64. Pods hash to `xPOwRZ+Yhw8=` as on
 * every real cluster, so clients comparing hashes see what they expect.
 */
export function storageVersionHash(info: { group: string; version: string; kind: string }): string {
  return createHash('sha256').update(`${info.group}/${info.version}/${info.kind}`).digest().subarray(0, 8).toString('base64');
}

/** The registry's resources in one group version, in registry order. */
export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return resources.filter((r) => r.group === group && r.version === version);
}

/**
 * The APIResource entries of one group version: each resource, then one entry per subresource
 * (`pods/status`, `deployments/scale`), all sorted by name as the API installer sorts paths.
 * Verbs are sorted; `group`/`version` appear only where a subresource's kind lives elsewhere.
 */
export function apiResources(group: string, version: string): APIResource[] {
  const out: APIResource[] = [];
  for (const info of resourcesIn(group, version)) {
    const main: APIResource = { name: info.resource, singularName: info.singular, namespaced: info.namespaced, kind: info.kind, verbs: [...info.verbs].sort() };
    if (info.shortNames.length > 0) main.shortNames = [...info.shortNames];
    if (info.categories.length > 0) main.categories = [...info.categories];
    main.storageVersionHash = storageVersionHash(info);
    out.push(main);
    for (const sub of subresourcesOf(info)) {
      const rk = sub.responseKind;
      const foreign = rk.group !== group || rk.version !== version;
      out.push({
        name: `${info.resource}/${sub.subresource}`,
        singularName: '',
        namespaced: info.namespaced,
        ...(foreign ? { group: rk.group, version: rk.version } : {}),
        kind: rk.kind,
        verbs: [...sub.verbs],
      });
    }
  }
  return out.sort(byName);
}

/**
 * `GET /api/v1` or `GET /apis/{group}/{version}`; undefined when that group version is not
 * served (a 404). Upstream omits `apiVersion` on the core list and sets it on group lists.
 */
export function apiResourceList(group: string, version: string): APIResourceList | undefined {
  if (resourcesIn(group, version).length === 0) return undefined;
  const groupVersion = apiVersionOf({ group, version });
  const list = apiResources(group, version);
  return group === '' ? { kind: 'APIResourceList', groupVersion, resources: list } : { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: list };
}

/** The core group's versions, in the order served. */
export function coreVersions(): string[] {
  return [...new Set(resources.filter((r) => r.group === '').map((r) => r.version))];
}

/** `GET /api`: the core versions and the addresses a client may reach the server on. */
export function apiVersions(serverAddressByClientCIDRs: readonly ServerAddressByClientCIDR[]): APIVersions {
  return { kind: 'APIVersions', versions: coreVersions(), serverAddressByClientCIDRs: serverAddressByClientCIDRs.map((a) => ({ ...a })) };
}

function groupDocument(group: string, versions: readonly string[]): APIGroup {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  const preferred = gvs[0];
  return preferred === undefined ? { name: group, versions: gvs } : { name: group, versions: gvs, preferredVersion: { ...preferred } };
}

/**
 * `GET /apis`: every group in discovery order, each with its versions and the preferred one
 * (the first the registry lists). As behind upstream's aggregator, groups carry no
 * serverAddressByClientCIDRs.
 */
export function apiGroupList(): APIGroupList {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map((g) => groupDocument(g.group, g.versions)) };
}

/** `GET /apis/{group}`; undefined when the group is not served. */
export function apiGroup(group: string): (APIGroup & { kind: 'APIGroup'; apiVersion: 'v1' }) | undefined {
  const g = apiGroups().find((x) => x.group === group);
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(g.group, g.versions) };
}
