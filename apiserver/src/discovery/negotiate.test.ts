// Tests for choosing aggregated or legacy discovery from what kubectl and client-go send.
import { negotiateDiscovery } from './negotiate';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

describe('negotiateDiscovery', () => {
  it('serves v2 to kubectl 1.30 (v2, then v2beta1, then plain JSON)', () => {
    expect(negotiateDiscovery(`${V2},${V2BETA1},application/json`)).toBe('aggregated-v2');
  });

  it('serves v2 to newer client-go (v2 then JSON), ignoring extra parameters such as profile', () => {
    expect(negotiateDiscovery(`${V2};profile=nopeer,application/json`)).toBe('aggregated-v2');
  });

  it('serves v2beta1 to a client that only knows v2beta1 (kubectl 1.26–1.29 against us)', () => {
    expect(negotiateDiscovery(`${V2BETA1},application/json`)).toBe('aggregated-v2beta1');
  });

  it('follows q-values over the order sent', () => {
    expect(negotiateDiscovery(`${V2};q=0.5,${V2BETA1};q=0.9,application/json;q=0.1`)).toBe('aggregated-v2beta1');
    expect(negotiateDiscovery(`${V2};q=0.5,application/json`)).toBe('legacy');
  });

  it('skips protobuf alternatives and takes the JSON one', () => {
    const accept = `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2};q=0.9,application/json;q=0.8`;
    expect(negotiateDiscovery(accept)).toBe('aggregated-v2');
  });

  it('accepts the parameters in any order and with spaces', () => {
    expect(negotiateDiscovery('application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io')).toBe('aggregated-v2');
  });

  it('gives legacy discovery for old clients, wildcards, empty headers and unknown versions', () => {
    expect(negotiateDiscovery('application/json, */*')).toBe('legacy');
    expect(negotiateDiscovery('*/*')).toBe('legacy');
    expect(negotiateDiscovery('')).toBe('legacy');
    expect(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList')).toBe('legacy');
    expect(negotiateDiscovery('application/json;g=meta.k8s.io;v=v1;as=Table')).toBe('legacy');
  });
});
