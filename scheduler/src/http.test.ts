// The HTTP server (/healthz, /readyz, /metrics) and option checking.
import { Registry } from 'prom-client';
import { completeConfig, SchedulerConfigError } from './config';
import { startHttpServer } from './http';
import { createMetrics } from './metrics';

describe('startHttpServer', () => {
  it('answers /healthz, /readyz by the callbacks, and /metrics from the registry', async () => {
    const registry = new Registry();
    const metrics = createMetrics(() => ({ active: 3, backoff: 1, unschedulable: 2 }), registry, false);
    metrics.scheduleAttempts.inc({ result: 'scheduled', profile: 'default-scheduler' });
    let ready = false;
    const server = await startHttpServer(0, '127.0.0.1', { registry, healthy: () => true, ready: () => ready });
    try {
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toContain('scheduler_schedule_attempts_total{result="scheduled",profile="default-scheduler"} 1');
      expect(text).toContain('scheduler_pending_pods{queue="unschedulable"} 2');
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('completeConfig', () => {
  it("applies Kubernetes' defaults", () => {
    expect(completeConfig({})).toMatchObject({ schedulerName: 'default-scheduler', leaseNamespace: 'kube-system', leaseName: 'kube-scheduler', metricsPort: 10259, podInitialBackoffMs: 1000, podMaxBackoffMs: 10_000 });
  });

  it('rejects options that cannot work', () => {
    expect(() => completeConfig({ metricsPort: 70000 })).toThrow(SchedulerConfigError);
    expect(() => completeConfig({ percentageOfNodesToScore: 120 })).toThrow(SchedulerConfigError);
    expect(() => completeConfig({ podInitialBackoffMs: 5000, podMaxBackoffMs: 1000 })).toThrow(SchedulerConfigError);
  });
});
