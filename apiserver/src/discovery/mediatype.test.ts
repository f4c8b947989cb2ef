// Tests for Accept-header parsing and media-type negotiation.
import { negotiateMediaType, parseAccept } from './mediatype';

describe('parseAccept', () => {
  it('reads type, subtype, parameters and q, lower-casing names but not values', () => {
    expect(parseAccept('Application/JSON;As=Table;v=v1;g=meta.k8s.io;q=0.5')).toEqual([
      { type: 'application', subtype: 'json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' }, q: 0.5 },
    ]);
  });

  it('orders by q, then specificity, then the order sent', () => {
    const ranges = parseAccept('*/*;q=0.8, application/*, application/yaml;q=0.8, application/json, text/plain');
    expect(ranges.map((r) => `${r.type}/${r.subtype}`)).toEqual([
      'application/json',
      'text/plain',
      'application/*',
      'application/yaml',
      '*/*',
    ]);
  });

  it('drops q=0, empty and malformed ranges, and reads a bare * as */*', () => {
    expect(parseAccept('application/json;q=0, ,garbage, *').map((r) => `${r.type}/${r.subtype}`)).toEqual(['*/*']);
  });

  it('treats an unparseable q as 0 (not acceptable) and clamps to 1', () => {
    expect(parseAccept('a/b;q=abc, c/d;q=7')).toEqual([{ type: 'c', subtype: 'd', params: {}, q: 1 }]);
  });

  it('keeps commas and semicolons inside quoted parameter values', () => {
    expect(parseAccept('application/json;profile="a,b;c"')[0]?.params).toEqual({ profile: 'a,b;c' });
  });
});

describe('negotiateMediaType', () => {
  const json = ['application/json'] as const;
  const never = (): boolean => false;

  it('gives the first supported type for an empty header', () => {
    expect(negotiateMediaType('', json, never)).toEqual({ mediaType: 'application/json', params: {} });
  });

  it('passes over unsupported types and conversions the endpoint refuses', () => {
    const n = negotiateMediaType('application/vnd.kubernetes.protobuf, application/json;as=Table;g=meta.k8s.io;v=v1, */*', json, never);
    expect(n).toEqual({ mediaType: 'application/json', params: {} });
  });

  it('returns the conversion a range asks for when allowed', () => {
    const n = negotiateMediaType('application/json;as=Table;g=meta.k8s.io;v=v1', json, () => true);
    expect(n?.convert).toEqual({ group: 'meta.k8s.io', version: 'v1', kind: 'Table' });
  });

  it('matches application/* and */*, and returns undefined when nothing is acceptable (406)', () => {
    expect(negotiateMediaType('application/*', json, never)?.mediaType).toBe('application/json');
    expect(negotiateMediaType('text/html', json, never)).toBeUndefined();
  });
});
