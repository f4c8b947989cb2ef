// Wraps a Storage so every call's latency lands in the etcd_request_duration_seconds histogram.
import type { Histogram } from 'prom-client';
import type { Storage } from './types';

/** `/registry/pods/default/web` → `pods`. */
function typeOf(key: string): string {
  return key.split('/')[2] ?? '';
}

export function instrumentStorage(storage: Storage, histogram: Histogram<'operation' | 'type'>): Storage {
  const timed = async <T>(operation: string, key: string, call: () => Promise<T>): Promise<T> => {
    const end = histogram.startTimer({ operation, type: typeOf(key) });
    try {
      return await call();
    } finally {
      end();
    }
  };
  return {
    backend: storage.backend,
    get: (key) => timed('get', key, () => storage.get(key)),
    list: (prefix, opts) => timed('list', prefix, () => storage.list(prefix, opts)),
    create: (key, obj) => timed('create', key, () => storage.create(key, obj)),
    update: (key, obj, opts) => timed('update', key, () => storage.update(key, obj, opts)),
    delete: (key, opts) => timed('delete', key, () => storage.delete(key, opts)),
    watch: (prefix, opts) => storage.watch(prefix, opts),
    currentRevision: () => storage.currentRevision(),
    compact: (revision) => storage.compact(revision),
    close: () => storage.close(),
  };
}
