// Object builders for unit tests: pods, ReplicaSets and Deployments with just the fields a test cares about.
import type { Deployment, OwnerReference, Pod, ReplicaSet } from '@keelson/api';
import { timestamp } from '../common/time';

/** 2024-05-01T12:00:00Z, the FakeApi clock's start. */
export const t0 = Date.parse('2024-05-01T12:00:00Z');

export function ownerRef(kind: 'ReplicaSet' | 'Deployment', name: string, uid = `uid-${name}`, controller = true): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name, uid, controller, blockOwnerDeletion: true };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  owner?: OwnerReference;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  ready?: boolean;
  /** When the pod became ready (epoch ms). */
  readySince?: number;
  created?: number;
  nodeName?: string;
  deleting?: boolean;
  restarts?: number;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const phase = o.phase ?? (o.ready ? 'Running' : 'Pending');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: o.labels ?? { app: 'web' },
      creationTimestamp: timestamp(o.created ?? t0 - 3600_000),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
      ...(o.deleting ? { deletionTimestamp: timestamp(t0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(o.nodeName !== undefined ? { nodeName: o.nodeName } : {}) },
    status: {
      phase,
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: timestamp(o.readySince ?? t0 - 600_000) }],
      ...(o.restarts !== undefined ? { containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: o.ready ?? false, restartCount: o.restarts }] } : {}),
    },
  };
}

export interface ReplicaSetOptions {
  namespace?: string;
  labels?: Record<string, string>;
  owner?: OwnerReference;
  minReadySeconds?: number;
  generation?: number;
  observedGeneration?: number;
  status?: Partial<NonNullable<ReplicaSet['status']>>;
  annotations?: Record<string, string>;
  created?: number;
  image?: string;
  deleting?: boolean;
}

export function replicaSet(name: string, replicas: number, o: ReplicaSetOptions = {}): ReplicaSet {
  const labels = o.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      generation: o.generation ?? 1,
      labels,
      creationTimestamp: timestamp(o.created ?? t0 - 7200_000),
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
      ...(o.deleting ? { deletionTimestamp: timestamp(t0) } : {}),
    },
    spec: {
      replicas,
      minReadySeconds: o.minReadySeconds ?? 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
    },
    status: { replicas: 0, observedGeneration: o.observedGeneration ?? o.generation ?? 1, ...o.status },
  };
}

export interface DeploymentOptions {
  namespace?: string;
  image?: string;
  strategy?: 'RollingUpdate' | 'Recreate';
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
  generation?: number;
  annotations?: Record<string, string>;
  status?: Partial<NonNullable<Deployment['status']>>;
  labels?: Record<string, string>;
}

export function deployment(name: string, replicas: number, o: DeploymentOptions = {}): Deployment {
  const labels = o.labels ?? { app: name };
  const strategy = o.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      generation: o.generation ?? 1,
      creationTimestamp: timestamp(t0 - 86_400_000),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      strategy: strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      minReadySeconds: o.minReadySeconds ?? 0,
      ...(o.paused !== undefined ? { paused: o.paused } : {}),
    },
    status: { observedGeneration: o.generation ?? 1, ...o.status },
  };
}
