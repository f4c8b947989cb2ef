// Public surface of @keelson/e2e: the real-etcd launcher (the cluster harness arrives later).
export { startEtcd, EtcdStartError } from './etcd';
export type { EtcdOptions, EtcdProcess } from './etcd';
