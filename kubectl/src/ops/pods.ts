// Finding the pod and container `logs` and `exec` talk to, with kubectl's defaulting and messages.
import type { Pod } from '@keelson/api';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { resolveType } from './targets';

/** The annotation naming the container `logs`/`exec` use when none is given. */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

/** `POD`, `pod/POD` or `pods/POD` → the pod (only pods are supported for now). */
export async function getPod(c: CommandContext, arg: string): Promise<Pod> {
  let name = arg;
  const slash = arg.indexOf('/');
  if (slash >= 0) {
    const info = resolveType(arg.slice(0, slash));
    if (info.kind !== 'Pod' || info.group !== '') throw new CliError(`cannot attach to ${info.kind.toLowerCase()}/${arg.slice(slash + 1)}: keelctl selects a pod by name only for now (use a pod name)`);
    name = arg.slice(slash + 1);
  }
  return c.client().resource('v1', 'Pod').namespace(c.namespace()).get(name);
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
