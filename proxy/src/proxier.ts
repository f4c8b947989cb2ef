// The sync loop: informer changes request a sync; syncs are rate-limited, level-triggered, and each is one nft transaction.
import type { EndpointSlice, Service } from '@keelson/api';
import type { Clock, Lister, Timer } from '@keelson/client';
import { servicePorts, type ServicePortInfo } from './endpoints';
import type { Host } from './host';
import type { Logger } from './log';
import type { ProxyMetrics } from './metrics';
import { buildRuleset, rulesetCounts } from './nft/model';
import type { Nftables } from './nft/nftables';

export interface ProxierDeps {
  services: Lister<Service>;
  slices: Lister<EndpointSlice>;
  nft: Nftables;
  host: Host | undefined;
  metrics: ProxyMetrics;
  logger: Logger;
  clock: Clock;
  nodeName: string;
  clusterCIDR: string | undefined;
  /** ClusterIPs left alone (served on this node). */
  excludeIPs: ReadonlySet<string>;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
}

/**
 * kube-proxy's BoundedFrequencyRunner and syncProxyRules in one: `requestSync` after any
 * change; a sync runs at most every `minSyncPeriodMs` and at least every `syncPeriodMs`; each
 * reads the caches afresh (level-triggered), so a burst of changes costs one transaction.
 */
export class Proxier {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastSyncAt = 0;
  private lastSuccessAt = 0;
  /** When a change was first requested and not yet synced (for /healthz). */
  private pendingSince: number | undefined;
  private stopped = false;
  private previous = new Map<string, ServicePortInfo>();
  private syncs = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly d: ProxierDeps) {}

  /** A change happened: sync soon (now, if the last sync was long enough ago). */
  requestSync(): void {
    if (this.stopped) return;
    this.pendingSince ??= this.d.clock.now();
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastSyncAt + this.d.minSyncPeriodMs - this.d.clock.now());
    this.schedule(wait);
  }

  /** Starts the periodic sync; the first sync runs at once. */
  start(): void {
    this.requestSync();
  }

  /** Stops scheduling syncs and waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Resolves after the next sync that completes (tests, benchmarks). */
  nextSync(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Syncs now (awaits one in flight first). Exposed for benchmarks and tests. */
  async syncNow(): Promise<void> {
    while (this.running) await this.running;
    await this.runSync();
  }

  health(): { healthy: boolean; body: Record<string, unknown> } {
    const now = this.d.clock.now();
    // Unhealthy when a requested change has waited longer than two sync periods (kube-proxy's healthz rule).
    const lagging = this.pendingSince !== undefined && now - this.pendingSince > 2 * this.d.syncPeriodMs;
    const healthy = this.lastSuccessAt > 0 && !lagging;
    return {
      healthy,
      body: { lastUpdated: this.lastSuccessAt > 0 ? new Date(this.lastSuccessAt).toISOString() : '', currentTime: new Date(now).toISOString(), nodeName: this.d.nodeName, nodeHealthy: healthy },
    };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.d.clock.setTimer(ms, () => {
      this.timer = undefined;
      this.running = this.runSync().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.requestSync();
        } else this.schedule(this.d.syncPeriodMs);
      });
    });
  }

  private async runSync(): Promise<void> {
    const start = process.hrtime.bigint();
    this.lastSyncAt = this.d.clock.now();
    const requested = this.pendingSince;
    this.pendingSince = undefined;
    try {
      const ports = servicePorts(this.d.services.list(), this.d.slices.list(), { excludeIPs: this.d.excludeIPs });
      const desired = buildRuleset(ports, { nodeName: this.d.nodeName, ...(this.d.clusterCIDR !== undefined ? { clusterCIDR: this.d.clusterCIDR } : {}) });
      // Every tenth periodic pass checks the table is still there (someone may have flushed the ruleset).
      const check = this.syncs++ % 10 === 9 && !(await this.d.nft.exists());
      const result = await this.d.nft.apply(desired, check);
      const counts = rulesetCounts(desired);
      for (const [k, v] of Object.entries(counts)) this.d.metrics.objects.set({ kind: k }, v);
      await this.clearStaleUdp(ports);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.d.metrics.syncDuration.observe(seconds);
      this.lastSuccessAt = this.d.clock.now();
      this.d.metrics.lastSync.set(this.lastSuccessAt / 1000);
      if (result.lines > 0) this.d.logger.debug('synced proxy rules', { services: ports.length, lines: result.lines, full: result.full, ms: Math.round(seconds * 1000), ...counts });
    } catch (e: unknown) {
      this.d.metrics.syncFailures.inc();
      this.d.logger.error('syncing proxy rules failed; retrying with a full sync', { error: e instanceof Error ? e.message : String(e) });
      this.pendingSince ??= requested ?? this.d.clock.now();
      this.again = true;
    } finally {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** UDP flows to endpoints that left a Service are forgotten, so the next datagram picks a live one. */
  private async clearStaleUdp(ports: readonly ServicePortInfo[]): Promise<void> {
    const next = new Map<string, ServicePortInfo>();
    for (const p of ports) next.set(`${p.namespace}/${p.name}/${p.protocol}/${p.portName}`, p);
    const prev = this.previous;
    this.previous = next;
    if (!this.d.host) return;
    for (const [key, old] of prev) {
      if (old.protocol !== 'UDP' || old.clusterIP === undefined) continue;
      const now = new Set((next.get(key)?.endpoints ?? []).map((e) => e.ip));
      for (const ep of old.endpoints) {
        if (now.has(ep.ip)) continue;
        await this.d.host.clearUdpConntrack(old.clusterIP, old.port, ep.ip).catch((e: unknown) => {
          this.d.logger.warn('clearing UDP conntrack entries failed', { service: key, endpoint: ep.ip, error: e instanceof Error ? e.message : String(e) });
        });
      }
    }
  }
}
