// Per-kind behaviour of the generic store: status reset on create, generation, field selectors, graceful deletion.
import type { KubeObject, Pod, ResourceInfo } from '@keelson/api';
import { compareQuantities, parseQuantity } from '@keelson/api';

/** Field values a field selector may test, per kind (metadata.name and metadata.namespace always). */
type FieldSet = Record<string, string>;

export interface Strategy {
  /** metadata.generation starts at 1 and grows on every spec change. */
  tracksGeneration: boolean;
  /** The kind has a status subresource: main-resource writes keep the stored status. */
  hasStatus: boolean;
  /** Rewrites what a client sent into its stored form, on create and update (Secret stringData → data). */
  normalize?(obj: KubeObject): void;
  /** Clears or sets status on create the way the Kubernetes strategy does; may use metadata.uid. */
  prepareForCreate(obj: KubeObject): void;
  /** The fields this kind exposes to field selectors, besides metadata.name and metadata.namespace. */
  fields(obj: KubeObject): FieldSet;
  /**
   * Seconds a delete waits for the owner to confirm (pods on a node); 0 deletes at once.
   * `requested` is DeleteOptions.gracePeriodSeconds.
   */
  gracePeriod(obj: KubeObject, requested: number | undefined): number;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? '';
}

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function pick(obj: KubeObject, paths: string[]): FieldSet {
  const out: FieldSet = {};
  for (const p of paths) out[p] = str(get(obj, p));
  return out;
}

/** Pod QoS class as Kubernetes computes it from requests and limits of every container. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = (c.resources?.requests ?? {}) as Record<string, string | number>;
    const limits = (c.resources?.limits ?? {}) as Record<string, string | number>;
    for (const r of ['cpu', 'memory']) {
      const req = requests[r];
      const lim = limits[r];
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined) guaranteed = false;
      else if (req !== undefined && compareQuantities(parseQuantity(String(req)), parseQuantity(String(lim))) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const base: Strategy = {
  tracksGeneration: false,
  hasStatus: false,
  prepareForCreate: () => undefined,
  fields: () => ({}),
  gracePeriod: () => 0,
};

/**
 * `zeroStatus` holds the status fields the schema requires, at the zero value Go would
 * serialize them with (a fresh ReplicaSet's `replicas: 0`); without them a created object
 * would fail its own validation.
 */
function workload(extraFields: string[] = [], zeroStatus: Record<string, number> = {}): Strategy {
  return {
    ...base,
    tracksGeneration: true,
    hasStatus: true,
    prepareForCreate: (obj) => {
      obj.status = { ...zeroStatus };
    },
    fields: (obj) => pick(obj, extraFields),
  };
}

const strategies: Record<string, Strategy> = {
  Pod: {
    ...base,
    tracksGeneration: true,
    hasStatus: true,
    prepareForCreate: (obj) => {
      obj.status = { phase: 'Pending', qosClass: qosClass(obj as Pod) };
    },
    fields: (obj) =>
      pick(obj, [
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ]),
    gracePeriod: (obj, requested) => {
      const pod = obj as Pod;
      // An unscheduled pod has no kubelet to confirm; it goes at once.
      if (!pod.spec?.nodeName) return 0;
      const phase = (pod.status)?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    },
  },
  Deployment: workload(),
  ReplicaSet: workload(['status.replicas'], { replicas: 0 }),
  StatefulSet: workload([], { replicas: 0 }),
  DaemonSet: workload([], { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  Job: {
    ...workload(['status.successful']),
    prepareForCreate: (obj) => {
      obj.status = {};
      generateJobSelector(obj);
    },
  },
  CronJob: workload(),
  Namespace: {
    ...base,
    hasStatus: true,
    // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
    normalize: (obj) => {
      const meta = (obj.metadata ??= {});
      if (meta.name) meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
    },
    prepareForCreate: (obj) => {
      obj.status = { phase: 'Active' };
      const spec = (obj.spec ??= {}) as { finalizers?: string[] };
      spec.finalizers = ['kubernetes'];
    },
    fields: (obj) => pick(obj, ['status.phase']),
  },
  Node: { ...base, hasStatus: true, fields: (obj) => pick(obj, ['spec.unschedulable']) },
  Service: {
    ...base,
    hasStatus: true,
    prepareForCreate: (obj) => {
      obj.status = { loadBalancer: {} };
    },
  },
  PersistentVolume: {
    ...base,
    hasStatus: true,
    prepareForCreate: (obj) => {
      obj.status = { phase: 'Pending' };
    },
    fields: (obj) => pick(obj, ['spec.storageClassName']),
  },
  PersistentVolumeClaim: {
    ...base,
    hasStatus: true,
    prepareForCreate: (obj) => {
      obj.status = { phase: 'Pending' };
    },
  },
  Secret: {
    ...base,
    fields: (obj) => pick(obj, ['type']),
    normalize: (obj) => {
      // stringData is write-only: merged into data (base64), its values winning, then dropped.
      const secret = obj as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
      if (secret.stringData === undefined) return;
      const data = { ...secret.data };
      for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      secret.data = data;
      delete secret.stringData;
    },
  },
  Event: {
    ...base,
    fields: (obj) =>
      pick(obj, [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      ]),
  },
};

/**
 * Jobs select their pods by the job's uid unless `manualSelector` is true, as Kubernetes'
 * job strategy does: the template gets the labels and the selector matches them.
 */
function generateJobSelector(obj: KubeObject): void {
  const spec = obj.spec as { manualSelector?: boolean; selector?: unknown; template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  const uid = obj.metadata?.uid;
  const name = obj.metadata?.name;
  if (!spec || spec.manualSelector === true || !uid || !name) return;
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  meta.labels = {
    ...meta.labels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function strategyFor(info: ResourceInfo): Strategy {
  return strategies[info.kind] ?? { ...base, hasStatus: info.subresources.includes('status') };
}

/** All field-selector values of an object: metadata.name, metadata.namespace and the kind's own. */
export function selectableFields(info: ResourceInfo, obj: KubeObject): FieldSet {
  return {
    'metadata.name': obj.metadata?.name ?? '',
    'metadata.namespace': obj.metadata?.namespace ?? '',
    ...strategyFor(info).fields(obj),
  };
}
