// Tests for Node, Namespace, Event and Lease rows.
import { lookupKind, type Event, type Lease, type Namespace, type Node } from '@keelson/api';
import { toTable } from './table';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

/** The row as kubectl would label it: upper-cased column name → cell. */
function show<T extends { kind?: string }>(apiVersion: string, obj: T): Record<string, unknown> {
  const t = toTable(lookupKind(apiVersion, obj.kind ?? '')!, [obj], { now, includeObject: 'None' });
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0]!.cells[i]]));
}

describe('Node', () => {
  const node = (labels: Record<string, string>, ready: 'True' | 'False' | undefined, unschedulable?: boolean): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels, creationTimestamp: ago(86400 * 10) },
    spec: unschedulable === undefined ? {} : { unschedulable },
    status: {
      conditions: ready === undefined ? [] : [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }],
      addresses: [{ type: 'Hostname', address: 'node-a' }, { type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: {
        kubeletVersion: 'v1.30.0-keelson',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'keelson://0.1.0',
        architecture: 'amd64',
        operatingSystem: 'linux',
        bootID: '',
        machineID: '',
        systemUUID: '',
        kubeProxyVersion: '',
      },
    },
  });

  it('has kubectl’s columns and prints a ready control-plane node', () => {
    const row = show('v1', node({ 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-a' }, 'True'));
    expect(Object.keys(row)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(row).toEqual({
      NAME: 'node-a',
      STATUS: 'Ready',
      ROLES: 'control-plane',
      AGE: '10d',
      VERSION: 'v1.30.0-keelson',
      'INTERNAL-IP': '172.18.0.2',
      'EXTERNAL-IP': '<none>',
      'OS-IMAGE': 'Debian GNU/Linux 12 (bookworm)',
      'KERNEL-VERSION': '6.1.0-18-amd64',
      'CONTAINER-RUNTIME': 'keelson://0.1.0',
    });
  });

  it('prints Ready,SchedulingDisabled for a cordoned node, NotReady and Unknown', () => {
    expect(show('v1', node({}, 'True', true)).STATUS).toBe('Ready,SchedulingDisabled');
    expect(show('v1', node({}, 'False')).STATUS).toBe('NotReady');
    expect(show('v1', node({}, undefined, true)).STATUS).toBe('Unknown,SchedulingDisabled');
  });

  it('collects roles from role labels, sorted, and <none> without', () => {
    const labels = { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/ingress': 'true', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' };
    expect(show('v1', node(labels, 'True')).ROLES).toBe('edge,ingress,worker');
    expect(show('v1', node({}, 'True')).ROLES).toBe('<none>');
  });

  it('prints <unknown> for missing node info', () => {
    const n = node({}, 'True');
    expect(show('v1', { ...n, status: { conditions: n.status?.conditions ?? [] } })).toMatchObject({ VERSION: '', 'INTERNAL-IP': '<none>', 'OS-IMAGE': '<unknown>', 'KERNEL-VERSION': '<unknown>', 'CONTAINER-RUNTIME': '<unknown>' });
  });
});

describe('Namespace and Lease', () => {
  it('prints the namespace phase', () => {
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', creationTimestamp: ago(86400 * 400) }, status: { phase: 'Active' } };
    expect(show('v1', ns)).toEqual({ NAME: 'kube-system', STATUS: 'Active', AGE: '400d' });
    expect(show('v1', { ...ns, status: { phase: 'Terminating' } }).STATUS).toBe('Terminating');
  });

  it('prints the lease holder, or nothing without one', () => {
    const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-scheduler', creationTimestamp: ago(3 * 365 * 86400 + 120 * 86400) }, spec: { holderIdentity: 'cp-1_6f1d' } };
    expect(show('coordination.k8s.io/v1', lease)).toEqual({ NAME: 'kube-scheduler', HOLDER: 'cp-1_6f1d', AGE: '3y120d' });
    expect(show('coordination.k8s.io/v1', { ...lease, spec: {} }).HOLDER).toBe('');
  });
});

describe('Event', () => {
  const event = (e: Partial<Event>): Event => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.17d8a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
    ...e,
  });

  it('has kubectl’s columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, the rest wide', () => {
    const t = toTable(lookupKind('v1', 'Event')!, [], { now, includeObject: 'None' });
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['Subobject', 'Source', 'First Seen', 'Count', 'Name']);
  });

  it('prints a core event', () => {
    const e = event({
      type: 'Warning',
      reason: 'BackOff',
      message: '  Back-off restarting failed container app in pod web-1\n',
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 12,
      source: { component: 'kubelet', host: 'node-a' },
    });
    expect(show('v1', e)).toEqual({
      'LAST SEEN': '30s',
      TYPE: 'Warning',
      REASON: 'BackOff',
      OBJECT: 'pod/web-1',
      SUBOBJECT: 'spec.containers{app}',
      SOURCE: 'kubelet, node-a',
      MESSAGE: 'Back-off restarting failed container app in pod web-1',
      'FIRST SEEN': '10m',
      COUNT: 12,
      NAME: 'web-1.17d8a',
    });
  });

  it('prints events.k8s.io-style events: eventTime, series, reporting controller, count 1', () => {
    const single = event({ type: 'Normal', reason: 'Scheduled', eventTime: ago(5), reportingComponent: 'default-scheduler', reportingInstance: 'sched-1' });
    expect(show('v1', single)).toMatchObject({ 'LAST SEEN': '5s', 'FIRST SEEN': '5s', COUNT: 1, SOURCE: 'default-scheduler, sched-1' });
    const series = event({ eventTime: ago(900), series: { count: 7, lastObservedTime: ago(61) }, reportingComponent: 'kubelet' });
    expect(show('v1', series)).toMatchObject({ 'LAST SEEN': '61s', 'FIRST SEEN': '15m', COUNT: 7, SOURCE: 'kubelet' });
  });

  it('prints the kind alone for an event about an unnamed object, and <unknown> times when none is set', () => {
    const e = event({ involvedObject: { kind: 'Node' } });
    expect(show('v1', e)).toMatchObject({ OBJECT: 'node', 'LAST SEEN': '<unknown>', 'FIRST SEEN': '<unknown>' });
  });
});
