// Node, Namespace, Event and Lease rows: STATUS "Ready,SchedulingDisabled", ROLES, VERSION; LAST SEEN/TYPE/REASON/OBJECT/MESSAGE; HOLDER.
import type { Event, Lease, Namespace, Node } from '@keelson/api';
import { since } from './duration';
import { ageColumn, column, definePrinter, nameColumn, NAME_DESCRIPTION, wide } from './printer';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** STATUS: `Ready` / `NotReady` / `Unknown` from the Ready condition, plus `SchedulingDisabled` when cordoned. */
export function nodeStatus(node: Node): string {
  const parts: string[] = [];
  // The last condition of a type wins, as upstream builds a map from the list.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  if (ready !== undefined) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** ROLES: from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value, sorted; `<none>`. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter = definePrinter<Node>(
  [
    nameColumn,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
    wide('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
    wide('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    wide('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  (node, { now }) => {
    const info = node.status?.nodeInfo;
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      since(node.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
);

export const namespacePrinter = definePrinter<Namespace>(
  [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
  (ns, { now }) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)],
);

export const leasePrinter = definePrinter<Lease>(
  [nameColumn, column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  (lease, { now }) => [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', since(lease.metadata?.creationTimestamp, now)],
);

/** SOURCE: `component, host`, falling back to the reporting controller and instance of events.k8s.io-style events. */
function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventPrinter = definePrinter<Event>(
  [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'The object that this event is about.'),
    wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
    wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
    column('Message', 'A human-readable description of the status of this operation.'),
    wide('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    wide('Count', 'The number of times this event has occurred.'),
    column('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
  ],
  (e, { now }) => {
    const firstSeen = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let lastSeen = e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen;
    let count = e.count ?? 0;
    if (e.series !== undefined) {
      lastSeen = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      // Events from the events.k8s.io API are singletons without a count.
      count = 1;
    }
    const involved = e.involvedObject ?? {};
    const kind = (involved.kind ?? '').toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return [
      lastSeen,
      e.type ?? '',
      e.reason ?? '',
      target,
      involved.fieldPath ?? '',
      eventSource(e),
      (e.message ?? '').trim(),
      firstSeen,
      count,
      e.metadata?.name ?? '',
    ];
  },
);
