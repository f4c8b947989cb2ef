// `keelctl why POD | TYPE/NAME`: one screen explaining why a pod (or a workload's pods) is Pending, crashing or not Ready.
import type { Command } from 'commander';
import { selectorFromLabelSelector, type DaemonSet, type Deployment, type Event, type LabelSelector, type ObjectMeta, type Pod, type ReplicaSet, type StatefulSet } from '@keelson/api';
import type { RestClient } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { ownedReplicaSets } from '../ops/history';
import { progressDeadlineExceeded } from '../ops/rolloutstatus';
import { objectName, resolveType } from '../ops/targets';
import { diagnosePod, type Health, type OwnerLink, type PodDiagnosis, type PodFacts } from '../why/diagnose';
import { gatherPod, listNodes, ownerChain } from '../why/gather';
import { bullets, conditionsSection, eventsSection, renderPod, renderPodBody, section } from '../why/render';

type Workload = Deployment | ReplicaSet | StatefulSet | DaemonSet;
type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet';

/** Worst first: the pod a workload's answer explains in full. */
const healthRank: Readonly<Record<Health, number>> = { Unhealthy: 0, Terminating: 1, Progressing: 2, Completed: 3, Healthy: 4 };

export function registerWhy(program: Command, ctx: () => CommandContext): void {
  program
    .command('why')
    .description('Explain why a pod (or the pods of a deployment, replica set, stateful set or daemon set) is not healthy')
    .argument('<resource>', 'POD, pod/NAME, deployment/NAME, replicaset/NAME, statefulset/NAME or daemonset/NAME')
    .action(async (arg: string) => {
      const c = ctx();
      const slash = arg.indexOf('/');
      const info = slash < 0 ? resolveType('pod') : resolveType(arg.slice(0, slash));
      const name = slash < 0 ? arg : arg.slice(slash + 1);
      const client = c.client();
      const ns = c.namespace();
      const now = c.clock.now();
      if (info.group === '' && info.kind === 'Pod') {
        const pod = await client.resource('v1', 'Pod').namespace(ns).get(name);
        const facts = await gatherPod(client, pod, now);
        c.out.write(renderPod(facts, diagnosePod(facts)));
        return;
      }
      if (info.group === 'apps' && ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(info.kind)) {
        const obj = (await client.resource(info).namespace(ns).get(name)) as Workload;
        c.out.write(await explainWorkload(client, info.kind as WorkloadKind, objectName(info, name), obj, now));
        return;
      }
      throw new CliError(`keelctl why explains pods and the workloads that run them (deployments, replicasets, statefulsets, daemonsets), not ${info.resource}`);
    });
}

function uidOf(meta: ObjectMeta | undefined): string | undefined {
  return meta?.uid;
}

function controllerUid(pod: Pod): string | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true)?.uid;
}

/** The workload's pods: those its controllers own; else (before adoption) those its selector matches. */
async function podsOf(client: RestClient, kind: WorkloadKind, obj: Workload, ns: string): Promise<{ pods: Pod[]; replicaSets: ReplicaSet[] }> {
  const selector = (obj.spec as { selector?: LabelSelector } | undefined)?.selector;
  const matching = (await client.resource('v1', 'Pod').namespace(ns).listAll({ labelSelector: selectorFromLabelSelector(selector).toString() })).items;
  const replicaSets = kind === 'Deployment' ? await ownedReplicaSets(client, obj as Deployment) : [];
  const owners = new Set([uidOf(obj.metadata), ...replicaSets.map((rs) => uidOf(rs.metadata))].filter((u): u is string => u !== undefined));
  const owned = matching.filter((p) => owners.has(controllerUid(p) ?? ''));
  const pods = owned.length > 0 ? owned : matching;
  return { pods: pods.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1)), replicaSets };
}

function replicasLine(kind: WorkloadKind, obj: Workload): string {
  if (kind === 'DaemonSet') {
    const s = (obj as DaemonSet).status;
    return `Pods: ${s?.desiredNumberScheduled ?? 0} desired, ${s?.updatedNumberScheduled ?? 0} updated, ${s?.numberReady ?? 0} ready, ${s?.numberAvailable ?? 0} available\n`;
  }
  const spec = obj.spec as { replicas?: number } | undefined;
  const s = obj.status as { replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number } | undefined;
  const updated = kind === 'ReplicaSet' ? '' : `${s?.updatedReplicas ?? 0} updated, `;
  return `Replicas: ${spec?.replicas ?? 1} desired, ${s?.replicas ?? 0} current, ${updated}${s?.readyReplicas ?? 0} ready, ${s?.availableReplicas ?? 0} available\n`;
}

function desiredOf(kind: WorkloadKind, obj: Workload): number {
  if (kind === 'DaemonSet') return (obj as DaemonSet).status?.desiredNumberScheduled ?? 0;
  return (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}

interface Explained {
  pod: Pod;
  facts: PodFacts;
  d: PodDiagnosis;
}

function workloadVerdict(kind: WorkloadKind, label: string, obj: Workload, pods: readonly Explained[], findings: string[], hints: string[]): string {
  const conditions = obj.status?.conditions ?? [];
  const desired = desiredOf(kind, obj);
  if (kind === 'Deployment' && (obj as Deployment).spec?.paused === true) {
    hints.push(`keelctl rollout resume ${label}`);
    return 'Paused: the rollout is paused; template changes are not rolled out';
  }
  const stuck = conditions.find((x) => x.type === 'Progressing' && x.reason === progressDeadlineExceeded);
  if (stuck?.message) findings.push(`${stuck.reason ?? ''}: ${stuck.message}`);
  const failure = conditions.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
  if (failure !== undefined) findings.push(`ReplicaFailure (${failure.reason ?? ''}): ${failure.message ?? ''}`);
  if (pods.length === 0) {
    if (desired === 0) return 'Scaled to zero: no pods are wanted';
    if (failure === undefined) hints.push('no pod has been created: is the controller-manager running? Its events on the workload say why it could not create pods');
    return `No pods: ${desired} wanted, none exist${failure !== undefined ? ` (${failure.reason ?? 'ReplicaFailure'})` : ''}`;
  }
  const unhealthy = pods.filter((p) => p.d.health !== 'Healthy' && p.d.health !== 'Completed');
  const prefix = stuck !== undefined ? 'Rollout stuck (progress deadline exceeded)' : 'Unhealthy';
  if (unhealthy.length === 0) {
    if (stuck !== undefined) return `${prefix}: all ${pods.length} pods are healthy, but the rollout did not finish in time`;
    if (pods.length < desired) return `Progressing: ${pods.length} of ${desired} pods exist, all healthy`;
    return `Healthy: ${pods.length - unhealthy.length}/${desired} pods ready`;
  }
  const groups = new Map<string, number>();
  for (const p of unhealthy) groups.set(p.d.category, (groups.get(p.d.category) ?? 0) + 1);
  const summary = [...groups].map(([cat, n]) => `${n} ${cat}`).join(', ');
  const onlyProgressing = unhealthy.every((p) => p.d.health === 'Progressing') && stuck === undefined;
  return `${onlyProgressing ? 'Progressing' : prefix}: ${unhealthy.length} of ${pods.length} pods not ready (${summary})`;
}

async function explainWorkload(client: RestClient, kind: WorkloadKind, label: string, obj: Workload, now: number): Promise<string> {
  const ns = obj.metadata?.namespace ?? '';
  const { pods, replicaSets } = await podsOf(client, kind, obj, ns);
  const events = (await client.resource('v1', 'Event').namespace(ns).listAll()).items;
  const nodes = await listNodes(client);
  const explained: Explained[] = [];
  for (const pod of pods) {
    const owners: OwnerLink[] = await ownerChain(client, pod.metadata, ns);
    const facts = await gatherPod(client, pod, now, { events, nodes }, owners);
    explained.push({ pod, facts, d: diagnosePod(facts) });
  }
  const findings: string[] = [];
  const hints: string[] = [];
  const verdict = workloadVerdict(kind, label, obj, explained, findings, hints);
  const own = new Set([obj.metadata?.name ?? '', ...replicaSets.map((rs) => rs.metadata?.name ?? '')]);
  const ownEvents: Event[] = events.filter((e) => (e.involvedObject.kind === kind && e.involvedObject.name === obj.metadata?.name) || (e.involvedObject.kind === 'ReplicaSet' && own.has(e.involvedObject.name ?? '')));
  const conditions = obj.status?.conditions ?? [];
  let out = `${label} in namespace ${ns}\nVerdict: ${verdict}\n\n`;
  out += bullets('Why:', findings);
  out += bullets('Try:', hints);
  out += replicasLine(kind, obj);
  out += conditionsSection(conditions);
  out += section(`Pods (${explained.length}):`, [['NAME', 'NODE', 'VERDICT'], ...explained.map((p) => [p.pod.metadata?.name ?? '', p.pod.spec?.nodeName ?? '<none>', p.d.verdict])]);
  out += eventsSection(ownEvents, now, kind === 'Deployment' ? 'deployment or its replica sets' : kind.toLowerCase());
  const worst = [...explained].sort((a, b) => healthRank[a.d.health] - healthRank[b.d.health])[0];
  if (worst !== undefined && worst.d.health !== 'Healthy' && worst.d.health !== 'Completed') {
    out += `\nThe first pod not ready, pod/${worst.pod.metadata?.name ?? ''}:\nVerdict: ${worst.d.verdict}\n\n${renderPodBody(worst.facts, worst.d)}`;
  }
  return out;
}
