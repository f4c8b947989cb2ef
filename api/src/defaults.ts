// Defaulting as Kubernetes does it (SetDefaults_* of core/v1, apps/v1, batch/v1): fills unset fields.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from './types/apps';
import type { CronJob, Job, JobSpec } from './types/batch';
import type {
  Container,
  Endpoints,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Secret,
  Service,
  Volume,
} from './types/core';
import type { KubeObject } from './types/meta';
import type { EndpointSlice } from './types/others';

/** `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests included). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  if (c.image && c.imagePullPolicy === undefined) c.imagePullPolicy = defaultPullPolicy(c.image);
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  // Requests default to limits for every resource that has a limit but no request.
  const limits = c.resources?.limits;
  if (c.resources && limits) {
    const requests = (c.resources.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Volume): void {
  const record = v as unknown as Record<string, unknown>;
  if (!volumeSources.some((s) => record[s] !== undefined)) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= 0o644;
  if (v.secret) v.secret.defaultMode ??= 0o644;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 0o644;
  if (v.projected) v.projected.defaultMode ??= 0o644;
  if (v.hostPath) v.hostPath.type ??= '';
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultTemplate(spec.template);
}

type Defaulter = (obj: KubeObject) => void;

/** kubernetes-types marks `status` read-only; defaulting writes it on objects it owns. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

const defaulters: Record<string, Defaulter> = {
  Pod: (o) => {
    const pod = o as Pod;
    if (pod.spec) {
      defaultPodSpec(pod.spec);
      pod.spec.priority ??= 0;
    }
  },
  Deployment: (o) => {
    const spec = (o as Deployment).spec;
    if (!spec) return;
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = (strategy.rollingUpdate ??= {});
      ru.maxUnavailable ??= '25%';
      ru.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec.template);
  },
  ReplicaSet: (o) => {
    const spec = (o as ReplicaSet).spec;
    if (!spec) return;
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  },
  StatefulSet: (o) => {
    const spec = (o as StatefulSet).spec;
    if (!spec) return;
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    const us = (spec.updateStrategy ??= {});
    us.type ??= 'RollingUpdate';
    if (us.type === 'RollingUpdate') (us.rollingUpdate ??= {}).partition ??= 0;
    spec.revisionHistoryLimit ??= 10;
    const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
    retention.whenDeleted ??= 'Retain';
    retention.whenScaled ??= 'Retain';
    for (const claim of spec.volumeClaimTemplates ?? []) {
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      if (claim.spec) claim.spec.volumeMode ??= 'Filesystem';
      (claim as Writable<PersistentVolumeClaim>).status ??= { phase: 'Pending' };
    }
    defaultTemplate(spec.template);
  },
  DaemonSet: (o) => {
    const spec = (o as DaemonSet).spec;
    if (!spec) return;
    const us = (spec.updateStrategy ??= {});
    us.type ??= 'RollingUpdate';
    if (us.type === 'RollingUpdate') {
      const ru = (us.rollingUpdate ??= {});
      ru.maxUnavailable ??= 1;
      ru.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  Job: (o) => {
    const spec = (o as Job).spec;
    if (spec) defaultJobSpec(spec);
  },
  CronJob: (o) => {
    const spec = (o as CronJob).spec;
    if (!spec) return;
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    if (spec.jobTemplate?.spec) defaultJobSpec(spec.jobTemplate.spec);
  },
  Service: (o) => {
    const spec = (o as Service).spec;
    if (!spec) return;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
    for (const p of spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  },
  Namespace: (o) => {
    const ns = o as Namespace;
    (ns.spec ??= {}).finalizers ??= ['kubernetes'];
    (ns.status ??= {}).phase ??= 'Active';
  },
  Secret: (o) => {
    (o as Secret).type ??= 'Opaque';
  },
  Node: (o) => {
    const status = (o as Node).status;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  PersistentVolume: (o) => {
    const pv = o as PersistentVolume;
    if (pv.spec) {
      pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      pv.spec.volumeMode ??= 'Filesystem';
    }
    ((pv as Writable<PersistentVolume>).status ??= {}).phase ??= 'Pending';
  },
  PersistentVolumeClaim: (o) => {
    const pvc = o as PersistentVolumeClaim;
    if (pvc.spec) pvc.spec.volumeMode ??= 'Filesystem';
    ((pvc as Writable<PersistentVolumeClaim>).status ??= {}).phase ??= 'Pending';
  },
  Endpoints: (o) => {
    for (const s of (o as Endpoints).subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP';
  },
  EndpointSlice: (o) => {
    for (const p of (o as unknown as EndpointSlice).ports ?? []) {
      p.protocol ??= 'TCP';
      p.name ??= '';
    }
  },
};

/** A copy of `obj` with every unset field that Kubernetes defaults filled in. */
export function withDefaults<T extends object>(kind: string, obj: T): T {
  const copy = structuredClone(obj);
  defaulters[kind]?.(copy as KubeObject);
  return copy;
}
