// Runs the storage conformance suite against the memory backend (SQLite on `:memory:`).
import { describeStorageConformance } from './conformance';
import { openMemoryStorage } from './sqlite';

describeStorageConformance('memory', { open: () => Promise.resolve(openMemoryStorage()) });

describe('openMemoryStorage', () => {
  it('gives every store its own empty database', async () => {
    const first = openMemoryStorage();
    const second = openMemoryStorage();
    try {
      expect(first.backend).toBe('memory');
      await first.create('/registry/configmaps/default/a', { kind: 'ConfigMap', metadata: { name: 'a' } });
      expect(await second.get('/registry/configmaps/default/a')).toBeUndefined();
      expect(await second.currentRevision()).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
