// Storage URIs: each scheme parses to its backend, anything else is a clear error.
import { BadRequestError } from '@keelson/api';
import { openStorage, parseStorageUri } from './open';

describe('storage URIs', () => {
  it('parses etcd endpoints', () => {
    expect(parseStorageUri('etcd://127.0.0.1:2379')).toEqual({ backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] });
    expect(parseStorageUri('etcd://a:2379, b:2379')).toEqual({ backend: 'etcd', endpoints: ['http://a:2379', 'http://b:2379'] });
  });

  it('parses sqlite paths, absolute and relative', () => {
    expect(parseStorageUri('sqlite:///var/lib/keelson/state.db')).toEqual({ backend: 'sqlite', path: '/var/lib/keelson/state.db' });
    expect(parseStorageUri('sqlite://state.db')).toEqual({ backend: 'sqlite', path: 'state.db' });
  });

  it.each(['', 'etcd', 'etcd://', 'etcd://host', 'redis://x:1', 'sqlite://', 'file:///x'])('rejects %j with a BadRequestError', (uri) => {
    expect(() => parseStorageUri(uri)).toThrow(BadRequestError);
  });

  it('opens a working memory store', async () => {
    const s = await openStorage('memory://');
    try {
      expect(s.backend).toBe('memory');
      const created = await s.create('/registry/configmaps/default/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
      expect((await s.get('/registry/configmaps/default/a'))?.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    } finally {
      await s.close();
    }
  });
});
