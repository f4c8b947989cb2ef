// Unit-test fixtures for the volume controllers: builders for volumes, claims, classes and nodes, and both controllers over the fake API with seeded caches.
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { FakeEventRecorder, type ObjectLike, type SharedIndexInformer } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { quietLogger } from '../testing/fixtures';
import { LocalPathProvisioner } from './localpath/controller';
import { PersistentVolumeBinder } from './persistentvolume/controller';

export interface VolumeOpts {
  modes?: string[];
  className?: string;
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
  claimRef?: { namespace: string; name: string; uid?: string };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  policy?: 'Retain' | 'Delete' | 'Recycle';
  volumeMode?: 'Filesystem' | 'Block';
}

/** A PersistentVolume of `size` with a hostPath under /srv. */
export function pv(name: string, size: string, o: VolumeOpts = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      capacity: { storage: size },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      volumeMode: o.volumeMode ?? 'Filesystem',
      hostPath: { path: `/srv/${name}` },
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.claimRef ? { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', ...o.claimRef } } : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  };
}

export interface ClaimOpts {
  modes?: string[];
  /** undefined: no class at all; '' asks for no class. */
  className?: string;
  volumeName?: string;
  selector?: { matchLabels: Record<string, string> };
  annotations?: Record<string, string>;
  phase?: 'Pending' | 'Bound' | 'Lost';
  volumeMode?: 'Filesystem' | 'Block';
  uid?: string;
}

/** A PersistentVolumeClaim in `ns` asking for `size`. */
export function pvc(name: string, size: string, o: ClaimOpts = {}, ns = 'default'): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns, uid: o.uid ?? `uid-${name}`, resourceVersion: '1', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      accessModes: o.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      volumeMode: o.volumeMode ?? 'Filesystem',
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : {}),
      ...(o.selector ? { selector: o.selector } : {}),
    },
    status: { phase: o.phase ?? 'Pending' },
  };
}

export function storageClass(name: string, o: { provisioner?: string; isDefault?: boolean; mode?: 'Immediate' | 'WaitForFirstConsumer'; policy?: 'Retain' | 'Delete'; created?: string } = {}): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, ...(o.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}), ...(o.created ? { creationTimestamp: o.created } : {}) },
    provisioner: o.provisioner ?? 'keelson.io/local-path',
    volumeBindingMode: o.mode ?? 'Immediate',
    reclaimPolicy: o.policy ?? 'Delete',
  };
}

export function node(name: string, ready = true, hostname = name): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': hostname } },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function seeder<T extends ObjectLike>(api: FakeApi, informer: SharedIndexInformer<T>): (...objs: T[]) => void {
  return (...objs: T[]) => {
    seed(informer, ...objs);
    api.seed(...objs);
  };
}

export interface VolumeFixture {
  api: FakeApi;
  recorder: FakeEventRecorder;
  binder: PersistentVolumeBinder;
  provisioner: LocalPathProvisioner;
  volumes: (...objs: PersistentVolume[]) => void;
  claims: (...objs: PersistentVolumeClaim[]) => void;
  classes: (...objs: StorageClass[]) => void;
  nodes: (...objs: Node[]) => void;
  /** Directories the provisioner was asked to remove. */
  removed: string[];
}

/** Both controllers over one fake API; caches are seeded, never started. */
export function volumeFixture(o: { nodeName?: string; baseDir?: string; removeDir?: (dir: string) => Promise<void> } = {}): VolumeFixture {
  const api = new FakeApi();
  const factory = fakeInformers(api);
  const volumes = factory.forKind('v1', 'PersistentVolume');
  const claims = factory.forKind('v1', 'PersistentVolumeClaim');
  const classes = factory.forKind('storage.k8s.io/v1', 'StorageClass');
  const nodes = factory.forKind('v1', 'Node');
  const recorder = new FakeEventRecorder();
  const removed: string[] = [];
  const binder = new PersistentVolumeBinder({ client: api.client, volumes, claims, classes, recorder, logger: quietLogger, clock: api.clock });
  const provisioner = new LocalPathProvisioner({
    client: api.client,
    claims,
    volumes,
    classes,
    nodes,
    recorder,
    logger: quietLogger,
    clock: api.clock,
    nodeName: o.nodeName ?? 'node-1',
    baseDir: o.baseDir ?? '/var/lib/keelson/storage',
    removeDir:
      o.removeDir ??
      ((dir) => {
        removed.push(dir);
        return Promise.resolve();
      }),
  });
  return { api, recorder, binder, provisioner, volumes: seeder(api, volumes), claims: seeder(api, claims), classes: seeder(api, classes), nodes: seeder(api, nodes), removed };
}
