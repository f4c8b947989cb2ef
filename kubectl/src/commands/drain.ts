// `keelctl drain NODE`: cordon the node, then evict (or, where eviction is not served, delete) its pods by kubectl's rules.
import type { Command } from 'commander';
import { MethodNotAllowedError, NotFoundError, StatusError, type APIResourceList, type Pod } from '@keelson/api';
import { sleep, type RestClient } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { durationFlag, intFlag } from '../ops/flags';
import { aggregate, goDuration } from '../ops/format';
import { untilWithSync } from '../ops/watch';
import { getNodes, setSchedulable } from './cordon';

interface DrainFlags {
  force?: boolean;
  ignoreDaemonsets?: boolean;
  deleteEmptydirData?: boolean;
  gracePeriod: string;
  timeout: string;
  podSelector?: string;
  disableEviction?: boolean;
}

interface DrainOptions {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
  /** Negative: each pod's own terminationGracePeriodSeconds. */
  gracePeriodSeconds: number;
  /** 0: no limit. */
  timeoutMs: number;
  podSelector: string | undefined;
  disableEviction: boolean;
}

/** What the filters decided for one pod (kubectl's PodDeleteStatus). */
interface PodDelete {
  pod: Pod;
  delete: boolean;
  reason: 'Okay' | 'Skip' | 'Warning' | 'Error';
  message: string;
}

const daemonSetFatal = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const daemonSetWarning = 'ignoring DaemonSet-managed Pods';
const localStorageFatal = 'Pods with local storage (use --delete-emptydir-data to override)';
const localStorageWarning = 'deleting Pods with local storage';
const unmanagedFatal = 'Pods that declare no controller (use --force to override)';
const unmanagedWarning = 'deleting Pods that declare no controller';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
/** How long to wait before evicting again when a disruption budget refuses (429). */
const evictRetryMs = 5_000;

const okay = (pod: Pod): PodDelete => ({ pod, delete: true, reason: 'Okay', message: '' });
const finished = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function registerDrain(program: Command, ctx: () => CommandContext): void {
  program
    .command('drain')
    .description('Drain node in preparation for maintenance')
    .argument('[node...]', 'node names')
    .option('--force', 'continue even if there are pods that do not declare a controller')
    .option('--ignore-daemonsets', 'ignore DaemonSet-managed pods')
    .option('--delete-emptydir-data', 'continue even if there are pods using emptyDir (local data that will be deleted when the node is drained)')
    .option('--grace-period <seconds>', "seconds given to each pod to terminate gracefully; negative uses the pod's own", '-1')
    .option('--timeout <duration>', 'how long to wait before giving up; 0 means no limit', '0s')
    .option('--pod-selector <selector>', 'label selector to filter pods on the node')
    .option('--disable-eviction', 'delete pods instead of evicting them, even where eviction is served')
    .action(async (names: string[], flags: DrainFlags) => {
      const c = ctx();
      const o: DrainOptions = {
        force: flags.force === true,
        ignoreDaemonSets: flags.ignoreDaemonsets === true,
        deleteEmptyDirData: flags.deleteEmptydirData === true,
        gracePeriodSeconds: intFlag(flags.gracePeriod, 'grace-period') ?? -1,
        timeoutMs: durationFlag(flags.timeout, 'timeout') ?? 0,
        podSelector: flags.podSelector,
        disableEviction: flags.disableEviction === true,
      };
      const nodes = await getNodes(c, names, 'drain NODE');
      await setSchedulable(c, nodes, true);
      const fatal: string[] = [];
      const remaining: string[] = [];
      for (const node of nodes) {
        const name = node.metadata?.name ?? '';
        try {
          await drainNode(c, name, o);
          c.out.write(`node/${name} drained\n`);
        } catch (e: unknown) {
          c.err.write(`error: unable to drain node "${name}" due to error: ${message(e)}, continuing command...\n`);
          fatal.push(message(e));
          remaining.push(name);
        }
      }
      if (remaining.length > 0) {
        c.err.write(`There are pending nodes to be drained:\n${remaining.map((n) => ` ${n}\n`).join('')}`);
        throw new CliError(aggregate(fatal));
      }
    });
}

/** kubectl's deleteOrEvictPodsSimple: filter, warn, evict or delete, and report what is left on failure. */
async function drainNode(c: CommandContext, node: string, o: DrainOptions): Promise<void> {
  const list = await podsForDeletion(c.client(), node, o);
  const errors = problems(list, 'Error').map(([msg, pods]) => `cannot delete ${msg}: ${pods.join(', ')}`);
  if (errors.length > 0) throw new CliError(aggregate(errors));
  const warnings = problems(list, 'Warning').map(([msg, pods]) => `${msg}: ${pods.join(', ')}`);
  if (warnings.length > 0) c.err.write(`Warning: ${warnings.join('; ')}\n`);
  const pods = list.filter((p) => p.delete).map((p) => p.pod);
  try {
    await deleteOrEvict(c, pods, o);
  } catch (e: unknown) {
    let pending: PodDelete[] = [];
    try {
      pending = (await podsForDeletion(c.client(), node, o)).filter((p) => p.delete);
    } catch (listError: unknown) {
      c.err.write(`Following errors occurred while getting the list of pods to delete:\n${message(listError)}\n`);
    }
    if (pending.length > 0) {
      c.err.write(`There are pending pods in node "${node}" when an error occurred: ${message(e)}\n${pending.map((p) => `pod/${p.pod.metadata?.name ?? ''}\n`).join('')}`);
    }
    throw e;
  }
}

/** Messages of one kind, with the pods they apply to, in the order first seen. */
function problems(list: readonly PodDelete[], reason: 'Error' | 'Warning'): [string, string[]][] {
  const byMessage = new Map<string, string[]>();
  for (const p of list) {
    if (p.reason !== reason) continue;
    const msg = p.message === '' ? 'unexpected error' : p.message;
    byMessage.set(msg, [...(byMessage.get(msg) ?? []), podKey(p.pod)]);
  }
  return [...byMessage];
}

/** The pods on the node and, for each, what kubectl's filters (in their order) decide. */
async function podsForDeletion(client: RestClient, node: string, o: DrainOptions): Promise<PodDelete[]> {
  const pods = await client.resource('v1', 'Pod').listAll({ fieldSelector: { 'spec.nodeName': node }, ...(o.podSelector !== undefined ? { labelSelector: o.podSelector } : {}) });
  const filters: ((pod: Pod) => Promise<PodDelete> | PodDelete)[] = [
    (pod) => daemonSetFilter(client, pod, o),
    (pod) => (pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined ? { pod, delete: false, reason: 'Skip', message: '' } : okay(pod)),
    (pod) => localStorageFilter(pod, o),
    (pod) => unreplicatedFilter(pod, o),
  ];
  const out: PodDelete[] = [];
  for (const pod of pods.items) {
    let status = okay(pod);
    for (const f of filters) {
      status = await f(pod);
      if (!status.delete) break;
    }
    out.push(status);
  }
  return out;
}

function controllerOf(pod: Pod): { kind: string; apiVersion: string; name: string } | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

async function daemonSetFilter(client: RestClient, pod: Pod, o: DrainOptions): Promise<PodDelete> {
  const ref = controllerOf(pod);
  if (ref === undefined || ref.kind !== 'DaemonSet' || ref.apiVersion !== 'apps/v1') return okay(pod);
  if (finished(pod)) return okay(pod);
  try {
    await client.resource('apps/v1', 'DaemonSet').namespace(pod.metadata?.namespace ?? '').get(ref.name);
  } catch (e: unknown) {
    // An orphan of a deleted DaemonSet goes with --force, with a warning.
    if (e instanceof NotFoundError && o.force) return { pod, delete: true, reason: 'Warning', message: e.message };
    return { pod, delete: false, reason: 'Error', message: message(e) };
  }
  if (!o.ignoreDaemonSets) return { pod, delete: false, reason: 'Error', message: daemonSetFatal };
  return { pod, delete: false, reason: 'Warning', message: daemonSetWarning };
}

function localStorageFilter(pod: Pod, o: DrainOptions): PodDelete {
  if (!(pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined)) return okay(pod);
  if (finished(pod)) return okay(pod);
  if (!o.deleteEmptyDirData) return { pod, delete: false, reason: 'Error', message: localStorageFatal };
  return { pod, delete: true, reason: 'Warning', message: localStorageWarning };
}

function unreplicatedFilter(pod: Pod, o: DrainOptions): PodDelete {
  if (finished(pod)) return okay(pod);
  if (controllerOf(pod) !== undefined) return okay(pod);
  if (o.force) return { pod, delete: true, reason: 'Warning', message: unmanagedWarning };
  return { pod, delete: false, reason: 'Error', message: unmanagedFatal };
}

/** Whether discovery lists pods/eviction (kubectl's CheckEvictionSupport). */
async function evictionListed(client: RestClient): Promise<boolean> {
  const list = await client.request<APIResourceList>({ method: 'GET', path: '/api/v1' });
  return list.resources.some((r) => r.name === 'pods/eviction' && r.kind === 'Eviction' && (r.group ?? '') !== '' && (r.version ?? '') !== '');
}

function deleteOptions(o: DrainOptions): { gracePeriodSeconds?: number } {
  return o.gracePeriodSeconds >= 0 ? { gracePeriodSeconds: o.gracePeriodSeconds } : {};
}

async function evict(client: RestClient, pod: Pod, o: DrainOptions): Promise<void> {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, deleteOptions: { apiVersion: 'v1', kind: 'DeleteOptions', ...deleteOptions(o) } };
  await client.resource('v1', 'Pod').namespace(ns).createSubresource(name, 'eviction', body);
}

/**
 * Evicts the pods where the server serves eviction, else deletes them (kubectl decides from
 * discovery; a server that lists pods/eviction but answers 405, as Keelson's does until the
 * kubelet runs pods, is treated as not serving it), then waits for each to be gone.
 */
async function deleteOrEvict(c: CommandContext, pods: readonly Pod[], o: DrainOptions): Promise<void> {
  if (pods.length === 0) return;
  const client = c.client();
  const deadline = o.timeoutMs > 0 ? c.clock.now() + o.timeoutMs : undefined;
  let first: Pod | undefined = pods[0];
  if (!o.disableEviction && first !== undefined && (await evictionListed(client))) {
    try {
      await evict(client, first, o);
    } catch (e: unknown) {
      if (e instanceof MethodNotAllowedError) first = undefined;
      else if (!(e instanceof NotFoundError)) throw new CliError(`error when evicting pods/"${first.metadata?.name ?? ''}" -n "${first.metadata?.namespace ?? ''}": ${message(e)}`);
    }
    if (first !== undefined) {
      const started = first;
      await evictPods(c, pods, o, deadline, started);
      return;
    }
  }
  await deletePods(c, pods, o, deadline);
}

async function evictPods(c: CommandContext, pods: readonly Pod[], o: DrainOptions, deadline: number | undefined, alreadyEvicted: Pod): Promise<void> {
  const client = c.client();
  const globalTimeout = o.timeoutMs > 0 ? goDuration(o.timeoutMs) : 'none';
  const one = async (pod: Pod): Promise<void> => {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    for (;;) {
      c.out.write(`evicting pod ${ns}/${name}\n`);
      if (pod === alreadyEvicted) break;
      if (deadline !== undefined && c.clock.now() >= deadline) throw new CliError(`error when evicting pods/"${name}" -n "${ns}": global timeout reached: ${globalTimeout}`);
      try {
        await evict(client, pod, o);
        break;
      } catch (e: unknown) {
        if (e instanceof NotFoundError) return;
        if (e instanceof StatusError && e.code === 429) {
          c.err.write(`error when evicting pods/"${name}" -n "${ns}" (will retry after ${goDuration(evictRetryMs)}): ${e.message}\n`);
          await sleep(c.clock, evictRetryMs);
          continue;
        }
        throw new CliError(`error when evicting pods/"${name}" -n "${ns}": ${message(e)}`);
      }
    }
    const gone = await waitGone(c, pod, deadline);
    if (!gone) throw new CliError(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: global timeout reached: ${globalTimeout}`);
    c.out.write(`pod/${name} evicted\n`);
  };
  const results = await Promise.allSettled(pods.map(one));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : []));
  if (failures.length > 0) throw new CliError(aggregate(failures));
}

async function deletePods(c: CommandContext, pods: readonly Pod[], o: DrainOptions, deadline: number | undefined): Promise<void> {
  const res = c.client().resource('v1', 'Pod');
  for (const pod of pods) {
    try {
      await res.namespace(pod.metadata?.namespace ?? '').delete(pod.metadata?.name ?? '', deleteOptions(o));
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  for (const pod of pods) {
    if (!(await waitGone(c, pod, deadline))) throw new CliError('timed out waiting for the condition');
    c.out.write(`pod/${pod.metadata?.name ?? ''} deleted\n`);
  }
}

/** Waits until the pod is gone, or replaced by another of the same name (a new uid). False on timeout. */
async function waitGone(c: CommandContext, pod: Pod, deadline: number | undefined): Promise<boolean> {
  const uid = pod.metadata?.uid;
  const res = c.client().resource('v1', 'Pod').namespace(pod.metadata?.namespace ?? '');
  const timeoutMs = deadline === undefined ? undefined : Math.max(1, deadline - c.clock.now());
  const outcome = await untilWithSync(
    res,
    pod.metadata?.name ?? '',
    {
      synced: (p) => p === undefined || p.metadata?.uid !== uid,
      changed: (type, p) => type === 'DELETED' || p.metadata?.uid !== uid,
    },
    { clock: c.clock, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
  );
  return outcome === 'done';
}
