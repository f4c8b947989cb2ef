// Discovery documents (/version, /api, /apis, their group and version lists, aggregated v2/v2beta1), built from the registry alone.
export { versionInfo, goPlatform, KUBERNETES_VERSION, DEFAULT_GIT_VERSION, type VersionOptions } from './version';
export {
  apiVersions,
  apiGroupList,
  apiGroup,
  apiResourceList,
  apiResources,
  coreVersions,
  storageVersionHash,
  type ServerAddressByClientCIDR,
} from './legacy';
export { serverAddressByClientCIDRs, type ServerAddresses } from './addresses';
export { subresourcesOf, type SubresourceDescriptor } from './subresources';
export { aggregatedDiscovery, aggregatedContentType, resourceDiscovery, discoveryETag } from './aggregated';
export { negotiateDiscovery, type DiscoveryFormat } from './negotiate';
export { parseAccept, negotiateMediaType, convertTarget, type MediaRange, type ConvertTarget, type Negotiated } from './mediatype';
export type * from './types';
