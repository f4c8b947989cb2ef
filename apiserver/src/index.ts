// Public surface of @keelson/apiserver: the storage layer (the REST server arrives with issue 3).
export * from './storage/types';
export { openStorage, parseStorageUri, type StorageLocation } from './storage/open';
export { EtcdStorage, openEtcdStorage } from './storage/etcd';
export { SqliteStorage, openSqliteStorage, openMemoryStorage } from './storage/sqlite';
