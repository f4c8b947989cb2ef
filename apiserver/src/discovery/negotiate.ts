// Chooses between aggregated (v2, v2beta1) and legacy discovery from the Accept header, as upstream's discovery handler does.
import { negotiateMediaType, type ConvertTarget } from './mediatype';

export type DiscoveryFormat = 'aggregated-v2' | 'aggregated-v2beta1' | 'legacy';

/** The media types discovery is served in. JSON only: protobuf ranges are passed over. */
const SUPPORTED = ['application/json'] as const;

/** discovery.IsAggregatedDiscoveryGVK: the only conversion a discovery endpoint performs. */
function isAggregatedDiscovery(t: ConvertTarget): boolean {
  return t.group === 'apidiscovery.k8s.io' && (t.version === 'v2' || t.version === 'v2beta1') && t.kind === 'APIGroupDiscoveryList';
}

/**
 * What to answer `GET /api` or `GET /apis` with. Ranges are tried best first (q-values, then
 * the client's order); a range asking for any other conversion is not acceptable and the next
 * is tried. Anything that does not settle on an aggregated range (an empty header, `*\/*`,
 * plain `application/json`, or nothing acceptable at all) is served the legacy document.
 * kubectl 1.30 sends `…;v=v2;as=APIGroupDiscoveryList,…;v=v2beta1;as=…,application/json`.
 */
export function negotiateDiscovery(acceptHeader: string): DiscoveryFormat {
  const chosen = negotiateMediaType(acceptHeader, SUPPORTED, isAggregatedDiscovery);
  const version = chosen?.convert?.version;
  return version === 'v2' ? 'aggregated-v2' : version === 'v2beta1' ? 'aggregated-v2beta1' : 'legacy';
}
