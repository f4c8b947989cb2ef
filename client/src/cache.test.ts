// The indexed store and listers: keys, the standard indices kept current through changes, selectors.
import type { Pod } from '@keelson/api';
import { Indexer, Lister, deepFreeze, defaultIndexers, namespaceIndex, nodeNameIndex, ownerUidIndex } from './cache';
import { keyOf, splitKey } from './types';

function pod(ns: string, name: string, opts: { node?: string; owners?: string[]; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: ns,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.owners ? { ownerReferences: opts.owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid })) } : {}),
    },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
  };
}

const names = (objs: Pod[]): string[] => objs.map(keyOf).sort();

describe('keys', () => {
  it('are namespace/name, or name for cluster-scoped objects', () => {
    expect(keyOf(pod('ns', 'p'))).toBe('ns/p');
    expect(keyOf({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitKey('ns/p')).toEqual({ namespace: 'ns', name: 'p' });
    expect(splitKey('node-1')).toEqual({ namespace: undefined, name: 'node-1' });
  });
});

describe('Indexer', () => {
  it('indexes by namespace, owner UID and node name, following updates and deletes', () => {
    const ix = new Indexer<Pod>(defaultIndexers);
    ix.upsert(pod('a', 'p1', { node: 'n1', owners: ['u1'] }));
    ix.upsert(pod('a', 'p2', { owners: ['u1', 'u2'] }));
    ix.upsert(pod('b', 'p3', { node: 'n1' }));
    expect(names(ix.byIndex(namespaceIndex, 'a'))).toEqual(['a/p1', 'a/p2']);
    expect(names(ix.byIndex(ownerUidIndex, 'u1'))).toEqual(['a/p1', 'a/p2']);
    expect(names(ix.byIndex(ownerUidIndex, 'u2'))).toEqual(['a/p2']);
    expect(names(ix.byIndex(nodeNameIndex, 'n1'))).toEqual(['a/p1', 'b/p3']);

    // p1 moves to n2 and loses its owner: the old index entries go.
    const old = ix.upsert(pod('a', 'p1', { node: 'n2' }));
    expect(old?.spec?.nodeName).toBe('n1');
    expect(names(ix.byIndex(nodeNameIndex, 'n1'))).toEqual(['b/p3']);
    expect(names(ix.byIndex(nodeNameIndex, 'n2'))).toEqual(['a/p1']);
    expect(names(ix.byIndex(ownerUidIndex, 'u1'))).toEqual(['a/p2']);

    expect(ix.delete('a/p2')?.metadata?.name).toBe('p2');
    expect(ix.delete('a/p2')).toBeUndefined();
    expect(ix.byIndex(ownerUidIndex, 'u1')).toEqual([]);
    expect(ix.indexValues(ownerUidIndex)).toEqual([]);
    expect(ix.indexValues(namespaceIndex).sort()).toEqual(['a', 'b']);
    expect(ix.size).toBe(2);
  });

  it('adds custom indexers later, indexing what is already there', () => {
    const ix = new Indexer<Pod>();
    ix.upsert(pod('a', 'p1', { labels: { app: 'web' } }));
    ix.upsert(pod('a', 'p2', { labels: { app: 'db' } }));
    ix.addIndexers({ app: (p) => [p.metadata?.labels?.['app'] ?? ''] });
    expect(names(ix.byIndex('app', 'web'))).toEqual(['a/p1']);
    expect(() => ix.addIndexers({ app: () => [] })).toThrow('index "app" already exists');
    expect(() => ix.byIndex('nope', 'x')).toThrow('no index named "nope" (have: app)');
  });

  it('replace() swaps the whole content and its indices', () => {
    const ix = new Indexer<Pod>(defaultIndexers);
    ix.upsert(pod('a', 'old', { node: 'n1' }));
    ix.replace([pod('b', 'new', { node: 'n2' })]);
    expect(ix.keys()).toEqual(['b/new']);
    expect(ix.byIndex(nodeNameIndex, 'n1')).toEqual([]);
    expect(names(ix.byIndex(nodeNameIndex, 'n2'))).toEqual(['b/new']);
  });

  it('returns fresh arrays, so iterating while changing the store is safe', () => {
    const ix = new Indexer<Pod>(defaultIndexers);
    ix.upsert(pod('a', 'p1'));
    ix.upsert(pod('a', 'p2'));
    const seen: string[] = [];
    for (const p of ix.byIndex(namespaceIndex, 'a')) {
      seen.push(keyOf(p));
      ix.delete(keyOf(p));
      ix.upsert(pod('a', `${p.metadata?.name ?? ''}-x`));
    }
    expect(seen.sort()).toEqual(['a/p1', 'a/p2']);
    expect(ix.keys().sort()).toEqual(['a/p1-x', 'a/p2-x']);
  });
});

describe('Lister', () => {
  const ix = new Indexer<Pod>(defaultIndexers);
  ix.upsert(pod('a', 'web-1', { labels: { app: 'web', tier: 'fe' } }));
  ix.upsert(pod('a', 'db-1', { labels: { app: 'db' } }));
  ix.upsert(pod('b', 'web-2', { labels: { app: 'web' } }));
  const lister = new Lister(ix);

  it('lists with label selectors given as text, sets or parsed selectors', () => {
    expect(names(lister.list())).toEqual(['a/db-1', 'a/web-1', 'b/web-2']);
    expect(names(lister.list('app=web'))).toEqual(['a/web-1', 'b/web-2']);
    expect(names(lister.list({ app: 'web', tier: 'fe' }))).toEqual(['a/web-1']);
    expect(names(lister.list('app in (db),!tier'))).toEqual(['a/db-1']);
    expect(() => lister.list('app in (')).toThrow();
  });

  it('gets by namespace and name, per namespace, and by index', () => {
    expect(lister.get('a', 'db-1')?.metadata?.name).toBe('db-1');
    expect(lister.get('b', 'db-1')).toBeUndefined();
    expect(names(lister.namespace('a').list('app=web'))).toEqual(['a/web-1']);
    expect(lister.namespace('b').get('web-2')?.metadata?.namespace).toBe('b');
    expect(names(lister.byIndex(namespaceIndex, 'b'))).toEqual(['b/web-2']);
  });

  it('finds cluster-scoped objects by name alone', () => {
    const nodes = new Lister(new Indexer<{ metadata: { name: string } }>());
    expect(nodes.get(undefined, 'n1')).toBeUndefined();
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays', () => {
    const p = deepFreeze(pod('a', 'p', { labels: { app: 'x' }, owners: ['u'] }));
    expect(() => {
      (p.metadata!.labels as Record<string, string>)['app'] = 'y';
    }).toThrow(TypeError);
    expect(() => p.metadata!.ownerReferences!.push({ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'y' })).toThrow(TypeError);
  });
});
