// Per-kind merge metadata (in @keelson/api so clients can compute patches too): Kubernetes' patchStrategy/patchMergeKey tags (strategic merge patch)
// and +listType/+listMapKey/+structType/+mapType markers (server-side apply), as one type graph.
//
// The table below was derived from the struct tags and markers of k8s.io/api (core/v1, apps/v1,
// batch/v1, coordination/v1, discovery/v1 at kubernetes/api 10b39a39) and
// k8s.io/apimachinery meta/v1 (at eed236ce). It lists only types that carry metadata themselves
// or lead to a type that does; anything absent has the defaults:
//   - strategic merge patch: objects merge, lists are replaced;
//   - server-side apply: objects are granular (each field owned on its own), lists are atomic.
// So `tolerations`, `args`, `EndpointSubset.addresses` … are replaced / atomic upstream too.
// Notable upstream mismatches between the two: JobStatus.conditions and PodStatus.hostIPs merge by
// key under strategic merge patch but are atomic lists for apply; ResourceRequirements.claims and
// PodStatus.volumeHealth are keyed for apply but replaced by strategic merge patch.

export interface FieldMeta {
  /**
   * `patchStrategy` struct tag: `merge` merges lists, `retainKeys` honours `$retainKeys`, `replace`
   * replaces an object instead of merging it (no built-in type uses it today).
   */
  readonly patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
  /** `patchMergeKey` struct tag: the field that identifies an element of a merged list. */
  readonly patchMergeKey?: string;
  /** `+listType`: `map` (keyed by listMapKeys) or `set` (of scalars); lists without it are atomic. */
  readonly listType?: 'map' | 'set';
  readonly listMapKeys?: readonly string[];
  /** `+default` of a list-map key an element may omit (ContainerPort/ServicePort.protocol). */
  readonly keyDefaults?: Readonly<Record<string, string>>;
  /** `+mapType=atomic` / `+structType=atomic` on the field: apply owns the value as a whole. */
  readonly atomic?: true;
  /** The named type of the value, or of each element of a list, when it has metadata of its own. */
  readonly type?: string;
}

/** A struct type marked `+structType=atomic`. */
const ATOMIC = 'atomic';
type Entry = Readonly<Record<string, FieldMeta>> | typeof ATOMIC;

const types: Readonly<Record<string, Entry>> = {
  Pod: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'PodSpec' },
    status: { type: 'PodStatus' },
  },
  ObjectMeta: {
    ownerReferences: { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'], type: 'OwnerReference' },
    finalizers: { patchStrategy: 'merge', listType: 'set' },
  },
  OwnerReference: ATOMIC,
  PodSpec: {
    volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'Volume' },
    initContainers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'Container' },
    containers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'Container' },
    ephemeralContainers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'EphemeralContainer' },
    nodeSelector: { atomic: true },
    imagePullSecrets: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'LocalObjectReference' },
    affinity: { type: 'Affinity' },
    hostAliases: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    topologySpreadConstraints: { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'], type: 'TopologySpreadConstraint' },
    schedulingGates: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resourceClaims: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resources: { type: 'ResourceRequirements' },
    evictionResponders: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'EvictionResponder' },
  },
  Volume: {
    iscsi: { type: 'ISCSIVolumeSource' },
    rbd: { type: 'RBDVolumeSource' },
    flexVolume: { type: 'FlexVolumeSource' },
    cinder: { type: 'CinderVolumeSource' },
    cephfs: { type: 'CephFSVolumeSource' },
    scaleIO: { type: 'ScaleIOVolumeSource' },
    storageos: { type: 'StorageOSVolumeSource' },
    csi: { type: 'CSIVolumeSource' },
    ephemeral: { type: 'EphemeralVolumeSource' },
  },
  ISCSIVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  LocalObjectReference: ATOMIC,
  RBDVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  FlexVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  CinderVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  CephFSVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  ScaleIOVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  StorageOSVolumeSource: {
    secretRef: { type: 'LocalObjectReference' },
  },
  CSIVolumeSource: {
    nodePublishSecretRef: { type: 'LocalObjectReference' },
  },
  EphemeralVolumeSource: {
    volumeClaimTemplate: { type: 'PersistentVolumeClaimTemplate' },
  },
  PersistentVolumeClaimTemplate: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'PersistentVolumeClaimSpec' },
  },
  PersistentVolumeClaimSpec: {
    selector: { type: 'LabelSelector' },
    dataSource: { type: 'TypedLocalObjectReference' },
  },
  LabelSelector: ATOMIC,
  TypedLocalObjectReference: ATOMIC,
  Container: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    env: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'EnvVar' },
    resources: { type: 'ResourceRequirements' },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'], type: 'VolumeMount' },
    volumeDevices: { patchStrategy: 'merge', patchMergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
  },
  EnvVar: {
    valueFrom: { type: 'EnvVarSource' },
  },
  EnvVarSource: {
    fieldRef: { type: 'ObjectFieldSelector' },
    resourceFieldRef: { type: 'ResourceFieldSelector' },
    configMapKeyRef: { type: 'ConfigMapKeySelector' },
    secretKeyRef: { type: 'SecretKeySelector' },
    fileKeyRef: { type: 'FileKeySelector' },
  },
  ObjectFieldSelector: ATOMIC,
  ResourceFieldSelector: ATOMIC,
  ConfigMapKeySelector: ATOMIC,
  SecretKeySelector: ATOMIC,
  FileKeySelector: ATOMIC,
  ResourceRequirements: {
    claims: { listType: 'map', listMapKeys: ['name'] },
  },
  VolumeMount: {
    bindMountOptions: { listType: 'set' },
  },
  EphemeralContainer: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    env: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'EnvVar' },
    resources: { type: 'ResourceRequirements' },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'], type: 'VolumeMount' },
    volumeDevices: { patchStrategy: 'merge', patchMergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
  },
  Affinity: {
    nodeAffinity: { type: 'NodeAffinity' },
  },
  NodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { type: 'NodeSelector' },
  },
  NodeSelector: ATOMIC,
  TopologySpreadConstraint: {
    labelSelector: { type: 'LabelSelector' },
  },
  EvictionResponder: ATOMIC,
  PodStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip' },
    podIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    resourceClaimStatuses: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resources: { type: 'ResourceRequirements' },
    nodeAllocatableResourceClaimStatuses: { patchStrategy: 'merge', patchMergeKey: 'resourceClaimName', listType: 'map', listMapKeys: ['resourceClaimName'], type: 'NodeAllocatableResourceClaimStatus' },
    volumeHealth: { listType: 'map', listMapKeys: ['name'], type: 'PodVolumeHealth' },
  },
  NodeAllocatableResourceClaimStatus: {
    containers: { listType: 'set' },
    mapping: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    overhead: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  PodVolumeHealth: {
    healthConditions: { patchStrategy: 'merge', patchMergeKey: 'status', listType: 'map', listMapKeys: ['status', 'reason'] },
  },
  Node: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'NodeSpec' },
    status: { type: 'NodeStatus' },
  },
  NodeSpec: {
    podCIDRs: { patchStrategy: 'merge', listType: 'set' },
    podPreemptionPolicy: { type: 'NodePodPreemptionPolicy' },
  },
  NodePodPreemptionPolicy: {
    disableResizePreemption: { listType: 'set' },
  },
  NodeStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    addresses: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  Namespace: {
    metadata: { type: 'ObjectMeta' },
    status: { type: 'NamespaceStatus' },
  },
  NamespaceStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  Service: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'ServiceSpec' },
    status: { type: 'ServiceStatus' },
  },
  ServiceSpec: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    selector: { atomic: true },
  },
  ServiceStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  Endpoints: {
    metadata: { type: 'ObjectMeta' },
  },
  ConfigMap: {
    metadata: { type: 'ObjectMeta' },
  },
  Secret: {
    metadata: { type: 'ObjectMeta' },
  },
  Event: {
    metadata: { type: 'ObjectMeta' },
    involvedObject: { type: 'ObjectReference' },
    related: { type: 'ObjectReference' },
  },
  ObjectReference: ATOMIC,
  ServiceAccount: {
    metadata: { type: 'ObjectMeta' },
    secrets: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], type: 'ObjectReference' },
  },
  PersistentVolume: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'PersistentVolumeSpec' },
  },
  PersistentVolumeSpec: {
    rbd: { type: 'RBDPersistentVolumeSource' },
    iscsi: { type: 'ISCSIPersistentVolumeSource' },
    cinder: { type: 'CinderPersistentVolumeSource' },
    cephfs: { type: 'CephFSPersistentVolumeSource' },
    flexVolume: { type: 'FlexPersistentVolumeSource' },
    scaleIO: { type: 'ScaleIOPersistentVolumeSource' },
    storageos: { type: 'StorageOSPersistentVolumeSource' },
    csi: { type: 'CSIPersistentVolumeSource' },
    claimRef: { type: 'ObjectReference' },
    nodeAffinity: { type: 'VolumeNodeAffinity' },
  },
  RBDPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  SecretReference: ATOMIC,
  ISCSIPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  CinderPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  CephFSPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  FlexPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  ScaleIOPersistentVolumeSource: {
    secretRef: { type: 'SecretReference' },
  },
  StorageOSPersistentVolumeSource: {
    secretRef: { type: 'ObjectReference' },
  },
  CSIPersistentVolumeSource: {
    controllerPublishSecretRef: { type: 'SecretReference' },
    nodeStageSecretRef: { type: 'SecretReference' },
    nodePublishSecretRef: { type: 'SecretReference' },
    controllerExpandSecretRef: { type: 'SecretReference' },
    nodeExpandSecretRef: { type: 'SecretReference' },
  },
  VolumeNodeAffinity: {
    required: { type: 'NodeSelector' },
  },
  PersistentVolumeClaim: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'PersistentVolumeClaimSpec' },
    status: { type: 'PersistentVolumeClaimStatus' },
  },
  PersistentVolumeClaimStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    healthStatus: { type: 'VolumeHealthStatus' },
  },
  VolumeHealthStatus: {
    healthConditions: { patchStrategy: 'merge', patchMergeKey: 'status', listType: 'map', listMapKeys: ['status', 'reason'] },
  },
  Deployment: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'DeploymentSpec' },
    status: { type: 'DeploymentStatus' },
  },
  DeploymentSpec: {
    selector: { type: 'LabelSelector' },
    template: { type: 'PodTemplateSpec' },
    strategy: { patchStrategy: 'retainKeys' },
  },
  PodTemplateSpec: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'PodSpec' },
  },
  DeploymentStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  ReplicaSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'ReplicaSetSpec' },
    status: { type: 'ReplicaSetStatus' },
  },
  ReplicaSetSpec: {
    selector: { type: 'LabelSelector' },
    template: { type: 'PodTemplateSpec' },
  },
  ReplicaSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  StatefulSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'StatefulSetSpec' },
    status: { type: 'StatefulSetStatus' },
  },
  StatefulSetSpec: {
    selector: { type: 'LabelSelector' },
    template: { type: 'PodTemplateSpec' },
  },
  StatefulSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  DaemonSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'DaemonSetSpec' },
    status: { type: 'DaemonSetStatus' },
  },
  DaemonSetSpec: {
    selector: { type: 'LabelSelector' },
    template: { type: 'PodTemplateSpec' },
  },
  DaemonSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  ControllerRevision: {
    metadata: { type: 'ObjectMeta' },
  },
  Job: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'JobSpec' },
    status: { type: 'JobStatus' },
  },
  JobSpec: {
    selector: { type: 'LabelSelector' },
    template: { type: 'PodTemplateSpec' },
    scheduling: { type: 'JobSchedulingConfiguration' },
  },
  JobSchedulingConfiguration: {
    resourceClaims: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  JobStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type' },
    uncountedTerminatedPods: { type: 'UncountedTerminatedPods' },
  },
  UncountedTerminatedPods: {
    succeeded: { listType: 'set' },
    failed: { listType: 'set' },
  },
  CronJob: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'CronJobSpec' },
  },
  CronJobSpec: {
    jobTemplate: { type: 'JobTemplateSpec' },
  },
  JobTemplateSpec: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'JobSpec' },
  },
  Lease: {
    metadata: { type: 'ObjectMeta' },
  },
  EndpointSlice: {
    metadata: { type: 'ObjectMeta' },
  },
  // Subresource bodies (pods/binding, */scale).
  Binding: {
    metadata: { type: 'ObjectMeta' },
    target: { type: 'ObjectReference' },
  },
  Scale: {
    metadata: { type: 'ObjectMeta' },
  },
};

/** Kinds whose root type is in the table (the type has the kind's name). */
const kinds: ReadonlySet<string> = new Set([
  'Pod',
  'Node',
  'Namespace',
  'Service',
  'Endpoints',
  'ConfigMap',
  'Secret',
  'Event',
  'ServiceAccount',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'ControllerRevision',
  'Job',
  'CronJob',
  'Lease',
  'EndpointSlice',
  'Binding',
  'Scale',
]);

/** The root type of a kind, or undefined for a kind the table does not know. */
export function rootType(kind: string): string | undefined {
  return kinds.has(kind) ? kind : undefined;
}

/** Metadata of `field` in type `type` (undefined type or field: the defaults apply). */
export function fieldMeta(type: string | undefined, field: string): FieldMeta | undefined {
  if (type === undefined) return undefined;
  const entry = types[type];
  if (entry === undefined || entry === ATOMIC) return undefined;
  return entry[field];
}

/** True when values of `type` are owned as a whole by server-side apply (`+structType=atomic`). */
export function isAtomicType(type: string | undefined): boolean {
  return type !== undefined && types[type] === ATOMIC;
}

/** How strategic merge patch treats one field. */
export interface PatchStrategy {
  strategy: 'merge' | 'replace' | 'retainKeys';
  /** Merge key of a merged list of objects; absent for lists of scalars (merged as sets). */
  mergeKey?: string;
  /** Also honours `$retainKeys` in each element (`patchStrategy:"merge,retainKeys"`). */
  retainKeys?: boolean;
}

/**
 * The strategic-merge-patch table of a kind, flattened to dotted paths (`[]` steps into list
 * elements): e.g. for Deployment `spec.template.spec.containers` → merge by `name`,
 * `spec.template.spec.containers[].env` → merge by `name`, `spec.strategy` → retainKeys.
 * Only fields that are not plain "objects merge, lists replace" appear.
 */
export function patchStrategies(kind: string): ReadonlyMap<string, PatchStrategy> {
  const out = new Map<string, PatchStrategy>();
  const walk = (type: string, prefix: string, seen: readonly string[]): void => {
    const entry = types[type];
    if (entry === undefined || entry === ATOMIC || seen.includes(type)) return;
    for (const [name, meta] of Object.entries(entry)) {
      const path = prefix ? `${prefix}.${name}` : name;
      const isList = meta.listType !== undefined || meta.patchMergeKey !== undefined || meta.patchStrategy?.startsWith('merge') === true;
      if (meta.patchStrategy !== undefined) {
        const s: PatchStrategy =
          meta.patchStrategy === 'retainKeys' || meta.patchStrategy === 'replace' ? { strategy: meta.patchStrategy } : { strategy: 'merge' };
        if (meta.patchMergeKey !== undefined) s.mergeKey = meta.patchMergeKey;
        if (meta.patchStrategy === 'merge,retainKeys') s.retainKeys = true;
        out.set(path, s);
      } else if (meta.listType !== undefined) {
        out.set(path, { strategy: 'replace' });
      }
      if (meta.type !== undefined) walk(meta.type, isList ? `${path}[]` : path, [...seen, type]);
    }
  };
  const root = rootType(kind);
  if (root !== undefined) walk(root, '', []);
  return out;
}
