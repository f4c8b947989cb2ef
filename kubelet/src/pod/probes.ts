// Liveness, readiness and startup probes: a worker per probed container, on the injected clock, reporting result changes.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Container, Pod, Probe } from '@keelson/api';
import type { Clock, Timer } from '@keelson/client';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure';

export interface ProbeTarget {
  podIP: string;
  containerId: string;
  /** Runs a command in the container; resolves with its exit code. */
  exec(containerId: string, cmd: string[], timeoutSeconds: number): Promise<number>;
}

function portOf(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (named === undefined) throw new Error(`named port ${port} not found in container ${container.name}`);
  return named.containerPort;
}

/** Runs one probe attempt: success or failure with a message (as the kubelet's prober does). */
export async function runProbe(probe: Probe, container: Container, target: ProbeTarget): Promise<{ result: ProbeResult; message: string }> {
  const timeout = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) {
      const code = await target.exec(target.containerId, probe.exec.command ?? [], probe.timeoutSeconds ?? 1);
      return code === 0 ? { result: 'success', message: '' } : { result: 'failure', message: `command ${JSON.stringify(probe.exec.command ?? [])} exited with ${code}` };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const host = g.host || target.podIP;
      const port = portOf(container, g.port);
      const scheme = (g.scheme ?? 'HTTP').toUpperCase();
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      const status = await new Promise<number>((resolve, reject) => {
        const req = (scheme === 'HTTPS' ? https : http).request({ host, port, path: g.path ?? '/', method: 'GET', headers, timeout, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error(`Get "${scheme.toLowerCase()}://${host}:${port}${g.path ?? '/'}": context deadline exceeded`)));
        req.on('error', reject);
        req.end();
      });
      return status >= 200 && status < 400 ? { result: 'success', message: '' } : { result: 'failure', message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const host = probe.tcpSocket.host || target.podIP;
      const port = portOf(container, probe.tcpSocket.port);
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port, timeout });
        socket.on('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.on('timeout', () => {
          socket.destroy();
          reject(new Error(`dial tcp ${host}:${port}: i/o timeout`));
        });
        socket.on('error', reject);
      });
      return { result: 'success', message: '' };
    }
    return { result: 'failure', message: 'probe handler not supported (grpc probes are not implemented)' };
  } catch (e: unknown) {
    return { result: 'failure', message: e instanceof Error ? e.message : String(e) };
  }
}

interface Worker {
  kind: ProbeKind;
  containerId: string;
  timer: Timer | undefined;
  result: ProbeResult | undefined;
  successes: number;
  failures: number;
  stopped: boolean;
}

export interface ProbeManagerOptions {
  clock: Clock;
  /** Called when a probe's result changes (after threshold counting). */
  onChange: (podUid: string, containerName: string, kind: ProbeKind, result: ProbeResult, message: string) => void;
}

/** Holds every probe worker of the node, keyed by pod uid, container name and probe kind. */
export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly o: ProbeManagerOptions) {}

  private key(uid: string, container: string, kind: ProbeKind): string {
    return `${uid}/${container}/${kind}`;
  }

  /** The current result; undefined when the probe has not run (or the container has no such probe). */
  result(uid: string, container: string, kind: ProbeKind): ProbeResult | undefined {
    return this.workers.get(this.key(uid, container, kind))?.result;
  }

  has(uid: string, container: string, kind: ProbeKind): boolean {
    return this.workers.has(this.key(uid, container, kind));
  }

  /**
   * Makes sure the container's probes run against `containerId` (a new container id restarts its workers);
   * startup gates liveness and readiness, as in the kubelet.
   */
  ensure(pod: Pod, container: Container, containerId: string, target: () => ProbeTarget | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    const probes: [ProbeKind, Probe | undefined][] = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [kind, probe] of probes) {
      const key = this.key(uid, container.name, kind);
      const existing = this.workers.get(key);
      if (probe === undefined) {
        if (existing !== undefined) this.stopWorker(key);
        continue;
      }
      if (existing !== undefined && existing.containerId === containerId) continue;
      if (existing !== undefined) this.stopWorker(key);
      const w: Worker = { kind, containerId, timer: undefined, result: undefined, successes: 0, failures: 0, stopped: false };
      this.workers.set(key, w);
      const period = (probe.periodSeconds ?? 10) * 1000;
      const tick = async (): Promise<void> => {
        if (w.stopped) return;
        const gatedByStartup = kind !== 'startup' && container.startupProbe !== undefined && this.result(uid, container.name, 'startup') !== 'success';
        if (!(kind === 'startup' && w.result === 'success') && !gatedByStartup) {
          const t = target();
          if (t !== undefined) {
            const { result, message } = await runProbe(probe, container, t);
            if (w.stopped) return;
            if (result === 'success') {
              w.successes++;
              w.failures = 0;
            } else {
              w.failures++;
              w.successes = 0;
            }
            const successThreshold = probe.successThreshold ?? 1;
            const failureThreshold = probe.failureThreshold ?? 3;
            let next = w.result;
            if (result === 'success' && w.successes >= successThreshold) next = 'success';
            if (result === 'failure' && w.failures >= failureThreshold) next = 'failure';
            if (next !== w.result && next !== undefined) {
              w.result = next;
              this.o.onChange(uid, container.name, kind, next, message);
            }
            // After a liveness or startup failure the container is restarted; counting starts again with it.
            if (next === 'failure' && kind !== 'readiness') w.failures = 0;
          }
        }
        if (!w.stopped) w.timer = this.o.clock.setTimer(period, () => void tick());
      };
      w.timer = this.o.clock.setTimer((probe.initialDelaySeconds ?? 0) * 1000, () => void tick());
    }
  }

  private stopWorker(key: string): void {
    const w = this.workers.get(key);
    if (w === undefined) return;
    w.stopped = true;
    w.timer?.cancel();
    this.workers.delete(key);
  }

  /** Stops a container's probes (it exited or is being replaced). */
  stopContainer(uid: string, container: string): void {
    for (const kind of ['startup', 'liveness', 'readiness'] as const) this.stopWorker(this.key(uid, container, kind));
  }

  /** Stops every probe of a pod. */
  stopPod(uid: string): void {
    for (const key of [...this.workers.keys()]) if (key.startsWith(`${uid}/`)) this.stopWorker(key);
  }

  stopAll(): void {
    for (const key of [...this.workers.keys()]) this.stopWorker(key);
  }
}
