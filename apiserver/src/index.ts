// Public surface of @keelson/apiserver: the storage layer (the REST server arrives with issue 3).
export * from './storage/types';
