// Unit-test fixtures: a controller over the fake API with its informer caches, and helpers to seed both.
import type { Deployment, Pod, ReplicaSet } from '@keelson/api';
import { computeHash } from '../common/hash';
import { ownerRef, replicaSet } from './builders';
import { FakeEventRecorder, type Logger, type ObjectLike, type SharedIndexInformer } from '@keelson/client';
import { DeploymentController } from '../deployment/controller';
import type { DeploymentSyncDeps } from '../deployment/context';
import { FakeApi, fakeInformers, seed } from './fakeapi';

export const quietLogger: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** Seeds the informer cache and the fake API store with the same objects. */
function seeder<T extends ObjectLike>(api: FakeApi, informer: SharedIndexInformer<T>): (...objs: T[]) => void {
  return (...objs: T[]) => {
    seed(informer, ...objs);
    api.seed(...objs);
  };
}

export interface DeploymentFixture {
  api: FakeApi;
  recorder: FakeEventRecorder;
  controller: DeploymentController;
  deps: DeploymentSyncDeps;
  deployments: (...objs: Deployment[]) => void;
  replicaSets: (...objs: ReplicaSet[]) => void;
  pods: (...objs: Pod[]) => void;
  /** Keys added to the queue with a delay, and rate-limited ones. */
  delayed: { key: string; delayMs: number }[];
  rateLimited: string[];
}

export function deploymentFixture(): DeploymentFixture {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const dInformer = factory.forKind('apps/v1', 'Deployment');
  const rsInformer = factory.forKind('apps/v1', 'ReplicaSet');
  const podInformer = factory.forKind('v1', 'Pod');
  const recorder = new FakeEventRecorder();
  const controller = new DeploymentController({ client: api.client, deployments: dInformer, replicaSets: rsInformer, pods: podInformer, recorder, logger: quietLogger, clock: api.clock });
  const delayed: { key: string; delayMs: number }[] = [];
  const rateLimited: string[] = [];
  const deps: DeploymentSyncDeps = {
    client: api.client,
    deployments: dInformer.lister,
    replicaSets: rsInformer.lister,
    pods: podInformer.lister,
    recorder,
    clock: api.clock,
    logger: quietLogger,
    enqueueAfter: (key, delayMs) => delayed.push({ key, delayMs }),
    enqueueRateLimited: (key) => rateLimited.push(key),
  };
  return { api, recorder, controller, deps, deployments: seeder(api, dInformer), replicaSets: seeder(api, rsInformer), pods: seeder(api, podInformer), delayed, rateLimited };
}

/** A ReplicaSet of `d` for its current (or given) image, as the controller would have made it. */
export function rsFor(d: Deployment, replicas: number, o: { image?: string; revision?: number; available?: number; statusReplicas?: number; created?: number; desired?: number; maxReplicas?: number } = {}): ReplicaSet {
  const template = structuredClone(d.spec!.template);
  if (o.image !== undefined) template.spec!.containers[0]!.image = o.image;
  const hash = computeHash(template);
  const labels = { ...template.metadata!.labels, 'pod-template-hash': hash };
  template.metadata = { labels };
  const annotations: Record<string, string> = {
    'deployment.kubernetes.io/revision': String(o.revision ?? 1),
    'deployment.kubernetes.io/desired-replicas': String(o.desired ?? d.spec!.replicas),
    'deployment.kubernetes.io/max-replicas': String(o.maxReplicas ?? (d.spec!.replicas ?? 0) + 3),
  };
  const rs = replicaSet(`${d.metadata!.name!}-${hash}`, replicas, {
    labels,
    owner: ownerRef('Deployment', d.metadata!.name!),
    annotations,
    status: { replicas: o.statusReplicas ?? replicas, readyReplicas: o.available ?? replicas, availableReplicas: o.available ?? replicas },
    ...(o.created !== undefined ? { created: o.created } : {}),
  });
  rs.spec!.template = template;
  rs.spec!.selector = { matchLabels: labels };
  return rs;
}

