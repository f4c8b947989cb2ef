// Tests for the shared cell formatters.
import { accessModes, containerCells, formatLabelSelector, formatLabels, joinHostPort, listWithMore, quantityString, selectorString } from './format';

describe('formatLabels', () => {
  it('sorts the k=v pairs as strings, as labels.Set.String does', () => {
    expect(formatLabels({ b: '2', a: '1', 'a.b': '3' })).toBe('a.b=3,a=1,b=2');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });
});

describe('label selectors', () => {
  it('prints the canonical selector, sorted by key', () => {
    const ls = { matchLabels: { tier: 'front', app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] };
    expect(formatLabelSelector(ls)).toBe('app=web,!canary,env notin (dev,prod),tier=front');
  });

  it('distinguishes nothing, everything and invalid selectors as upstream does', () => {
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
    expect(selectorString({})).toBe('');
    expect(selectorString({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<invalid>');
  });
});

describe('other formatters', () => {
  it('lays out containers', () => {
    expect(containerCells([{ name: 'a', image: 'x:1' }, { name: 'b' }])).toEqual({ names: 'a,b', images: 'x:1,' });
    expect(containerCells(undefined)).toEqual({ names: '', images: '' });
  });

  it('abbreviates access modes in a fixed order', () => {
    expect(accessModes(['ReadWriteOncePod', 'ReadOnlyMany', 'ReadWriteOnce'])).toBe('RWO,ROX,RWOP');
    expect(accessModes(undefined)).toBe('');
  });

  it('joins hosts and ports, bracketing IPv6', () => {
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('::1', 80)).toBe('[::1]:80');
  });

  it('prints quantities canonically, 0 when absent, and stored text that does not parse', () => {
    expect(quantityString('2048Mi')).toBe('2Gi');
    expect(quantityString('1000Mi')).toBe('1000Mi');
    expect(quantityString(undefined)).toBe('0');
    expect(quantityString('lots')).toBe('lots');
  });

  it('shortens lists after the maximum', () => {
    expect(listWithMore(['a', 'b', 'c', 'd', 'e'], 3, '-')).toBe('a,b,c + 2 more...');
    expect(listWithMore(['a', 'b', 'c'], 3, '-')).toBe('a,b,c');
    expect(listWithMore([], 3, '-')).toBe('-');
  });
});
