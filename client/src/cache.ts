// The informer cache: an indexed store keyed namespace/name, the standard index functions, and listers.
import { ClientUsageError } from './errors';
import { toLabelSelector, type LabelSelectorInput } from './selectors';
import { keyOf, makeKey, type ObjectLike } from './types';

/** The values an object is indexed under (an object may have none, or several). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

export const namespaceIndex = 'namespace';
export const ownerUidIndex = 'ownerUid';
export const nodeNameIndex = 'nodeName';

/** By `metadata.namespace` ('' for cluster-scoped objects). */
export function indexByNamespace(obj: ObjectLike): readonly string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** By each `metadata.ownerReferences[].uid`: the children of an owner, for adoption and GC. */
export function indexByOwnerUid(obj: ObjectLike): readonly string[] {
  return (obj.metadata?.ownerReferences ?? []).map((r) => r.uid).filter((u) => u !== '');
}

/** By `spec.nodeName` when set: the pods bound to a node. */
export function indexByNodeName(obj: ObjectLike): readonly string[] {
  const node = (obj as { spec?: { nodeName?: unknown } }).spec?.nodeName;
  return typeof node === 'string' && node !== '' ? [node] : [];
}

/** Namespace, owner UID and node name: what the factory's informers index by. */
export const defaultIndexers: Indexers<ObjectLike> = Object.freeze({
  [namespaceIndex]: indexByNamespace,
  [ownerUidIndex]: indexByOwnerUid,
  [nodeNameIndex]: indexByNodeName,
});

/** Recursively freezes an object (informer option `freezeObjects`: mutations of cached objects then throw). */
export function deepFreeze<T>(obj: T): T {
  if (typeof obj !== 'object' || obj === null || Object.isFrozen(obj)) return obj;
  for (const v of Object.values(obj)) deepFreeze(v);
  return Object.freeze(obj);
}

/**
 * A store of objects keyed `namespace/name` with any number of secondary indices. Every method
 * returns fresh arrays, so callers may iterate while the store changes (a handler that reads
 * the store mid-dispatch sees its latest state). The objects themselves are shared: treat them
 * as read-only and `structuredClone` before changing one.
 */
export class Indexer<T extends ObjectLike> {
  private readonly items = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers(indexers);
  }

  /** Adds indices (existing objects are indexed at once). A name already in use is an error. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexFuncs.has(name)) throw new ClientUsageError(`index "${name}" already exists`);
      this.indexFuncs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
    }
  }

  hasIndex(name: string): boolean {
    return this.indexFuncs.has(name);
  }

  /** Inserts or replaces the object under its key; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexFuncs) addToIndex(this.indexOf(name), fn(obj), key);
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces the whole content. */
  replace(objs: Iterable<T>): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const obj of objs) this.upsert(obj);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(makeKey(namespace, name));
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** The objects indexed under `value` by `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)).filter((o): o is T => o !== undefined);
  }

  indexKeys(indexName: string, value: string): string[] {
    return [...(this.indexOf(indexName).get(value) ?? [])];
  }

  /** Every value the index holds. */
  indexValues(indexName: string): string[] {
    return [...this.indexOf(indexName).keys()];
  }

  private indexOf(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (index === undefined) throw new ClientUsageError(`no index named "${name}" (have: ${[...this.indices.keys()].join(', ') || 'none'})`);
    return index;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indexOf(name);
      for (const value of fn(obj)) {
        const keys = index.get(value);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (keys === undefined) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}

/**
 * Read access to an informer's cache. Objects are shared with the cache and every other
 * controller: never change them; `structuredClone` first.
 */
export class Lister<T extends ObjectLike> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** Every cached object whose labels match (all when no selector). */
  list(selector?: LabelSelectorInput): T[] {
    const sel = toLabelSelector(selector);
    const all = this.indexer.list();
    return sel === undefined ? all : all.filter((o) => sel.matches(o.metadata?.labels));
  }

  /** One object by namespace (undefined or '' for cluster-scoped) and name; undefined when not cached. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    return this.indexer.getByKey(key);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }

  /** The objects of one namespace. */
  namespace(namespace: string): NamespaceLister<T> {
    return new NamespaceLister(this.indexer, namespace);
  }
}

export class NamespaceLister<T extends ObjectLike> {
  constructor(
    private readonly indexer: Indexer<T>,
    readonly namespace: string,
  ) {}

  list(selector?: LabelSelectorInput): T[] {
    const sel = toLabelSelector(selector);
    const inNs = this.indexer.hasIndex(namespaceIndex)
      ? this.indexer.byIndex(namespaceIndex, this.namespace)
      : this.indexer.list().filter((o) => (o.metadata?.namespace ?? '') === this.namespace);
    return sel === undefined ? inNs : inNs.filter((o) => sel.matches(o.metadata?.labels));
  }

  get(name: string): T | undefined {
    return this.indexer.get(this.namespace, name);
  }
}
