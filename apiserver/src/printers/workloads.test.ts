// Tests for workload rows: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ControllerRevisions.
import { lookupKind, type ControllerRevision, type CronJob, type DaemonSet, type Deployment, type Job, type ReplicaSet, type StatefulSet } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

/** The row as kubectl would label it: upper-cased column name → cell. */
/** The row as kubectl would label it: upper-cased column name → cell. */
function show<T extends { kind?: string }>(apiVersion: string, obj: T): Record<string, unknown> {
  const t = toTable(lookupKind(apiVersion, obj.kind ?? '')!, [obj], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

function columns(apiVersion: string, kind: string): string[] {
  return toTable(lookupKind(apiVersion, kind)!, [], { now, includeObject: 'None' }).columnDefinitions.map((c) => (c.priority ? `${c.name.toUpperCase()}*` : c.name.toUpperCase()));
}

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit:3' }] },
};

describe('Deployment', () => {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', creationTimestamp: ago(86400 * 3) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };

  it('has kubectl’s columns', () => {
    expect(columns('apps/v1', 'Deployment')).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
  });

  it('prints READY as ready/desired and the wide columns', () => {
    expect(show('apps/v1', d)).toEqual({
      NAME: 'web',
      READY: '2/3',
      'UP-TO-DATE': 3,
      AVAILABLE: 2,
      AGE: '3d',
      CONTAINERS: 'web,log',
      IMAGES: 'nginx:1.27,fluent-bit:3',
      SELECTOR: 'app=web',
    });
  });

  it('prints 0/N before any status is reported', () => {
    expect(show('apps/v1', { ...d, status: {} })).toMatchObject({ READY: '0/3', 'UP-TO-DATE': 0, AVAILABLE: 0 });
  });
});

describe('ReplicaSet', () => {
  it('prints desired, current and ready counts and a set-based selector', () => {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d9c7b', creationTimestamp: ago(600) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] }, template },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(columns('apps/v1', 'ReplicaSet')).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
    expect(show('apps/v1', rs)).toMatchObject({ DESIRED: 3, CURRENT: 3, READY: 1, AGE: '10m', SELECTOR: 'app=web,tier in (edge,front)' });
  });
});

describe('StatefulSet', () => {
  it('prints READY as ready/desired', () => {
    const sts: StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', creationTimestamp: ago(90) },
      spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(columns('apps/v1', 'StatefulSet')).toEqual(['NAME', 'READY', 'AGE', 'CONTAINERS*', 'IMAGES*']);
    expect(show('apps/v1', sts)).toEqual({ NAME: 'db', READY: '1/3', AGE: '90s', CONTAINERS: 'web,log', IMAGES: 'nginx:1.27,fluent-bit:3' });
  });
});

describe('DaemonSet', () => {
  const ds: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-exporter', creationTimestamp: ago(3600) },
    spec: { selector: { matchLabels: { app: 'ne' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 },
  };

  it('prints the scheduling counts and the node selector', () => {
    expect(columns('apps/v1', 'DaemonSet')).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
    expect(show('apps/v1', ds)).toMatchObject({ DESIRED: 3, CURRENT: 3, READY: 2, 'UP-TO-DATE': 3, AVAILABLE: 2, 'NODE SELECTOR': 'kubernetes.io/os=linux', AGE: '60m', SELECTOR: 'app=ne' });
  });

  it('prints <none> without a node selector', () => {
    expect(show('apps/v1', { ...ds, spec: { ...ds.spec!, template } })['NODE SELECTOR']).toBe('<none>');
  });
});

describe('Job', () => {
  const job = (spec: Partial<NonNullable<Job['spec']>>, status: Job['status'], meta: Job['metadata'] = {}): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', creationTimestamp: ago(600), ...meta },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } }, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, ...spec },
    status,
  });

  it('has kubectl’s columns', () => {
    expect(columns('batch/v1', 'Job')).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
  });

  it('prints a complete job with its duration', () => {
    const j = job({ completions: 1, parallelism: 1 }, { succeeded: 1, startTime: ago(600), completionTime: ago(535), conditions: [{ type: 'Complete', status: 'True' }] });
    expect(show('batch/v1', j)).toMatchObject({ STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: '65s', AGE: '10m', SELECTOR: 'batch.kubernetes.io/controller-uid=u1' });
  });

  it('prints a running job with the time since it started', () => {
    expect(show('batch/v1', job({ completions: 5, parallelism: 2 }, { succeeded: 3, startTime: ago(192) }))).toMatchObject({ STATUS: 'Running', COMPLETIONS: '3/5', DURATION: '3m12s' });
  });

  it('prints completions for work-queue jobs and no duration before start', () => {
    expect(show('batch/v1', job({ parallelism: 3 }, {}))).toMatchObject({ COMPLETIONS: '0/1 of 3', DURATION: '' });
    expect(show('batch/v1', job({ parallelism: 1 }, { succeeded: 1 })).COMPLETIONS).toBe('1/1');
  });

  it('prints Failed, Suspended, FailureTarget and Terminating', () => {
    expect(show('batch/v1', job({}, { conditions: [{ type: 'Failed', status: 'True' }] })).STATUS).toBe('Failed');
    expect(show('batch/v1', job({}, { conditions: [{ type: 'Suspended', status: 'True' }] })).STATUS).toBe('Suspended');
    expect(show('batch/v1', job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] })).STATUS).toBe('FailureTarget');
    expect(show('batch/v1', job({}, { conditions: [{ type: 'Suspended', status: 'False' }] })).STATUS).toBe('Running');
    expect(show('batch/v1', job({}, {}, { name: 'pi', deletionTimestamp: ago(1) })).STATUS).toBe('Terminating');
    expect(show('batch/v1', job({}, { conditions: [{ type: 'Complete', status: 'True' }] }, { name: 'pi', deletionTimestamp: ago(1) })).STATUS).toBe('Complete');
  });
});

describe('CronJob', () => {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'backup', creationTimestamp: ago(86400 * 45) },
    spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'restic' }] } } } } },
    status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(120) },
  };

  it('prints schedule, time zone, suspend, active jobs and the last schedule', () => {
    expect(columns('batch/v1', 'CronJob')).toEqual(['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
    expect(show('batch/v1', cj)).toEqual({
      NAME: 'backup',
      SCHEDULE: '*/5 * * * *',
      TIMEZONE: '<none>',
      SUSPEND: 'False',
      ACTIVE: 1,
      'LAST SCHEDULE': '2m',
      AGE: '45d',
      CONTAINERS: 'b',
      IMAGES: 'restic',
      SELECTOR: '<none>',
    });
  });

  it('prints <none> before the first run and <unset> without suspend', () => {
    const fresh: CronJob = { ...cj, spec: { ...cj.spec!, timeZone: 'Europe/Paris', suspend: undefined }, status: {} };
    expect(show('batch/v1', fresh)).toMatchObject({ TIMEZONE: 'Europe/Paris', SUSPEND: '<unset>', ACTIVE: 0, 'LAST SCHEDULE': '<none>' });
  });
});

describe('ControllerRevision', () => {
  it('prints the controller as kind.group/name and the revision', () => {
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-7d4b9c', creationTimestamp: ago(30), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] },
      revision: 2,
    };
    expect(columns('apps/v1', 'ControllerRevision')).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(show('apps/v1', cr)).toEqual({ NAME: 'web-7d4b9c', CONTROLLER: 'statefulset.apps/web', REVISION: 2, AGE: '30s' });
    const coreOwner = { ...cr, metadata: { ...cr.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true }] } };
    expect(show('apps/v1', coreOwner).CONTROLLER).toBe('pod/p');
    expect(show('apps/v1', { ...cr, metadata: { name: 'orphan' } }).CONTROLLER).toBe('<none>');
  });
});
