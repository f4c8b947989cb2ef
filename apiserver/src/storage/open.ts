// Chooses a storage backend by URI scheme: etcd://, sqlite://, memory://.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BadRequestError } from '@keelson/api';
import { openEtcdStorage } from './etcd';
import { openMemoryStorage, openSqliteStorage } from './sqlite';
import type { Storage } from './types';

/** What a storage URI names, before anything is opened. */
export type StorageLocation =
  | { backend: 'etcd'; endpoints: string[] }
  | { backend: 'sqlite'; path: string }
  | { backend: 'memory' };

/**
 * Parses `etcd://host:2379[,host:2379…]`, `sqlite:///abs/path.db` (or `sqlite://rel/path.db`)
 * and `memory://`. Throws BadRequestError naming the URI when it is none of these.
 */
export function parseStorageUri(uri: string): StorageLocation {
  const m = /^([a-z0-9]+):\/\/(.*)$/.exec(uri);
  if (!m) throw new BadRequestError(`invalid storage URI "${uri}": expected etcd://host:port, sqlite:///path/to/file.db or memory://`);
  const scheme = m[1] ?? '';
  const rest = m[2] ?? '';
  switch (scheme) {
    case 'etcd': {
      const hosts = rest.replace(/\/+$/, '').split(',').map((h) => h.trim()).filter((h) => h !== '');
      if (hosts.length === 0) throw new BadRequestError(`invalid storage URI "${uri}": no etcd endpoint`);
      for (const h of hosts) {
        if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(h)) throw new BadRequestError(`invalid storage URI "${uri}": etcd endpoint "${h}" must be host:port`);
      }
      return { backend: 'etcd', endpoints: hosts.map((h) => `http://${h}`) };
    }
    case 'sqlite':
      if (rest === '') throw new BadRequestError(`invalid storage URI "${uri}": no database path`);
      return { backend: 'sqlite', path: rest };
    case 'memory':
      return { backend: 'memory' };
    default:
      throw new BadRequestError(`invalid storage URI "${uri}": unknown scheme "${scheme}" (use etcd, sqlite or memory)`);
  }
}

/** Opens the store a URI names. */
export async function openStorage(uri: string): Promise<Storage> {
  const loc = parseStorageUri(uri);
  switch (loc.backend) {
    case 'etcd':
      return openEtcdStorage(loc.endpoints);
    case 'sqlite':
      if (loc.path !== ':memory:') mkdirSync(dirname(resolve(loc.path)), { recursive: true });
      return openSqliteStorage(loc.path);
    case 'memory':
      return openMemoryStorage();
  }
}
