// Tests for pod rows: kubectl's STATUS, READY and RESTARTS rules, and the wide columns.
import { lookupKind, type ContainerStatus, type Pod } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();
const podInfo = lookupKind('v1', 'Pod')!;

/** The row as kubectl would label it: upper-cased column name → cell. */
function show(pod: Pod): Record<string, unknown> {
  const t = toTable(podInfo, [pod], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

function pod(status: Pod['status'], spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Pod['metadata'] = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(3600 * 5 + 120), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = (name: string, ready = true, restartCount = 0): ContainerStatus => ({
  name,
  image: 'nginx',
  imageID: '',
  ready,
  restartCount,
  state: { running: { startedAt: ago(100) } },
});

describe('pod STATUS, READY and RESTARTS', () => {
  it('prints a running pod with one of two containers ready', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [running('app'), running('side', false)] },
      { containers: [{ name: 'app' }, { name: 'side' }] },
    );
    expect(show(p)).toMatchObject({ NAME: 'web-1', READY: '1/2', STATUS: 'Running', RESTARTS: '0', AGE: '5h2m' });
  });

  it('prints CrashLoopBackOff with restarts and when the last one was', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'nginx',
          imageID: '',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(35), finishedAt: ago(30) } },
        },
      ],
    });
    expect(show(p)).toMatchObject({ READY: '0/1', STATUS: 'CrashLoopBackOff', RESTARTS: '4 (30s ago)' });
  });

  it('prints restarts without "ago" when no previous termination is known', () => {
    expect(show(pod({ phase: 'Running', containerStatuses: [running('app', true, 2)] })).RESTARTS).toBe('2');
  });

  it('lets the first container decide when several are unhappy', () => {
    const waiting = (name: string, reason: string): ContainerStatus => ({ name, image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason } } });
    const p = pod(
      { phase: 'Pending', containerStatuses: [waiting('a', 'CrashLoopBackOff'), waiting('b', 'ImagePullBackOff')] },
      { containers: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(show(p).STATUS).toBe('CrashLoopBackOff');
  });

  it('prints Completed for a succeeded pod and marks the row completed', () => {
    const p = pod({
      phase: 'Succeeded',
      containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const t = toTable(podInfo, [p], { now, includeObject: 'None' });
    expect(t.rows[0]!.cells.slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(t.rows[0]!.conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  it('marks failed pods and prints the pod-level reason such as Evicted', () => {
    const t = toTable(podInfo, [pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' })], { now, includeObject: 'None' });
    expect(t.rows[0]!.cells[2]).toBe('Evicted');
    expect(t.rows[0]!.conditions?.[0]).toMatchObject({ type: 'Completed', reason: 'Failed' });
  });

  it('prints ExitCode and Signal for terminations without a reason', () => {
    const term = (t: { exitCode: number; signal?: number }): Pod =>
      pod({ phase: 'Running', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: t } }] });
    expect(show(term({ exitCode: 137 })).STATUS).toBe('ExitCode:137');
    expect(show(term({ exitCode: 137, signal: 9 })).STATUS).toBe('Signal:9');
  });

  it('prints Pending, ContainerCreating and SchedulingGated', () => {
    expect(show(pod({ phase: 'Pending' }))).toMatchObject({ READY: '0/1', STATUS: 'Pending' });
    const creating = pod({ phase: 'Pending', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
    expect(show(creating).STATUS).toBe('ContainerCreating');
    const gated = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
    expect(show(gated).STATUS).toBe('SchedulingGated');
  });

  describe('init containers', () => {
    const spec = { initContainers: [{ name: 'migrate' }, { name: 'seed' }] };
    const init = (name: string, state: ContainerStatus['state'], restartCount = 0, lastState?: ContainerStatus['lastState']): ContainerStatus => ({
      name,
      image: 'x',
      imageID: '',
      ready: false,
      restartCount,
      state,
      ...(lastState ? { lastState } : {}),
    });

    it('prints Init:N/M while init containers are pending or running', () => {
      const p = pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { waiting: { reason: 'PodInitializing' } }), init('seed', { waiting: { reason: 'PodInitializing' } })] }, spec);
      expect(show(p)).toMatchObject({ READY: '0/1', STATUS: 'Init:0/2' });
      const second = pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { terminated: { exitCode: 0, reason: 'Completed' } }), init('seed', { running: {} })] }, spec);
      expect(show(second).STATUS).toBe('Init:1/2');
    });

    it('prints the waiting or failure reason of an init container, and counts its restarts', () => {
      const pull = pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { waiting: { reason: 'ImagePullBackOff' } })] }, spec);
      expect(show(pull).STATUS).toBe('Init:ImagePullBackOff');
      const crash = pod(
        { phase: 'Pending', initContainerStatuses: [init('migrate', { waiting: { reason: 'CrashLoopBackOff' } }, 3, { terminated: { exitCode: 1, finishedAt: ago(300) } })] },
        spec,
      );
      expect(show(crash)).toMatchObject({ STATUS: 'Init:CrashLoopBackOff', RESTARTS: '3 (5m ago)' });
      expect(show(pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { terminated: { exitCode: 2, reason: 'Error' } })] }, spec)).STATUS).toBe('Init:Error');
      expect(show(pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { terminated: { exitCode: 2 } })] }, spec)).STATUS).toBe('Init:ExitCode:2');
      // Exit code 0 is success whatever the signal: initialization goes on.
      expect(show(pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { terminated: { exitCode: 0, signal: 15 } })] }, spec)).STATUS).toBe('Pending');
      expect(show(pod({ phase: 'Pending', initContainerStatuses: [init('migrate', { terminated: { exitCode: 143, signal: 15 } })] }, spec)).STATUS).toBe('Init:Signal:15');
    });

    it('counts a started sidecar as a container and keeps its restarts once initialized', () => {
      const p = pod(
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
          initContainerStatuses: [{ ...running('proxy', true, 1), started: true, lastState: { terminated: { exitCode: 1, finishedAt: ago(600) } } }],
          containerStatuses: [running('app')],
        },
        { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      );
      expect(show(p)).toMatchObject({ READY: '2/2', STATUS: 'Running', RESTARTS: '1 (10m ago)' });
    });

    it('prints Running, not Completed, while a container still runs beside a completed one', () => {
      const done: ContainerStatus = { name: 'job', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
      const spec2 = { containers: [{ name: 'job' }, { name: 'app' }] };
      const ready = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [done, running('app')] }, spec2);
      expect(show(ready).STATUS).toBe('Running');
      const notReady = pod({ phase: 'Running', containerStatuses: [done, running('app')] }, spec2);
      expect(show(notReady).STATUS).toBe('NotReady');
    });
  });

  describe('deletion', () => {
    it('prints Terminating for a deleted pod that is not finished', () => {
      expect(show(pod({ phase: 'Running', containerStatuses: [running('app')] }, {}, { name: 'web-1', deletionTimestamp: ago(5) })).STATUS).toBe('Terminating');
    });

    it('keeps Completed for a finished pod being deleted, and prints Unknown on a lost node', () => {
      const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, {}, { name: 'x', deletionTimestamp: ago(5) });
      expect(show(done).STATUS).toBe('Completed');
      expect(show(pod({ phase: 'Running', reason: 'NodeLost' }, {}, { name: 'x', deletionTimestamp: ago(5) })).STATUS).toBe('Unknown');
    });
  });
});

describe('pod wide columns', () => {
  it('prints IP, node, nominated node and readiness gates', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }, { ip: 'fd00::7' }],
        nominatedNodeName: 'node-b',
        conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }],
        containerStatuses: [running('app')],
      },
      { nodeName: 'node-a', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
    );
    expect(show(p)).toMatchObject({ IP: '10.244.1.7', NODE: 'node-a', 'NOMINATED NODE': 'node-b', 'READINESS GATES': '1/2' });
  });

  it('prints <none> for what is not yet known', () => {
    expect(show(pod({ phase: 'Pending' }))).toMatchObject({ IP: '<none>', NODE: '<none>', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' });
  });

  it('declares the columns kubectl shows, wide ones at priority 1', () => {
    const t = toTable(podInfo, [], { now, includeObject: 'None' });
    expect(t.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(t.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
  });
});
