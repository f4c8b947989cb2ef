// A client polling a Service throughout a test: it follows the Service's ready endpoints (as a proxy would) and counts every failed request.
import { request } from 'node:http';
import { RestClient } from '@keelson/client';

export interface PollResult {
  ok: number;
  failed: number;
  /** Response bodies seen, with how many times each. */
  bodies: Map<string, number>;
  /** The first few failures, for the assertion message. */
  errors: string[];
}

export interface PollerOptions {
  kubeconfig: string;
  namespace: string;
  service: string;
  /** The pods' port (targetPort), when requests go to pod IPs. */
  port: number;
  /** Pause between requests. Default 20 ms. */
  intervalMs?: number;
  /**
   * `endpoints` (default): pod IPs of the Service's ready endpoints, as a proxy would pick them.
   * `clusterIP`: the Service's ClusterIP and port, through the node's service proxy (when it runs).
   */
  via?: 'endpoints' | 'clusterIP';
  /** The Service port, with `via: 'clusterIP'`. Default 80. */
  servicePort?: number;
}

/**
 * Polls until `stop()`: by default every request goes to one of the Service's ready endpoint
 * addresses, round-robin, read afresh from the API server every 200 ms — pod IPs directly (the
 * host routes to every node's pod CIDR). With `via: 'clusterIP'` it asks the ClusterIP instead,
 * which needs the node's service proxy.
 */
export class ServicePoller {
  private readonly client: RestClient;
  private addresses: string[] = [];
  private running = true;
  private readonly result: PollResult = { ok: 0, failed: 0, bodies: new Map(), errors: [] };
  private loops: Promise<void>[] = [];

  constructor(private readonly o: PollerOptions) {
    this.client = RestClient.fromKubeconfig({ kubeconfig: o.kubeconfig, userAgent: 'keelson-e2e-poller' });
  }

  /** Starts once the Service has at least one ready endpoint. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.addresses.length === 0) throw new Error(`service ${this.o.namespace}/${this.o.service} has no ready endpoints to poll`);
    this.loops = [this.endpointsLoop(), this.requestLoop()];
  }

  /** The counts so far, while polling goes on. */
  snapshot(): PollResult {
    return { ok: this.result.ok, failed: this.result.failed, bodies: new Map(this.result.bodies), errors: [...this.result.errors] };
  }

  async stop(): Promise<PollResult> {
    this.running = false;
    await Promise.all(this.loops);
    this.client.close();
    return this.result;
  }

  private async refresh(): Promise<void> {
    if (this.o.via === 'clusterIP') {
      const svc = await this.client.resource('v1', 'Service').namespace(this.o.namespace).get(this.o.service);
      this.addresses = svc.spec?.clusterIP !== undefined && svc.spec.clusterIP !== 'None' ? [svc.spec.clusterIP] : [];
      return;
    }
    const ep = await this.client.resource('v1', 'Endpoints').namespace(this.o.namespace).get(this.o.service);
    this.addresses = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
  }

  private async endpointsLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.refresh();
      } catch {
        // the API server may be restarting: keep the last known addresses, as a proxy would
      }
      await pause(200);
    }
  }

  private async requestLoop(): Promise<void> {
    let i = 0;
    while (this.running) {
      const list = this.addresses;
      const ip = list[i++ % Math.max(list.length, 1)];
      if (ip === undefined) {
        this.fail('no ready endpoints');
      } else {
        try {
          const port = this.o.via === 'clusterIP' ? (this.o.servicePort ?? 80) : this.o.port;
          const body = await get(`http://${ip}:${port}/`);
          this.result.ok++;
          this.result.bodies.set(body, (this.result.bodies.get(body) ?? 0) + 1);
        } catch (e: unknown) {
          this.fail(`${ip}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      await pause(this.o.intervalMs ?? 20);
    }
  }

  private fail(why: string): void {
    this.result.failed++;
    if (this.result.errors.length < 10) this.result.errors.push(why);
  }
}

/** One GET with a 3 s timeout; rejects on a non-200 answer. */
export function get(url: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${String(res.statusCode)}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
