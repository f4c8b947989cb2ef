// Wire types of the discovery documents that @keelson/api does not carry: version.Info and apidiscovery.k8s.io/v2(beta1).

/** k8s.io/apimachinery/pkg/version.Info, as `GET /version` returns it (field order as upstream). */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** meta/v1 GroupVersionKind: every field is always serialized, `group` is '' for the core group. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export type ResourceScope = 'Cluster' | 'Namespaced';
export type DiscoveryFreshness = 'Current' | 'Stale';

/** The two served versions of apidiscovery.k8s.io; their shapes are identical. */
export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

/** apidiscovery APISubresourceDiscovery. */
export interface APISubresourceDiscovery {
  subresource: string;
  responseKind?: GroupVersionKind;
  acceptedTypes?: GroupVersionKind[];
  verbs: string[];
}

/** apidiscovery APIResourceDiscovery. */
export interface APIResourceDiscovery {
  resource: string;
  responseKind?: GroupVersionKind;
  scope: ResourceScope;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

/** apidiscovery APIVersionDiscovery. */
export interface APIVersionDiscovery {
  version: string;
  resources?: APIResourceDiscovery[];
  freshness?: DiscoveryFreshness;
}

/** apidiscovery APIGroupDiscovery: metadata.name is the group, absent for the core group. */
export interface APIGroupDiscovery {
  metadata: { name?: string };
  versions?: APIVersionDiscovery[];
}

/** apidiscovery APIGroupDiscoveryList, the body of aggregated `/api` and `/apis`. */
export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: `apidiscovery.k8s.io/${AggregatedDiscoveryVersion}`;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}
