// One rollout measurement: a Deployment created until fully available, then a new template rolled until every replica is updated and available, timed from a watch, with the pod counts seen at every change.
import { performance } from 'node:perf_hooks';
import type { Deployment, Pod } from '@keelson/api';
import { SharedInformerFactory, type RestClient } from '@keelson/client';
import { Interrupted } from '../harness';

/** maxSurge / maxUnavailable as the Deployment spells them (`25%`, `1`). */
export interface Strategy {
  maxSurge: string;
  maxUnavailable: string;
}

export interface RolloutResult {
  /** Deployment create sent → status shows every replica updated and available (ms). */
  createMs: number;
  /** Template patch sent → every replica updated and available, old pods gone (ms). */
  rollMs: number;
  /** Most live pods (not being deleted) at once during the roll: what maxSurge bounds. */
  peakPods: number;
  /** Fewest Ready pods (not being deleted) at any change during the roll. */
  minReady: number;
  /** Pod changes the watch saw during the roll. */
  podEvents: number;
}

/** A Deployment has rolled out its current template (the same test as `kubectl rollout status`). */
export function rolledOut(d: Deployment): boolean {
  const s = d.status;
  const want = d.spec?.replicas ?? 1;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    s?.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want &&
    s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable') === true
  );
}

function isReady(p: Pod): boolean {
  return p.metadata?.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function intOrPercent(v: string): number | string {
  return /^\d+$/.test(v) ? Number(v) : v;
}

export function deploymentOf(name: string, namespace: string, replicas: number, strategy: Strategy, image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: intOrPercent(strategy.maxSurge), maxUnavailable: intOrPercent(strategy.maxUnavailable) } },
      template: {
        metadata: { labels: { app: name, tier: 'frontend' } },
        spec: {
          containers: [
            {
              name: 'web',
              image,
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

/** Resolves when `check()` is true, re-checked by `poke`; rejects on timeout or abort. */
class Condition {
  private waiter: (() => void) | undefined;
  constructor(private readonly check: () => boolean) {}
  poke(): void {
    if (this.waiter !== undefined && this.check()) this.waiter();
  }
  wait(what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Interrupted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = () => {
        this.waiter = undefined;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }
}

/**
 * Creates Deployment `web` with `replicas` in `namespace`, waits until it is available, rolls a
 * new image, waits until that is rolled out, then deletes it and waits for its pods to go. The
 * times are taken when this process's watch sees the Deployment's status say so.
 */
export async function measureRollout(client: RestClient, namespace: string, replicas: number, strategy: Strategy, timeoutMs: number, signal: AbortSignal): Promise<RolloutResult> {
  const factory = new SharedInformerFactory(client, { namespace });
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const deployments = factory.forKind('apps/v1', 'Deployment');
  const pods = factory.forKind('v1', 'Pod');
  let rolling = false;
  let peakPods = 0;
  let minReady = Infinity;
  let podEvents = 0;
  let doneAt = NaN;
  const current = (): Deployment | undefined => deployments.lister.get(namespace, 'web');
  let wantGeneration = 1;
  const available = new Condition(() => {
    const d = current();
    return d !== undefined && (d.metadata?.generation ?? 0) >= wantGeneration && rolledOut(d);
  });
  const noPods = new Condition(() => pods.lister.list().length === 0);
  deployments.addEventHandler({
    onAdd: () => available.poke(),
    onUpdate: (_o, d) => {
      if (Number.isNaN(doneAt) && (d.metadata?.generation ?? 0) >= wantGeneration && rolledOut(d)) doneAt = performance.now();
      available.poke();
    },
  });
  const onPods = (): void => {
    if (rolling) {
      podEvents++;
      const all = pods.lister.list();
      peakPods = Math.max(peakPods, all.filter((p) => p.metadata?.deletionTimestamp === undefined).length);
      minReady = Math.min(minReady, all.filter(isReady).length);
    }
    noPods.poke();
  };
  pods.addEventHandler({ onAdd: onPods, onUpdate: onPods, onDelete: onPods });
  factory.start(stop.signal);
  try {
    await factory.waitForCacheSync(stop.signal);
    const api = client.resource('apps/v1', 'Deployment').namespace(namespace);

    const t0 = performance.now();
    await api.create(deploymentOf('web', namespace, replicas, strategy, 'registry.example/web:1.0'));
    await available.wait(`${replicas} available replicas`, timeoutMs, signal);
    const createMs = doneAt - t0;

    doneAt = NaN;
    wantGeneration = 2;
    rolling = true;
    const t1 = performance.now();
    await api.patch('web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example/web:1.1' }] } } } });
    await available.wait(`the new template rolled out to ${replicas} replicas`, timeoutMs, signal);
    const rollMs = doneAt - t1;
    rolling = false;

    await api.delete('web', { propagationPolicy: 'Background' });
    await noPods.wait('the pods to be deleted', timeoutMs, signal);
    return { createMs, rollMs, peakPods, minReady: minReady === Infinity ? 0 : minReady, podEvents };
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    await factory.shutdown();
  }
}
