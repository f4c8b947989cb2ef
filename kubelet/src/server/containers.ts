// Which runtime container a logs/exec/attach request means, with the kubelet's error messages when there is none.
import type { ContainerStatus as K8sContainerStatus, Pod } from '@keelson/api';

/** A request the kubelet's API refuses: written as `code` with the message as plain text, as the kubelet does. */
export class KubeletHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletHttpError';
  }
}

/** The pods bound to this node, as the kubelet's informer sees them. */
export interface PodSource {
  get(namespace: string, name: string): Pod | undefined;
  list(): Pod[];
}

const prefix = 'keelson://';

export function runtimeId(containerID: string | undefined): string {
  return containerID !== undefined && containerID.startsWith(prefix) ? containerID.slice(prefix.length) : (containerID ?? '');
}

export function podOrThrow(pods: PodSource, namespace: string, name: string): Pod {
  const pod = pods.get(namespace, name);
  if (pod === undefined) throw new KubeletHttpError(404, `pod "${name}" in namespace "${namespace}" not found on this node`);
  return pod;
}

function statusOf(pod: Pod, container: string): K8sContainerStatus | undefined {
  const s = pod.status;
  return s?.containerStatuses?.find((c) => c.name === container) ?? s?.initContainerStatuses?.find((c) => c.name === container);
}

/**
 * The runtime id of the container whose log `kubectl logs [--previous]` means, following the kubelet's
 * validateContainerLogStatus: the running one, else the last terminated one; the previous run with `previous`.
 */
export function logContainerId(pod: Pod, container: string, previous: boolean): string {
  const podName = pod.metadata?.name ?? '';
  const s = statusOf(pod, container);
  if (s === undefined) throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is not available`);
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  if (previous) {
    if (last === undefined || (last.containerID ?? '') === '') throw new KubeletHttpError(400, `previous terminated container "${container}" in pod "${podName}" not found`);
    return runtimeId(last.containerID);
  }
  if (running !== undefined) return runtimeId(s.containerID);
  if (terminated !== undefined) {
    if ((terminated.containerID ?? '') === '') throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is terminated`);
    return runtimeId(terminated.containerID);
  }
  if (last !== undefined) {
    if ((last.containerID ?? '') === '') throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is terminated`);
    return runtimeId(last.containerID);
  }
  if (waiting !== undefined) {
    if (waiting.reason === 'ErrImagePull') throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is waiting to start: ${waiting.reason ?? ''}`);
  }
  throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** The running container exec and attach go to; the kubelet's `container not found ("x")` when there is none. */
export function runningContainerId(pod: Pod, container: string): string {
  const s = statusOf(pod, container);
  if (s?.state?.running === undefined || (s.containerID ?? '') === '') throw new KubeletHttpError(400, `container not found ("${container}")`);
  return runtimeId(s.containerID);
}
