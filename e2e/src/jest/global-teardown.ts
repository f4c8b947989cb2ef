// Jest global teardown of the integration project: stops the etcd of global-setup.ts and removes its data.
import type { EtcdProcess } from '../etcd';
import { ETCD_HANDLE } from './global-setup';

type WithEtcd = typeof globalThis & { [ETCD_HANDLE]?: EtcdProcess };

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as WithEtcd;
  const etcd = g[ETCD_HANDLE];
  if (etcd === undefined) return; // setup failed before starting it; startEtcd cleaned up
  delete g[ETCD_HANDLE];
  delete process.env.KEELSON_TEST_ETCD;
  await etcd.stop();
}
