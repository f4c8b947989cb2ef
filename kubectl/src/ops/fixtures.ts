// Objects for tests, shaped as controllers, the scheduler and the kubelet would leave them.
import type { ContainerStatus, DaemonSet, Deployment, Event, Node, Pod, PodTemplateSpec, ReplicaSet, StatefulSet, Taint } from '@keelson/api';

export function template(app: string, image = 'nginx:1.25', extra: Partial<PodTemplateSpec['spec']> = {}): PodTemplateSpec {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80 }] }], ...extra } };
}

export function deployment(name: string, replicas = 3, image = 'nginx:1.25'): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name, image) } };
}

/** A ReplicaSet as the Deployment controller makes it: owned, hashed, numbered. */
export function replicaSet(d: Deployment, hash: string, revision: number, image: string, changeCause?: string): ReplicaSet {
  const name = d.metadata?.name ?? '';
  const t = template(name, image);
  t.metadata = { labels: { app: name, 'pod-template-hash': hash } };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-${hash}`,
      labels: { app: name, 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(changeCause !== undefined ? { 'kubernetes.io/change-cause': changeCause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: t },
    status: { replicas: 0 },
  };
}

export function statefulSet(name: string, replicas = 2): StatefulSet {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: template(name, 'postgres:16') } };
}

export function daemonSet(name: string): DaemonSet {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template(name, 'fluentd:1') } };
}

export function node(name: string, o: { ready?: boolean; unschedulable?: boolean; cpu?: string; memory?: string; taints?: Taint[]; since?: string } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints !== undefined ? { taints: o.taints } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: '110' },
      capacity: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: '110' },
      conditions: [
        o.ready === false
          ? { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: o.since ?? '2024-05-01T11:55:00Z', lastHeartbeatTime: o.since ?? '2024-05-01T11:55:00Z' }
          : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: o.since ?? '2024-05-01T10:00:00Z', lastHeartbeatTime: o.since ?? '2024-05-01T10:00:00Z' },
      ],
    },
  };
}

export function pod(name: string, o: { nodeName?: string; labels?: Record<string, string>; owner?: { kind: string; name: string; uid: string; apiVersion?: string }; cpu?: string; emptyDir?: boolean; image?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: o.labels ?? { app: 'demo' },
      ...(o.owner !== undefined ? { ownerReferences: [{ apiVersion: o.owner.apiVersion ?? 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }] } : {}),
    },
    spec: {
      ...(o.nodeName !== undefined ? { nodeName: o.nodeName } : {}),
      containers: [{ name: 'app', image: o.image ?? 'nginx:1.25', ...(o.cpu !== undefined ? { resources: { requests: { cpu: o.cpu } } } : {}), ...(o.emptyDir ? { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] } : {}) }],
      ...(o.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
  };
}

export function running(name: string, startedAt: string, o: { ready?: boolean; restartCount?: number; image?: string } = {}): ContainerStatus {
  return { name, image: o.image ?? 'nginx:1.25', imageID: '', ready: o.ready ?? true, restartCount: o.restartCount ?? 0, started: true, state: { running: { startedAt } } };
}

export function event(involved: { kind: string; name: string; uid?: string; namespace: string }, e: { name: string; type: 'Normal' | 'Warning'; reason: string; message: string; component: string; first: string; last: string; count?: number }): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: e.name, namespace: involved.namespace },
    involvedObject: { apiVersion: involved.kind === 'Pod' ? 'v1' : 'apps/v1', kind: involved.kind, name: involved.name, namespace: involved.namespace, ...(involved.uid !== undefined ? { uid: involved.uid } : {}) },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: e.component },
    firstTimestamp: e.first,
    lastTimestamp: e.last,
    count: e.count ?? 1,
  };
}
