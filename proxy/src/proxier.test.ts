// The sync loop with a fake clock and a recording nft runner: rate limiting, coalescing, incremental transactions, recovery.
import type { EndpointSlice, Service } from '@keelson/api';
import { FakeClock, Indexer, Lister, flushMicrotasks } from '@keelson/client';
import { createLogger } from './log';
import { createMetrics } from './metrics';
import { Nftables } from './nft/nftables';
import { Proxier } from './proxier';

function setup(failFirst = 0) {
  const clock = new FakeClock(1_000_000);
  const services = new Indexer<Service>();
  const slices = new Indexer<EndpointSlice>();
  const scripts: string[] = [];
  let failures = failFirst;
  const run = (_cmd: string, _args: readonly string[], stdin?: string): Promise<string> => {
    if (failures > 0) {
      failures--;
      return Promise.reject(new Error('nft: Could not process rule'));
    }
    scripts.push(stdin ?? '');
    return Promise.resolve('');
  };
  const metrics = createMetrics();
  const proxier = new Proxier({
    services: new Lister(services),
    slices: new Lister(slices),
    nft: new Nftables('t', run),
    host: undefined,
    metrics,
    logger: createLogger('error', true),
    clock,
    nodeName: 'n1',
    clusterCIDR: '10.244.0.0/16',
    excludeIPs: new Set(),
    minSyncPeriodMs: 1000,
    syncPeriodMs: 30_000,
  });
  const addService = (name: string, ip: string, eps: string[]): void => {
    services.upsert({ metadata: { name, namespace: 'ns' }, spec: { clusterIP: ip, ports: [{ port: 80, protocol: 'TCP' }] } });
    slices.upsert({ metadata: { name: `${name}-1`, namespace: 'ns', labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', ports: [{ name: '', port: 8080, protocol: 'TCP' }], endpoints: eps.map((ip) => ({ addresses: [ip], conditions: { ready: true } })) });
  };
  const tick = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await flushMicrotasks();
    await new Promise((r) => setImmediate(r));
    await flushMicrotasks();
  };
  return { clock, proxier, scripts, addService, tick, metrics };
}

describe('Proxier', () => {
  it('syncs at once, then at most once per minSyncPeriod however many changes arrive', async () => {
    const t = setup();
    t.addService('a', '10.96.0.20', ['10.244.0.2']);
    t.proxier.start();
    await t.tick(0);
    expect(t.scripts).toHaveLength(1);
    expect(t.scripts[0]).toContain('add table ip t');
    for (let i = 0; i < 5; i++) {
      t.addService(`b${i}`, `10.96.0.${30 + i}`, ['10.244.0.3']);
      t.proxier.requestSync();
    }
    await t.tick(500);
    expect(t.scripts).toHaveLength(1);
    await t.tick(500);
    expect(t.scripts).toHaveLength(2);
    // One incremental transaction carries all five Services and does not rebuild the table.
    expect(t.scripts[1]).not.toContain('add table');
    expect(t.scripts[1]?.match(/add element ip t service-ips/g)).toHaveLength(5);
    expect(t.proxier.health().healthy).toBe(true);
    await t.proxier.stop();
  });

  it('sends nothing when the caches have not changed, and resyncs every syncPeriod', async () => {
    const t = setup();
    t.addService('a', '10.96.0.20', ['10.244.0.2']);
    t.proxier.start();
    await t.tick(0);
    t.proxier.requestSync();
    await t.tick(1000);
    expect(t.scripts).toHaveLength(1);
    t.addService('a', '10.96.0.20', ['10.244.0.9']);
    await t.tick(30_000);
    expect(t.scripts).toHaveLength(2);
    expect(t.scripts[1]).toContain('dnat to 10.244.0.9:8080');
    await t.proxier.stop();
  });

  it('retries a failed sync with a full rebuild and counts the failure', async () => {
    const t = setup(1);
    t.addService('a', '10.96.0.20', ['10.244.0.2']);
    t.proxier.start();
    await t.tick(0);
    expect(t.scripts).toHaveLength(0);
    expect(t.proxier.health().healthy).toBe(false);
    await t.tick(1000);
    expect(t.scripts).toHaveLength(1);
    expect(t.scripts[0]).toContain('delete table ip t');
    expect(t.proxier.health().healthy).toBe(true);
    expect((await t.metrics.registry.getSingleMetricAsString('kubeproxy_sync_proxy_rules_nftables_sync_failures_total'))).toContain(' 1');
    await t.proxier.stop();
  });
});
