// Public surface of @keelson/apiserver: the storage layer (the REST server arrives with issue 3).
export * from './storage/types';
export { openStorage, parseStorageUri, type StorageLocation } from './storage/open';
export { EtcdStorage, openEtcdStorage } from './storage/etcd';
export { SqliteStorage, openSqliteStorage, openMemoryStorage } from './storage/sqlite';
export { run, createApp, completeConfig, builtinNamespaces, type ApiServerOptions, type ApiServerConfig, type RunningApiServer } from './server';
export { WatchCache, WatchCacheSet, type CacheWatchEvent, type CacheWatchOptions } from './watchcache';
export { startTestServer, testBackends, uniqueName, request as rawRequest, type TestServer, type RawResponse } from './testing';
export {
  loadSecurity,
  issueCertificate,
  createCsr,
  parseCsr,
  generateKey,
  privateKeyPem,
  loadPrivateKey,
  certificateSubject,
  sha256Hex,
  CertificateError,
  parseBootstrapToken,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapTokenNamespace,
  bootstrapGroup,
  caCertsPath,
  nodeCertificatePath,
  SystemMasters,
  NodesGroup,
  NodeUserPrefix,
  ControllerManagerUser,
  SchedulerUser,
  KubeProxyUser,
  type Subject,
  type Usage,
  type BootstrapToken,
  type UserInfo,
} from './auth';
