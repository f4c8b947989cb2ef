// Unit tests of namespace admission: answers from the watch cache, live reads when the cache lacks the namespace or lags this server's writes.
import { ForbiddenError, NotFoundError, lookupKind, type ResourceInfo, type StoredObject } from '@keelson/api';
import { openMemoryStorage } from '../storage/sqlite';
import { NamespaceLifecycle, recordingWrites, type CachedObject } from './namespace-lifecycle';

function info(kind: string): ResourceInfo {
  const i = lookupKind('v1', kind);
  if (!i) throw new Error(`no ${kind}`);
  return i;
}
const configMaps = info('ConfigMap');
const events = info('Event');

function ns(name: string, terminating = false, rv = '5'): StoredObject {
  const metadata: StoredObject['metadata'] = { name, resourceVersion: rv };
  if (terminating) (metadata as { deletionTimestamp?: string }).deletionTimestamp = '2026-01-01T00:00:00Z';
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}

describe('NamespaceLifecycle', () => {
  it('admits a write to an active namespace from the cache, without reading storage', async () => {
    const live = jest.fn(() => Promise.resolve(ns('team', true)));
    const l = new NamespaceLifecycle(() => ({ object: ns('team'), revision: 7 }), live);
    await expect(l.check('team', configMaps)).resolves.toBeUndefined();
    expect(live).not.toHaveBeenCalled();
    expect(l.counts).toEqual({ cached: 1, live: 0 });
  });

  it('refuses a terminating namespace from the cache, except for Events', async () => {
    const l = new NamespaceLifecycle(() => ({ object: ns('team', true), revision: 7 }), () => Promise.resolve(undefined));
    await expect(l.check('team', configMaps)).rejects.toThrow(ForbiddenError);
    await expect(l.check('team', configMaps)).rejects.toThrow('unable to create new content in namespace team because it is being terminated');
    await expect(l.check('team', events)).resolves.toBeUndefined();
  });

  it('reads storage when the cache does not have the namespace (it may be a moment old)', async () => {
    const live = jest.fn((name: string) => Promise.resolve(name === 'new' ? ns('new') : undefined));
    const l = new NamespaceLifecycle(() => ({ object: undefined, revision: 9 }), live);
    await expect(l.check('new', configMaps)).resolves.toBeUndefined();
    await expect(l.check('gone', configMaps)).rejects.toThrow(NotFoundError);
    expect(live.mock.calls.map(([n]) => n)).toEqual(['new', 'gone']);
  });

  it('reads storage while the cache cannot serve, and when there is no cache', async () => {
    const live = jest.fn(() => Promise.resolve(ns('team', true)));
    await expect(new NamespaceLifecycle(() => undefined, live).check('team', configMaps)).rejects.toThrow(ForbiddenError);
    await expect(new NamespaceLifecycle(undefined, live).check('team', configMaps)).rejects.toThrow(ForbiddenError);
    expect(live).toHaveBeenCalledTimes(2);
  });

  it('does not trust a cache older than a namespace write this server made', async () => {
    // The cache still shows the namespace active at revision 10; this server marked it for deletion at 11.
    let cached: CachedObject = { object: ns('team'), revision: 10 };
    const live = jest.fn(() => Promise.resolve(ns('team', true, '11')));
    const l = new NamespaceLifecycle(() => cached, live);
    l.noteWrite(11);
    await expect(l.check('team', configMaps)).rejects.toThrow(ForbiddenError);
    expect(live).toHaveBeenCalledTimes(1);
    // Once the cache has caught up it answers again.
    cached = { object: ns('team', true, '11'), revision: 11 };
    await expect(l.check('team', configMaps)).rejects.toThrow(ForbiddenError);
    expect(live).toHaveBeenCalledTimes(1);
    l.noteWrite(3); // an older revision never moves the barrier back
    cached = { object: ns('team'), revision: 10 };
    await expect(l.check('team', configMaps)).rejects.toThrow(ForbiddenError);
    expect(live).toHaveBeenCalledTimes(2);
  });
});

describe('recordingWrites', () => {
  it('reports the revision of every create, update and delete, and nothing for reads or failures', async () => {
    const storage = openMemoryStorage();
    const seen: number[] = [];
    const s = recordingWrites(storage, (rv) => seen.push(rv));
    try {
      const created = await s.create('/registry/namespaces/a', { kind: 'Namespace', metadata: { name: 'a' } });
      const updated = await s.update('/registry/namespaces/a', { kind: 'Namespace', metadata: { name: 'a', labels: { x: 'y' } } });
      await s.get('/registry/namespaces/a');
      await s.list('/registry/namespaces/');
      await expect(s.create('/registry/namespaces/a', { kind: 'Namespace', metadata: { name: 'a' } })).rejects.toThrow();
      const deleted = await s.delete('/registry/namespaces/a');
      expect(seen).toEqual([created, updated, deleted].map((o) => Number(o.metadata.resourceVersion)));
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(s.backend).toBe('memory');
    } finally {
      await s.close();
    }
  });
});
