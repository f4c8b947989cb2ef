// Public surface of @keelson/e2e: the real-etcd launcher and the cluster harness.
export { startEtcd, EtcdStartError } from './etcd';
export type { EtcdOptions, EtcdProcess } from './etcd';
export * from './harness';
