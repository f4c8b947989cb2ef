// Workload rows: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and ControllerRevisions, as kubectl shows them.
import {
  parseApiVersion,
  type ControllerRevision,
  type CronJob,
  type DaemonSet,
  type Deployment,
  type Job,
  type JobCondition,
  type ReplicaSet,
  type StatefulSet,
} from '@keelson/api';
import { humanDuration, parseTime, since } from './duration';
import { containerCells, formatLabelSelector, formatLabels, selectorString } from './format';
import { ageColumn, column, containersColumn, definePrinter, imagesColumn, nameColumn, wide, type Cell } from './printer';

const SELECTOR_DESCRIPTION = 'A label query over pods that should match the replica count. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

export const deploymentPrinter = definePrinter<Deployment>(
  [
    nameColumn,
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide('Selector', "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels."),
  ],
  (d, { now }) => {
    const { names, images } = containerCells(d.spec?.template.spec?.containers);
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      since(d.metadata?.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector),
    ];
  },
);

export const replicaSetPrinter = definePrinter<ReplicaSet>(
  [
    nameColumn,
    column('Desired', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', { type: 'integer' }),
    column('Current', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', { type: 'integer' }),
    column('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide('Selector', SELECTOR_DESCRIPTION),
  ],
  (rs, { now }) => {
    const { names, images } = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
);

export const statefulSetPrinter = definePrinter<StatefulSet>(
  [nameColumn, column('Ready', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  (sts, { now }) => {
    const { names, images } = containerCells(sts.spec?.template.spec?.containers);
    return [sts.metadata?.name ?? '', `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, since(sts.metadata?.creationTimestamp, now), names, images];
  },
);

export const daemonSetPrinter = definePrinter<DaemonSet>(
  [
    nameColumn,
    column('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', { type: 'integer' }),
    column('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', { type: 'integer' }),
    column('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { type: 'integer' }),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    column('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', { type: 'integer' }),
    column('Node Selector', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide('Selector', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  (ds, { now }) => {
    const { names, images } = containerCells(ds.spec?.template.spec?.containers);
    const s = ds.status;
    return [
      ds.metadata?.name ?? '',
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
);

/** hasJobCondition: the first condition of that type decides. */
function jobCondition(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

/** The Job STATUS column: Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet or Running. */
export function jobStatus(job: Job): string {
  const conds = job.status?.conditions;
  if (jobCondition(conds, 'Complete')) return 'Complete';
  if (jobCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(conds, 'Suspended')) return 'Suspended';
  if (jobCondition(conds, 'FailureTarget')) return 'FailureTarget';
  if (jobCondition(conds, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const jobPrinter = definePrinter<Job>(
  [
    nameColumn,
    column('Status', 'Status of the job.'),
    column('Completions', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    column('Duration', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  (job, { now }) => {
    const succeeded = job.status?.succeeded ?? 0;
    const completions = job.spec?.completions;
    const parallelism = job.spec?.parallelism ?? 0;
    const completionsCell =
      completions !== undefined && completions !== null ? `${succeeded}/${completions}` : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    const start = parseTime(job.status?.startTime);
    const end = parseTime(job.status?.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
    const { names, images } = containerCells(job.spec?.template.spec?.containers);
    return [
      job.metadata?.name ?? '',
      jobStatus(job),
      completionsCell,
      duration,
      since(job.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
);

/** printBoolPtr: True, False, or `<unset>`. */
function boolCell(v: boolean | undefined): string {
  return v === undefined ? '<unset>' : v ? 'True' : 'False';
}

export const cronJobPrinter = definePrinter<CronJob>(
  [
    nameColumn,
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process.'),
    column('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.', { type: 'boolean' }),
    column('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  (cj, { now }) => {
    const last = cj.status?.lastScheduleTime;
    const jobSpec = cj.spec?.jobTemplate.spec;
    const { names, images } = containerCells(jobSpec?.template.spec?.containers);
    return [
      cj.metadata?.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      boolCell(cj.spec?.suspend),
      cj.status?.active?.length ?? 0,
      last ? since(last, now) : '<none>',
      since(cj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
);

/** formatResourceName with kind: `statefulset.apps/web`, `daemonset.apps/fluentd`; `<none>` without a controller. */
function controllerName(cr: ControllerRevision): string {
  const ref = (cr.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (ref === undefined) return '<none>';
  const { group } = parseApiVersion(ref.apiVersion);
  if (group === '' && ref.kind === '') return ref.name;
  return `${(group === '' ? ref.kind : `${ref.kind}.${group}`).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter = definePrinter<ControllerRevision>(
  [nameColumn, column('Controller', 'Controller of the object'), column('Revision', 'Revision indicates the revision of the state represented by Data.'), ageColumn],
  (cr, { now }): Cell[] => [cr.metadata?.name ?? '', controllerName(cr), cr.revision, since(cr.metadata?.creationTimestamp, now)],
);
