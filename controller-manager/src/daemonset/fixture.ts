// Unit-test fixture for the DaemonSet controller: the fake API, seeded caches, and builders for nodes, DaemonSets, their revisions and pods.
import type { ControllerRevision, DaemonSet, Node, Pod, Taint } from '@keelson/api';
import { FakeEventRecorder, type ObjectLike, type SharedIndexInformer } from '@keelson/client';
import { computeHash } from '../common/hash';
import { timestamp } from '../common/time';
import { t0 } from '../testing/builders';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { quietLogger } from '../testing/fixtures';
import { DaemonSetController } from './controller';
import { replaceNodeNameAffinity } from './predicates';
import { revisionData } from './revisions';
import { hashLabel, templateGenerationLabel } from './util';

export interface DaemonSetFixture {
  api: FakeApi;
  recorder: FakeEventRecorder;
  controller: DaemonSetController;
  daemonSets: (...objs: DaemonSet[]) => void;
  nodes: (...objs: Node[]) => void;
  pods: (...objs: Pod[]) => void;
  /** Takes pods out of the cache (the informer saw them deleted). */
  removePods: (...names: string[]) => void;
  revisions: (...objs: ControllerRevision[]) => void;
  /** Keys the sync asked to look at again later. */
  delayed: { key: string; delayMs: number }[];
  /** `create pods` bodies. */
  created: () => Pod[];
  /** Names of pods deleted. */
  deleted: () => string[];
}

function seeder<T extends ObjectLike>(api: FakeApi, informer: SharedIndexInformer<T>): (...objs: T[]) => void {
  return (...objs: T[]) => {
    seed(informer, ...objs);
    api.seed(...objs);
  };
}

export function daemonSetFixture(): DaemonSetFixture {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const dsInformer = factory.forKind('apps/v1', 'DaemonSet');
  const podInformer = factory.forKind('v1', 'Pod');
  const nodeInformer = factory.forKind('v1', 'Node');
  const revInformer = factory.forKind('apps/v1', 'ControllerRevision');
  const recorder = new FakeEventRecorder();
  const controller = new DaemonSetController({ client: api.client, daemonSets: dsInformer, pods: podInformer, nodes: nodeInformer, revisions: revInformer, recorder, logger: quietLogger, clock: api.clock });
  const delayed: { key: string; delayMs: number }[] = [];
  controller.deps.enqueueAfter = (key, delayMs) => delayed.push({ key, delayMs });
  return {
    api,
    recorder,
    controller,
    daemonSets: seeder(api, dsInformer),
    nodes: seeder(api, nodeInformer),
    pods: seeder(api, podInformer),
    removePods: (...names: string[]) => {
      for (const n of names) podInformer.indexer.delete(`default/${n}`);
    },
    revisions: seeder(api, revInformer),
    delayed,
    created: () => api.writes().filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.body as Pod),
    deleted: () => api.writes().filter((a) => a.verb === 'delete' && a.resource === 'pods').map((a) => a.name ?? ''),
  };
}

export interface NodeOptions {
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function node(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface DaemonSetOptions {
  image?: string;
  generation?: number;
  observedGeneration?: number;
  strategy?: 'RollingUpdate' | 'OnDelete';
  maxUnavailable?: number | string;
  maxSurge?: number | string;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  nodeSelector?: Record<string, string>;
  status?: Partial<NonNullable<DaemonSet['status']>>;
}

export function daemonSet(name: string, o: DaemonSetOptions = {}): DaemonSet {
  const labels = { app: name };
  const strategy = o.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', generation: o.generation ?? 1, creationTimestamp: timestamp(t0 - 86_400_000) },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'agent', image: o.image ?? 'agent:1' }], ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}) },
      },
      updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: o.maxSurge ?? 0 } },
      minReadySeconds: o.minReadySeconds ?? 0,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
    },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: o.observedGeneration ?? o.generation ?? 1, ...o.status },
  };
}

/** The hash the controller gives the current template of `ds`. */
export function hashOf(ds: DaemonSet): string {
  return computeHash(ds.spec?.template, ds.status?.collisionCount);
}

/** The ControllerRevision the controller would have stored for `ds` as it is now. */
export function revisionOf(ds: DaemonSet, revision = 1): ControllerRevision {
  const hash = hashOf(ds);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata?.name ?? ''}-${hash}`,
      namespace: 'default',
      uid: `uid-rev-${hash}`,
      resourceVersion: '1',
      labels: { ...ds.spec?.template?.metadata?.labels, [hashLabel]: hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      creationTimestamp: timestamp(t0 - 3_600_000 + revision),
    },
    data: revisionData(ds),
    revision,
  };
}

export interface DaemonPodOptions {
  /** The revision hash label; default the DaemonSet's current one. */
  hash?: string;
  ready?: boolean;
  readySince?: number;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  created?: number;
  /** Bound to the node (spec.nodeName); default true. */
  bound?: boolean;
  deleting?: boolean;
}

/** A pod of `ds` for `nodeName`, as the controller creates it and the scheduler binds it. */
export function daemonPod(name: string, ds: DaemonSet, nodeName: string, o: DaemonPodOptions = {}): Pod {
  const ready = o.ready ?? true;
  const phase = o.phase ?? (ready ? 'Running' : 'Pending');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: { ...ds.spec?.template?.metadata?.labels, [hashLabel]: o.hash ?? hashOf(ds), [templateGenerationLabel]: String(ds.metadata?.generation ?? 1) },
      creationTimestamp: timestamp(o.created ?? t0 - 3_600_000),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      ...(o.deleting ? { deletionTimestamp: timestamp(t0) } : {}),
    },
    spec: {
      containers: [{ name: 'agent', image: 'agent:1' }],
      affinity: replaceNodeNameAffinity(undefined, nodeName),
      ...(o.bound === false ? {} : { nodeName }),
    },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: timestamp(o.readySince ?? t0 - 600_000) }],
    },
  };
}
