// Finding the pod and container `logs` and `exec` talk to, with kubectl's defaulting and messages.
import type { LabelSelector, Pod } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { resolveType } from './targets';

/** The annotation naming the container `logs`/`exec` use when none is given. */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

/** Kinds whose pods `logs`/`exec`/`attach`/`port-forward` pick from by the object's selector, as kubectl's AttachablePodForObject. */
const podOwners = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController', 'Service']);

/** kubectl's ByLogging order: running before pending, ready before not, then fewer restarts, then the older pod. */
function loggingRank(a: Pod, b: Pod): number {
  const running = (p: Pod): number => (p.status?.phase === 'Running' ? 0 : p.status?.phase === 'Pending' ? 1 : 2);
  const ready = (p: Pod): number => (p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true ? 0 : 1);
  const restarts = (p: Pod): number => (p.status?.containerStatuses ?? []).reduce((n, x) => n + (x.restartCount ?? 0), 0);
  return running(a) - running(b) || ready(a) - ready(b) || restarts(a) - restarts(b) || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '');
}

/** `POD`, `pod/POD`, or `TYPE/NAME` of a workload or Service: then the best of its pods (stderr says which when there are several). */
export async function getPod(c: CommandContext, arg: string): Promise<Pod> {
  let name = arg;
  const slash = arg.indexOf('/');
  if (slash >= 0) {
    const info = resolveType(arg.slice(0, slash));
    name = arg.slice(slash + 1);
    if (!(info.kind === 'Pod' && info.group === '')) {
      if (!podOwners.has(info.kind)) throw new CliError(`cannot attach to ${info.kind.toLowerCase()}/${name}: selecting a pod of a ${info.kind} is not supported`);
      const owner = (await c.client().resource(info.group === '' ? info.version : `${info.group}/${info.version}`, info.kind).namespace(c.namespace()).get(name)) as { spec?: { selector?: unknown } };
      const sel = owner.spec?.selector;
      const labelSelector =
        info.kind === 'Service' || info.kind === 'ReplicationController'
          ? Object.entries((sel ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',')
          : selectorString(sel as LabelSelector | undefined);
      if (labelSelector === '') throw new CliError(`cannot attach to ${info.kind.toLowerCase()}/${name}: it selects no pods`);
      const pods = (await c.client().resource('v1', 'Pod').namespace(c.namespace()).list({ labelSelector })).items;
      const sorted = [...pods].sort(loggingRank);
      const first = sorted[0];
      if (first === undefined) throw new CliError(`no pods found for ${info.kind.toLowerCase()}/${name}`);
      if (sorted.length > 1) c.err.write(`Found ${sorted.length} pods, using pod/${first.metadata?.name ?? ''}\n`);
      return first;
    }
  }
  return c.client().resource('v1', 'Pod').namespace(c.namespace()).get(name);
}

/** A metav1.LabelSelector as the query string form (`a=b,c in (d)`). */
function selectorString(sel: LabelSelector | undefined): string {
  if (sel === undefined) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/**
 * The container to use: the named one (which must exist), else the default-container
 * annotation's, else the first. With several to choose from, stderr says which, as kubectl does.
 */
export function pickContainer(c: CommandContext, pod: Pod, requested: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((x) => x.name);
  const all = [...names, ...(pod.spec?.initContainers ?? []).map((x) => x.name), ...(pod.spec?.ephemeralContainers ?? []).map((x) => x.name)];
  const podName = pod.metadata?.name ?? '';
  if (requested !== undefined) {
    if (!all.includes(requested)) throw new CliError(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const annotated = pod.metadata?.annotations?.[defaultContainerAnnotation];
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  const first = names[0];
  if (first === undefined) throw new CliError(`pod ${podName} does not have a container`);
  if (names.length > 1) c.err.write(`Defaulted container "${first}" out of: ${names.join(', ')}\n`);
  return first;
}
