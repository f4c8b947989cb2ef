// Jest global setup of the integration project: starts one real etcd and exports KEELSON_TEST_ETCD.
import { startEtcd, type EtcdProcess } from '../etcd';

/** Where global-teardown.ts finds the member (both hooks run in the Jest parent process). */
export const ETCD_HANDLE = Symbol.for('keelson.test.etcd');

type WithEtcd = typeof globalThis & { [ETCD_HANDLE]?: EtcdProcess };

export default async function globalSetup(): Promise<void> {
  const etcd = await startEtcd();
  (globalThis as WithEtcd)[ETCD_HANDLE] = etcd;
  // Test workers are forked after global setup, so they inherit this.
  process.env.KEELSON_TEST_ETCD = etcd.endpoint;
}
