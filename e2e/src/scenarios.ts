// Shared pieces of the e2e scenarios: typed keelctl reads, readiness checks and the manifests the scenarios apply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import type { Deployment, Pod } from '@keelson/api';
import { REPO_ROOT, until, type Cluster } from './harness';

export interface List<T> {
  items: T[];
}

export const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export async function pods(c: Cluster, ns: string, selector?: string): Promise<Pod[]> {
  return (await c.getJson<List<Pod>>(['pods', '-n', ns, ...(selector !== undefined ? ['-l', selector] : [])])).items;
}

/** Waits until exactly `n` pods match, all Ready, none terminating; returns them. */
export async function readyPods(c: Cluster, ns: string, selector: string, n: number, ms = 120_000): Promise<Pod[]> {
  return until(`${n} ready pods ${selector} in ${ns}`, async () => {
    const list = await pods(c, ns, selector);
    return list.length === n && list.every((p) => isReady(p) && p.metadata?.deletionTimestamp === undefined) ? list : undefined;
  }, ms);
}

/** `keelctl rollout status` (it blocks until the rollout finishes or times out). */
export async function rolloutStatus(c: Cluster, ns: string, resource: string, timeout = '180s'): Promise<string> {
  return c.keelctl(['rollout', 'status', resource, '-n', ns, `--timeout=${timeout}`], { timeoutMs: 200_000 });
}

/** The quickstart web Deployment (busybox httpd with readiness, preStop, maxUnavailable 0), with replicas and greeting changed. */
export function helloManifest(replicas: number, greeting: string, extra: (d: Deployment) => void = () => undefined): string {
  const docs = loadAll(readFileSync(join(REPO_ROOT, 'manifests/quickstart/hello.yaml'), 'utf8')) as Array<{ kind: string }>;
  for (const doc of docs) {
    if (doc.kind !== 'Deployment') continue;
    const d = doc as Deployment;
    d.spec!.replicas = replicas;
    const env = d.spec!.template.spec!.containers[0]!.env!;
    env.find((e) => e.name === 'GREETING')!.value = greeting;
    extra(d);
  }
  return docs.map((d) => dump(d)).join('---\n');
}

export async function createNamespace(c: Cluster, ns: string): Promise<void> {
  await c.keelctl(['create', 'namespace', ns]);
}

/** The greeting a hello pod answers with, without the pod name in brackets. */
export const greetingOf = (body: string): string => body.replace(/ \(.*\)$/, '');
