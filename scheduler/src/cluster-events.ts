// Cluster events that may make unschedulable pods schedulable, each naming the plugins whose decision it can change.
import type { Node, Pod } from '@keelson/api';
import { interPodAffinityName } from './plugins/inter-pod-affinity';
import { nodeAffinityName } from './plugins/node-affinity';
import { nodePortsName } from './plugins/node-ports';
import { nodeReadyName } from './plugins/node-ready';
import { nodeResourcesFitName } from './plugins/node-resources-fit';
import { nodeUnschedulableName } from './plugins/node-unschedulable';
import { podTopologySpreadName } from './plugins/pod-topology-spread';
import { taintTolerationName } from './plugins/taint-toleration';
import type { ClusterEvent, QueuedPodInfo } from './queue/scheduling-queue';

export const nodeAdded: ClusterEvent = { label: 'NodeAdd', plugins: 'all' };

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function readyOf(n: Node): string | undefined {
  return (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status;
}

/** The event for a node change, or undefined when nothing a filter looks at changed (heartbeats). */
export function nodeUpdated(oldNode: Node, newNode: Node): ClusterEvent | undefined {
  const plugins = new Set<string>();
  if (!sameJson(oldNode.status?.allocatable, newNode.status?.allocatable)) plugins.add(nodeResourcesFitName);
  if (!sameJson(oldNode.metadata?.labels, newNode.metadata?.labels)) {
    plugins.add(nodeAffinityName).add(podTopologySpreadName).add(interPodAffinityName);
  }
  if (!sameJson(oldNode.spec?.taints, newNode.spec?.taints)) plugins.add(taintTolerationName).add(podTopologySpreadName);
  if ((oldNode.spec?.unschedulable === true) !== (newNode.spec?.unschedulable === true)) plugins.add(nodeUnschedulableName);
  if (readyOf(oldNode) !== readyOf(newNode)) plugins.add(nodeReadyName);
  return plugins.size === 0 ? undefined : { label: 'NodeUpdate', plugins };
}

const freedBy = new Set([nodeResourcesFitName, nodePortsName, interPodAffinityName, podTopologySpreadName]);

/** A bound pod went away (or an assumed one was forgotten): its resources, ports and anti-affinity are free. */
export const assignedPodDeleted: ClusterEvent = { label: 'AssignedPodDelete', plugins: freedBy };
export const assumedPodForgotten: ClusterEvent = { label: 'AssumedPodForgotten', plugins: freedBy };

/** Only pods with required pod affinity or topology spread constraints can be helped by a new pod. */
function waitsOnOtherPods(q: QueuedPodInfo): boolean {
  const spec = q.pod.spec;
  return (spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 || (spec?.topologySpreadConstraints?.length ?? 0) > 0;
}

/** A pod was bound (or its labels changed): pod affinity and topology spread may now be satisfied. */
export function assignedPodAdded(_pod: Pod): ClusterEvent {
  return { label: 'AssignedPodAdd', plugins: new Set([interPodAffinityName, podTopologySpreadName]), concerns: waitsOnOtherPods };
}
