// Why a pod is not healthy, worked out from what the API holds: a verdict, the evidence behind it, and what to try.
import { addQuantities, compareQuantities, formatQuantity, parseQuantity, type Container, type ContainerStatus, type Event, type Node, type Pod, type Quantity, type Taint, type Toleration } from '@keelson/api';
import { age, humanDuration } from '../ops/format';
import { describeProbe } from '../ops/podtemplate';

/** Everything `why` reads about one pod. */
export interface PodFacts {
  pod: Pod;
  /** Events whose involvedObject is this pod. */
  events: readonly Event[];
  /** The node the pod is bound to; `missing` when spec.nodeName names no node; undefined when unbound or unreadable. */
  node?: Node | 'missing';
  /** The controller chain, nearest first (`ReplicaSet web-5d4f`, then `Deployment web`). */
  owners: readonly OwnerLink[];
  /** All nodes, for scheduling hints; undefined when they could not be listed. */
  nodes?: readonly Node[];
  now: number;
}

export interface OwnerLink {
  kind: string;
  name: string;
  /** False when the owner named by the reference no longer exists. */
  found: boolean;
}

/** Where the pod stands, coarsely: what a workload summary groups pods by. */
export type Health = 'Healthy' | 'Progressing' | 'Unhealthy' | 'Terminating' | 'Completed';

export interface PodDiagnosis {
  /** One line: `CrashLoopBackOff: container "app" exits with code 1 (restarted 5 times)`. */
  verdict: string;
  /** The verdict's leading word(s) (`CrashLoopBackOff`, `Pending`, `Running but not Ready`), for grouping. */
  category: string;
  health: Health;
  /** The evidence, most telling first. */
  findings: string[];
  /** What to look at or do next. */
  hints: string[];
}

// ---------------------------------------------------------------------------------------
// The scheduler's message

/** One rejection reason of `0/3 nodes are available: 2 Insufficient cpu, …`. */
export interface SchedulingReason {
  count: number;
  /** As the scheduler wrote it: `node(s) had untolerated taint {node-role: control-plane}`. */
  text: string;
  /** As the verdict says it: `untolerated taint`. */
  short: string;
}

export interface SchedulingFailure {
  available?: number;
  total?: number;
  reasons: SchedulingReason[];
  /** The `preemption: …` part, when the scheduler tried to make room. */
  preemption?: string;
}

const shortReasons: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Insufficient (.+)$/, (m) => `Insufficient ${m[1] ?? ''}`],
  [/^node\(s\) had (untolerated )?taint/, () => 'untolerated taint'],
  [/didn't match Pod's node affinity\/selector/, () => 'node affinity/selector mismatch'],
  [/were unschedulable/, () => 'cordoned'],
  [/didn't have free ports/, () => 'host port conflict'],
  [/didn't match pod anti-affinity rules/, () => 'pod anti-affinity conflict'],
  [/didn't match pod affinity rules/, () => 'pod affinity mismatch'],
  [/volume node affinity conflict/, () => 'volume node affinity conflict'],
  [/didn't match pod topology spread constraints/, () => 'topology spread mismatch'],
  [/^Too many pods/, () => 'too many pods'],
];

function shorten(text: string): string {
  for (const [re, f] of shortReasons) {
    const m = re.exec(text);
    if (m !== null) return f(m);
  }
  return text.replace(/^node\(s\)\s+(had\s+)?/, '');
}

/** Reads the scheduler's FailedScheduling message (`0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had …`). */
export function parseSchedulerMessage(message: string): SchedulingFailure {
  const m = /^(\d+)\/(\d+) nodes are available(?:\.|:\s*([\s\S]*))?$/.exec(message.trim());
  if (m === null) {
    if (/no nodes available to schedule pods/i.test(message)) return { available: 0, total: 0, reasons: [] };
    return { reasons: [] };
  }
  let body = m[3] ?? '';
  let preemption: string | undefined;
  const p = body.indexOf(' preemption:');
  if (p >= 0) {
    preemption = body.slice(p + 1).trim();
    body = body.slice(0, p);
  }
  body = body.trim().replace(/\.$/, '');
  const reasons = body === '' ? [] : body.split(/,\s+(?=\d+\s)/).flatMap((part) => {
    const r = /^(\d+)\s+([\s\S]+)$/.exec(part.trim());
    return r === null ? [] : [{ count: Number(r[1]), text: (r[2] ?? '').trim(), short: shorten((r[2] ?? '').trim()) }];
  });
  return { available: Number(m[1]), total: Number(m[2]), reasons, ...(preemption !== undefined ? { preemption } : {}) };
}

// ---------------------------------------------------------------------------------------
// Small readers

type Cond = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string };

function condition(pod: Pod, type: string): Cond | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === type);
}

function nodeReady(node: Node): Cond | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

/** Last time an event happened, first time, and how often (core/v1 events, old or new style). */
export function eventTimes(e: Event): { last: string | undefined; first: string | undefined; count: number } {
  const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  return { last, first, count: e.series?.count ?? e.count ?? 1 };
}

/** `30s (x5 over 10m)`, as kubectl describe ages an event. */
export function eventAge(e: Event, now: number): string {
  const { last, first, count } = eventTimes(e);
  return count > 1 && first !== undefined ? `${age(last, now)} (x${count} over ${age(first, now)})` : age(last, now);
}

/** Warnings first, then the most recent first. */
export function sortEvents(events: readonly Event[]): Event[] {
  const t = (e: Event): number => Date.parse(eventTimes(e).last ?? '') || 0;
  return [...events].sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning') || t(b) - t(a));
}

function latest(events: readonly Event[], pred: (e: Event) => boolean): Event | undefined {
  return sortEvents(events.filter(pred)).find(() => true);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const times = (n: number): string => (n === 1 ? 'once' : `${n} times`);

function probeEvents(events: readonly Event[], kind: 'Readiness' | 'Liveness' | 'Startup'): Event[] {
  return events.filter((e) => (e.message ?? '').startsWith(`${kind} probe failed`) || (e.message ?? '').startsWith(`${kind} probe errored`));
}

/** When an event happened: `last 20s ago, 14 times in 5m`. */
export function eventWhen(e: Event, now: number): string {
  const { last, first, count } = eventTimes(e);
  return `last ${age(last, now)} ago${count > 1 ? `, ${count} times in ${age(first, now)}` : ''}`;
}

/** A probe failure event: its message and when. */
function probeFinding(e: Event, now: number): string {
  return `${(e.message ?? '').trim()} (${eventWhen(e, now)})`;
}

function toleratesAll(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint[] {
  return taints.filter((t) => {
    if (t.effect === 'PreferNoSchedule') return false;
    return !tolerations.some((tol) => {
      if (tol.effect && tol.effect !== t.effect) return false;
      if (!tol.key) return tol.operator === 'Exists';
      if (tol.key !== t.key) return false;
      return tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '');
    });
  });
}

function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** The pod's effective request of each resource: containers summed, init containers taken at their maximum. */
export function podRequests(pod: Pod): Map<string, Quantity> {
  const total = new Map<string, Quantity>();
  const read = (c: Container): [string, Quantity][] =>
    Object.entries(c.resources?.requests ?? {}).flatMap(([k, v]) => {
      try {
        return [[k, parseQuantity(String(v))] as [string, Quantity]];
      } catch {
        return [];
      }
    });
  for (const c of pod.spec?.containers ?? []) for (const [k, q] of read(c)) total.set(k, total.has(k) ? addQuantities(total.get(k) as Quantity, q) : q);
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, q] of read(c)) {
      const cur = total.get(k);
      if (cur === undefined || compareQuantities(q, cur) > 0) total.set(k, q);
    }
  }
  return total;
}

function allocatable(node: Node, resource: string): Quantity | undefined {
  const v = node.status?.allocatable?.[resource] ?? node.status?.capacity?.[resource];
  if (v === undefined) return undefined;
  try {
    return parseQuantity(String(v));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Scheduling

function schedulingFindings(f: PodFacts, failure: SchedulingFailure, findings: string[], hints: string[]): void {
  const pod = f.pod;
  const nodes = f.nodes ?? [];
  for (const r of failure.reasons) {
    if (r.short.startsWith('Insufficient ')) {
      const resource = r.short.slice('Insufficient '.length);
      const want = podRequests(pod).get(resource);
      if (want === undefined) {
        findings.push(`${plural(r.count, 'node')}: not enough ${resource} (the pod requests none directly; check its limits and init containers)`);
        continue;
      }
      let biggest: { node: string; q: Quantity } | undefined;
      for (const n of nodes) {
        const q = allocatable(n, resource);
        if (q !== undefined && (biggest === undefined || compareQuantities(q, biggest.q) > 0)) biggest = { node: n.metadata?.name ?? '', q };
      }
      if (biggest !== undefined && compareQuantities(want, biggest.q) > 0) {
        findings.push(`${plural(r.count, 'node')}: not enough ${resource}: the pod requests ${formatQuantity(want)}, more than any node can hold (largest allocatable: ${formatQuantity(biggest.q)} on ${biggest.node})`);
        hints.push(`lower the pod's ${resource} request, or add a node with more than ${formatQuantity(want)} ${resource}`);
      } else {
        findings.push(`${plural(r.count, 'node')}: not enough free ${resource} for the pod's request of ${formatQuantity(want)} (other pods hold the rest)`);
        hints.push(`free ${resource} (scale something down) or add nodes; a lower request also fits`);
      }
    } else if (r.short === 'untolerated taint') {
      const tolerations = pod.spec?.tolerations ?? [];
      // The scheduler names the taint (`{node-role: control-plane}`): list the nodes that carry it.
      const named = /\{([^:}]+)(?::\s*([^}]*))?\}/.exec(r.text);
      const matches = (t: Taint): boolean => named === null || (t.key === named[1]?.trim() && (named[2] === undefined || named[2].trim() === '' || (t.value ?? '') === named[2].trim()));
      const blocked = nodes.flatMap((n) => {
        const t = toleratesAll(n.spec?.taints ?? [], tolerations).filter(matches);
        return t.length > 0 ? [`${n.metadata?.name ?? ''} (${t.map(taintText).join(', ')})`] : [];
      });
      findings.push(`${plural(r.count, 'node')}: ${r.text}${blocked.length > 0 ? `: ${blocked.join(', ')}` : ''}`);
      findings.push(`the pod tolerates: ${tolerations.length === 0 ? 'nothing' : tolerations.map((t) => `${t.key ?? '*'}${t.operator === 'Exists' ? ' (exists)' : `=${t.value ?? ''}`}${t.effect ? `:${t.effect}` : ''}`).join(', ')}`);
      hints.push('add a matching toleration to the pod template, or remove the taint (keelctl taint is not available yet; edit the node)');
    } else if (r.short === 'cordoned') {
      const cordoned = nodes.filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata?.name ?? '');
      findings.push(`${plural(r.count, 'node')} cordoned${cordoned.length > 0 ? `: ${cordoned.join(', ')}` : ''}`);
      if (cordoned.length > 0) hints.push(`keelctl uncordon ${cordoned.join(' ')}   # once their maintenance is over`);
    } else if (r.short === 'node affinity/selector mismatch') {
      const selector = Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
      const affinity = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
      findings.push(`${plural(r.count, 'node')}: labels do not match the pod's ${[selector.length > 0 ? `nodeSelector (${selector.join(', ')})` : '', affinity ? 'required node affinity' : ''].filter((x) => x !== '').join(' and ') || 'node selection'}`);
      hints.push('label a node to match, or relax the nodeSelector/affinity');
    } else {
      findings.push(`${plural(r.count, 'node')}: ${r.text}`);
    }
  }
  if (failure.preemption !== undefined) findings.push(failure.preemption);
}

// ---------------------------------------------------------------------------------------
// Containers

interface ContainerProblem {
  verdict: string;
  category: string;
  findings: string[];
  hints: string[];
}

function lastTermination(s: ContainerStatus, now: number): string | undefined {
  const t = s.lastState?.terminated ?? s.state?.terminated;
  if (t === undefined) return undefined;
  const ran = t.startedAt && t.finishedAt ? `, after running ${humanDuration(Date.parse(t.finishedAt) - Date.parse(t.startedAt))}` : '';
  const when = t.finishedAt ? ` ${age(t.finishedAt, now)} ago` : '';
  return `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${when}${ran}`;
}

function containerProblem(f: PodFacts, s: ContainerStatus, init: boolean): ContainerProblem | undefined {
  const pod = f.pod;
  const podName = pod.metadata?.name ?? '';
  const what = `${init ? 'init container' : 'container'} "${s.name}"`;
  const prefix = init ? 'Init:' : '';
  const waiting = s.state?.waiting;
  const findings: string[] = [];
  const hints: string[] = [];
  const reason = waiting?.reason ?? '';
  if (reason === 'CrashLoopBackOff') {
    const last = s.lastState?.terminated;
    let verdict: string;
    if (last?.reason === 'OOMKilled') verdict = `${prefix}${reason}: ${what} is OOMKilled (exit code ${last.exitCode}, restarted ${times(s.restartCount)})`;
    else if (last !== undefined) verdict = `${prefix}${reason}: ${what} exits with code ${last.exitCode} (restarted ${times(s.restartCount)})`;
    else verdict = `${prefix}${reason}: ${what} keeps exiting (restarted ${times(s.restartCount)})`;
    const lt = lastTermination(s, f.now);
    if (lt !== undefined) findings.push(`${what} last terminated with ${lt}`);
    if (last?.message) findings.push(`its termination message: ${JSON.stringify(last.message.trim())}`);
    if (waiting?.message) findings.push(`kubelet: ${waiting.message}`);
    const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === s.name);
    const liveness = probeEvents(f.events, 'Liveness');
    const lastLiveness = latest(liveness, () => true);
    if (lastLiveness !== undefined) findings.push(`liveness probe failing, so the kubelet restarts it: ${probeFinding(lastLiveness, f.now)}`);
    hints.push(`keelctl logs ${podName} -c ${s.name} --previous   # the output of the run that ended`);
    if (last?.reason === 'OOMKilled') {
      const limit = spec?.resources?.limits?.['memory'];
      hints.push(`raise the memory limit${limit !== undefined ? ` (now ${String(limit)})` : ' (none is set: the node ran out)'} or find what grows`);
    } else if (lastLiveness !== undefined && spec?.livenessProbe !== undefined) {
      hints.push(`check the liveness probe (${describeProbe(spec.livenessProbe)}): a slow start needs a startupProbe or a longer initialDelaySeconds`);
    }
    return { verdict, category: `${prefix}${reason}`, findings, hints };
  }
  if (['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable'].includes(reason)) {
    const image = s.image || [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === s.name)?.image || '';
    if (waiting?.message) findings.push(`kubelet: ${waiting.message}`);
    const failed = latest(f.events, (e) => e.reason === 'Failed' && (e.message ?? '').includes(image));
    if (failed !== undefined && failed.message !== waiting?.message) findings.push(`${failed.message ?? ''} (${eventWhen(failed, f.now)})`);
    const secrets = (pod.spec?.imagePullSecrets ?? []).map((x) => x.name ?? '');
    hints.push(`check the image name and tag, that the registry is reachable from the node, and its credentials (imagePullSecrets: ${secrets.length > 0 ? secrets.join(', ') : 'none'})`);
    return { verdict: `${prefix}${reason}: ${what} cannot pull image "${image}"`, category: `${prefix}${reason}`, findings, hints };
  }
  if (['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreCreateHookError', 'PostStartHookError', 'ContainerCannotRun'].includes(reason)) {
    hints.push(reason === 'CreateContainerConfigError' ? 'create the missing ConfigMap/Secret (or key), or fix the reference in the pod template' : `keelctl describe pod ${podName} for the full container state`);
    return { verdict: `${prefix}${reason}: ${what}: ${waiting?.message ?? 'no message'}`, category: `${prefix}${reason}`, findings, hints };
  }
  const term = s.state?.terminated;
  if (term !== undefined && term.exitCode !== 0 && !init && pod.spec?.restartPolicy === 'Never') {
    const lt = lastTermination(s, f.now);
    if (lt !== undefined) findings.push(`${what} terminated with ${lt}`);
    hints.push(`keelctl logs ${podName} -c ${s.name}`);
    return { verdict: `Error: ${what} exited with code ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`, category: 'Error', findings, hints };
  }
  return undefined;
}

function creatingProblem(f: PodFacts, statuses: readonly ContainerStatus[]): ContainerProblem | undefined {
  const creating = statuses.find((s) => s.state?.waiting?.reason === 'ContainerCreating' || s.state?.waiting?.reason === 'PodInitializing');
  const blocker = latest(f.events, (e) => e.type === 'Warning' && ['FailedMount', 'FailedAttachVolume', 'FailedCreatePodSandBox', 'FailedCreatePodContainer', 'NetworkNotReady'].includes(e.reason ?? ''));
  if (blocker !== undefined && (creating !== undefined || statuses.length === 0)) {
    const findings = [`${blocker.reason ?? ''}: ${blocker.message ?? ''} (${eventWhen(blocker, f.now)})`];
    const hints = blocker.reason === 'FailedMount' ? ['check that the volume\'s ConfigMap/Secret/PVC exists and is bound'] : [];
    return { verdict: `Pending: ${blocker.reason ?? ''}: ${(blocker.message ?? '').split('\n')[0] ?? ''}`, category: 'Pending', findings, hints };
  }
  if (creating !== undefined) return { verdict: `Pending: container "${creating.name}" is being created`, category: 'Pending', findings: [], hints: [] };
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The verdict

function nodeFinding(node: Node, now: number): { ready: boolean; line: string } {
  const ready = nodeReady(node);
  const name = node.metadata?.name ?? '';
  if (ready?.status === 'True') return { ready: true, line: `node "${name}" is Ready${node.spec?.unschedulable === true ? ' (cordoned)' : ''}` };
  const since = ready?.lastTransitionTime ? ` for ${age(ready.lastTransitionTime, now)}` : '';
  const why = ready === undefined ? 'it has never reported' : `${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''}`;
  return { ready: false, line: `node "${name}" is NotReady${since} (${why})` };
}

export function diagnosePod(f: PodFacts): PodDiagnosis {
  const pod = f.pod;
  const name = pod.metadata?.name ?? '';
  const findings: string[] = [];
  const hints: string[] = [];
  const node = f.node;
  const nodeState = node !== undefined && node !== 'missing' ? nodeFinding(node, f.now) : undefined;
  const phase = pod.status?.phase ?? 'Pending';
  const done = (verdict: string, category: string, health: Health): PodDiagnosis => ({ verdict, category, health, findings, hints });

  if (pod.metadata?.deletionTimestamp !== undefined) {
    const deadline = Date.parse(pod.metadata.deletionTimestamp);
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
    const requested = deadline - grace * 1000;
    const finalizers = pod.metadata.finalizers ?? [];
    if (finalizers.length > 0) findings.push(`finalizers still pending: ${finalizers.join(', ')}`);
    if (nodeState !== undefined && !nodeState.ready) findings.push(`${nodeState.line}: its kubelet cannot confirm that the containers stopped`);
    if (f.now > deadline) {
      findings.push(`the ${grace}s grace period ended ${humanDuration(f.now - deadline)} ago`);
      hints.push(`keelctl delete pod ${name} --grace-period=0 --force   # removes it from the API without the kubelet's confirmation`);
    }
    return done(`Terminating: deletion requested ${humanDuration(f.now - requested)} ago${nodeState !== undefined && !nodeState.ready ? `; ${nodeState.line.replace(/ \(.*$/, '')}` : ''}`, 'Terminating', 'Terminating');
  }

  if (phase === 'Succeeded') return done('Completed: all containers exited successfully', 'Completed', 'Completed');
  if (phase === 'Failed') {
    if (pod.status?.reason) {
      if (pod.status.message) findings.push(pod.status.message);
      return done(`Failed: ${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''}`, 'Failed', 'Unhealthy');
    }
    const bad = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
    const t = bad?.state?.terminated;
    if (bad !== undefined && t !== undefined) {
      hints.push(`keelctl logs ${name} -c ${bad.name}`);
      return done(`Failed: container "${bad.name}" exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`, 'Failed', 'Unhealthy');
    }
    return done('Failed', 'Failed', 'Unhealthy');
  }

  // Not bound to a node: the scheduler's story.
  if (!pod.spec?.nodeName) {
    const scheduled = condition(pod, 'PodScheduled');
    const failedEvent = latest(f.events, (e) => e.reason === 'FailedScheduling');
    if (scheduled?.reason === 'SchedulingGated') {
      const gates = (pod.spec?.schedulingGates ?? []).map((g) => g.name);
      findings.push(scheduled.message ?? 'the pod has scheduling gates');
      return done(`Pending: scheduling gated${gates.length > 0 ? ` by ${gates.join(', ')}` : ''}`, 'Pending', 'Progressing');
    }
    const message = scheduled?.status === 'False' && scheduled.message ? scheduled.message : failedEvent?.message;
    if (message !== undefined) {
      const failure = parseSchedulerMessage(message);
      // The full message is in the conditions and events below; here it is taken apart.
      findings.push(failure.total !== undefined ? `scheduler: ${failure.available ?? 0}/${failure.total} nodes are available` : `scheduler: ${message.trim()}`);
      if (failure.total === 0) {
        hints.push('no node has registered with the API server: start a kubelet (keelson node) or check why nodes cannot join');
        return done('Pending: no nodes in the cluster', 'Pending', 'Unhealthy');
      }
      schedulingFindings(f, failure, findings, hints);
      const summary = failure.reasons.map((r) => `${r.count} ${r.short}`).join(', ');
      return done(`Pending: no node fits${summary !== '' ? ` (${summary})` : ''}`, 'Pending', 'Unhealthy');
    }
    const schedulerName = pod.spec?.schedulerName ?? 'default-scheduler';
    findings.push(`no scheduler has reported on this pod (schedulerName "${schedulerName}")`);
    hints.push(`is "${schedulerName}" running? A pod waits unscheduled until it is`);
    return done('Pending: not scheduled yet', 'Pending', 'Progressing');
  }

  const nodeName = pod.spec.nodeName;
  if (node === 'missing') {
    findings.push(`spec.nodeName is "${nodeName}", but no such node exists`);
    hints.push('the pod stays bound to a node that is gone: delete it so its controller makes a replacement');
    return done(`${phase === 'Running' ? 'Unknown' : phase}: node "${nodeName}" does not exist`, 'NodeLost', 'Unhealthy');
  }
  if (nodeState !== undefined && !nodeState.ready) findings.push(nodeState.line);

  const initStatuses = pod.status?.initContainerStatuses ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  for (const s of initStatuses) {
    const p = containerProblem(f, s, true);
    if (p !== undefined) {
      findings.push(...p.findings);
      hints.push(...p.hints);
      return done(p.verdict, p.category, 'Unhealthy');
    }
  }
  for (const s of statuses) {
    const p = containerProblem(f, s, false);
    if (p !== undefined) {
      findings.push(...p.findings);
      hints.push(...p.hints);
      return done(p.verdict, p.category, 'Unhealthy');
    }
  }
  const runningInit = initStatuses.find((s) => s.state?.running !== undefined || (s.state?.terminated === undefined && s.state?.waiting?.reason !== 'PodInitializing'));
  if (runningInit !== undefined && statuses.every((s) => s.state?.running === undefined)) {
    return done(`Pending: waiting for init container "${runningInit.name}" to finish`, 'Init', 'Progressing');
  }
  if (nodeState !== undefined && !nodeState.ready && condition(pod, 'Ready')?.status !== 'True') {
    hints.push(`check node "${nodeName}": its kubelet, network and disk; pods on a node NotReady for long are evicted and replaced by their controllers`);
    return done(`NodeNotReady: ${nodeState.line}`, 'NodeNotReady', 'Unhealthy');
  }
  const creating = creatingProblem(f, statuses);
  if (creating !== undefined) {
    findings.push(...creating.findings);
    hints.push(...creating.hints);
    return done(creating.verdict, creating.category, creating.findings.length > 0 ? 'Unhealthy' : 'Progressing');
  }
  if (statuses.length === 0) {
    findings.push(`bound to node "${nodeName}", but no container has a status yet`);
    return done(`Pending: scheduled to node "${nodeName}"; waiting for its kubelet to start the pod`, 'Pending', 'Progressing');
  }

  const ready = condition(pod, 'Ready');
  const restarted = statuses.filter((s) => s.restartCount > 0);
  for (const s of restarted) {
    const lt = lastTermination(s, f.now);
    findings.push(`container "${s.name}" restarted ${times(s.restartCount)}${lt !== undefined ? `; last ${lt}` : ''}`);
  }
  if (ready?.status === 'True') {
    const liveness = latest(probeEvents(f.events, 'Liveness'), () => true);
    if (liveness !== undefined) findings.push(`liveness probe failed recently: ${probeFinding(liveness, f.now)}`);
    return done('Healthy', 'Healthy', 'Healthy');
  }

  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType).filter((t) => condition(pod, t)?.status !== 'True');
  if (gates.length > 0 && statuses.every((s) => s.ready)) {
    findings.push(`readiness gates not True: ${gates.join(', ')} (set by another controller, not the kubelet)`);
    return done(`Running but not Ready: readiness gate "${gates[0] ?? ''}" is not True`, 'Running but not Ready', 'Unhealthy');
  }
  const notRunning = statuses.find((s) => s.state?.running === undefined);
  if (notRunning !== undefined) {
    const w = notRunning.state?.waiting;
    return done(`Running but not Ready: container "${notRunning.name}" is not running${w?.reason ? ` (${w.reason})` : ''}`, 'Running but not Ready', 'Unhealthy');
  }
  const specOf = (n: string): Container | undefined => (pod.spec?.containers ?? []).find((c) => c.name === n);
  const notStarted = statuses.find((s) => s.started === false && specOf(s.name)?.startupProbe !== undefined);
  const startup = latest(probeEvents(f.events, 'Startup'), () => true);
  if (notStarted !== undefined && startup !== undefined) {
    findings.push(probeFinding(startup, f.now));
    const probe = specOf(notStarted.name)?.startupProbe;
    if (probe !== undefined) findings.push(`startup probe of "${notStarted.name}": ${describeProbe(probe)}`);
    return done('Running but not Ready: startup probe failing', 'Running but not Ready', 'Unhealthy');
  }
  const unready = statuses.filter((s) => !s.ready);
  const readiness = latest(probeEvents(f.events, 'Readiness'), () => true);
  if (readiness !== undefined) {
    findings.push(probeFinding(readiness, f.now));
    for (const s of unready) {
      const probe = specOf(s.name)?.readinessProbe;
      if (probe !== undefined) findings.push(`readiness probe of "${s.name}": ${describeProbe(probe)}`);
    }
    hints.push("the pod gets no Service traffic until the probe passes: check the endpoint it probes, and the app's own logs");
    return done('Running but not Ready: readiness probe failing', 'Running but not Ready', 'Unhealthy');
  }
  const first = unready[0];
  if (first !== undefined) {
    const probe = specOf(first.name)?.readinessProbe;
    if (probe !== undefined) {
      findings.push(`readiness probe of "${first.name}": ${describeProbe(probe)}`);
      return done(`Running but not Ready: container "${first.name}" has not passed its readiness probe yet`, 'Running but not Ready', 'Progressing');
    }
    return done(`Running but not Ready: container "${first.name}" is not ready`, 'Running but not Ready', 'Unhealthy');
  }
  if (ready !== undefined) findings.push(`Ready=${ready.status}${ready.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}`);
  return done(`Running but not Ready${ready?.reason ? `: ${ready.reason}` : ''}`, 'Running but not Ready', 'Unhealthy');
}
