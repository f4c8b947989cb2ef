// What a Deployment sync works with: its dependencies, and the writes of the working copy that keep its resourceVersion current.
import type { Deployment, Pod, ReplicaSet } from '@keelson/api';
import type { Clock, EventRecorder, Lister, Logger, RestClient } from '@keelson/client';

/** What the reconcile reads and writes through; the controller builds it, tests fake it. */
export interface DeploymentSyncDeps {
  client: RestClient;
  deployments: Lister<Deployment>;
  replicaSets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  enqueueAfter(key: string, delayMs: number): void;
  enqueueRateLimited(key: string): void;
}

/** Pods of the Deployment's ReplicaSets, by ReplicaSet uid. */
export type PodMap = Map<string, Pod[]>;

/** PUT /status of the working copy; keeps its resourceVersion current for the next write. */
export async function writeStatus(deps: DeploymentSyncDeps, d: Deployment): Promise<void> {
  const updated = await deps.client.resource('apps/v1', 'Deployment').namespace(d.metadata?.namespace ?? '').updateStatus(d);
  if (d.metadata !== undefined && updated.metadata?.resourceVersion !== undefined) Object.assign(d.metadata, { resourceVersion: updated.metadata.resourceVersion });
}

/**
 * Writes the working copy's annotations (the revision) with a merge patch. Kubernetes lets a
 * /status write carry them; here /status keeps status only, so they go separately.
 */
export async function writeAnnotations(deps: DeploymentSyncDeps, d: Deployment, annotations: Record<string, string | null>): Promise<void> {
  const updated = await deps.client.resource('apps/v1', 'Deployment').namespace(d.metadata?.namespace ?? '').patch(d.metadata?.name ?? '', 'merge', { metadata: { annotations } });
  if (d.metadata !== undefined && updated.metadata?.resourceVersion !== undefined) Object.assign(d.metadata, { resourceVersion: updated.metadata.resourceVersion });
}

