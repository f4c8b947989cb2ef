// `keelctl describe` output per kind, following kubectl's describers: Pod, Deployment, ReplicaSet, Service, Node, Namespace, ConfigMap, and a generic one.
//
// Text is written with tabs between a field and its value and aligned by the Go-tabwriter port
// (minWidth 0, padding 2), flushed where kubectl flushes (before Events), so sections line up
// exactly as kubectl's do.
import {
  addQuantities,
  formatQuantity,
  milliValue,
  parseQuantity,
  quantityToNumber,
  type Deployment,
  type Endpoints,
  type Event,
  type Namespace,
  type Node,
  type OwnerReference,
  type Pod,
  type Quantity,
  type ReplicaSet,
  type ResourceInfo,
  type Service,
  type Container,
  type ContainerStatus,
  type ContainerState,
  type ConfigMap,
  type Volume,
} from '@keelson/api';
import type { RestClient } from '@keelson/client';
import { formatLabels, formatLabelSelector, rfc1123z, since } from './format';
import { isObject, scalarText, type Json, type JsonObject } from './objects';
import { describePodTemplate, describeProbe } from './ops/podtemplate';
import { describeOptions, tabulate } from './tabwriter';

const skipAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const maxAnnotationLen = 140;

/** kubectl's PrefixWriter over a tabwriter: levels indent by two spaces; flush() aligns what was written so far. */
export class DescribeWriter {
  private done = '';
  private pending = '';

  write(level: number, text: string): void {
    this.pending += '  '.repeat(level) + text;
  }

  flush(): void {
    this.done += tabulate(this.pending, describeOptions);
    this.pending = '';
  }

  toString(): string {
    this.flush();
    return this.done;
  }
}

/** What a describer may look up besides the object. */
export interface DescribeContext {
  client: RestClient;
  now: number;
  events: Event[] | undefined;
}

export function labelsMultiline(w: DescribeWriter, title: string, labels: Readonly<Record<string, string>> | undefined, initialIndent = ''): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    w.write(0, `${k}=${labels?.[k] ?? ''}\n`);
  });
}

export function annotationsMultiline(w: DescribeWriter, title: string, annotations: Readonly<Record<string, string>> | undefined, initialIndent = ''): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !skipAnnotations.has(k))
    .sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    const value = (annotations?.[key] ?? '').replace(/\n$/, '');
    if (value.length + key.length + 2 > maxAnnotationLen || value.includes('\n')) {
      w.write(0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(0, `${initialIndent}\t  ${s.length > maxAnnotationLen - 2 ? `${s.slice(0, maxAnnotationLen - 2)}...` : s}\n`);
    } else {
      w.write(0, `${key}: ${value}\n`);
    }
  });
}

/** `Events:` with kubectl's table (Type, Reason, Age, From, Message), oldest first, or `<none>`. */
export function describeEvents(w: DescribeWriter, events: readonly Event[], now: number): void {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  const time = (e: Event): number => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') || 0;
  const sorted = [...events].sort((a, b) => time(a) - time(b));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = e.eventTime !== undefined && e.eventTime !== null ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let interval = first;
    if (e.series !== undefined) interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    else if ((e.count ?? 0) > 1) interval = `${since(e.lastTimestamp, now)} (x${e.count ?? 0} over ${first})`;
    const source = e.source?.component || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${source}\t${(e.message ?? '').trim()}\n`);
  }
}

function controllerOf(owners: readonly OwnerReference[] | undefined): string {
  const c = (owners ?? []).find((o) => o.controller === true);
  return c === undefined ? '' : `${c.kind}/${c.name}`;
}

function finish(w: DescribeWriter, dc: DescribeContext): string {
  if (dc.events !== undefined) describeEvents(w, dc.events, dc.now);
  return w.toString();
}

// ---- Pod

function ports(c: Container, host: boolean): string {
  return (c.ports ?? []).map((p) => `${host ? (p.hostPort ?? 0) : p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
}

function describeState(w: DescribeWriter, title: string, state: ContainerState | undefined): void {
  if (state?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal ?? 0}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
    if (state?.waiting?.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  }
}

function describeContainers(w: DescribeWriter, label: string, containers: readonly Container[], statuses: readonly ContainerStatus[] | undefined): void {
  w.write(0, `${label}:\n`);
  for (const c of containers) {
    const st = statuses?.find((s) => s.name === c.name);
    w.write(1, `${c.name}:\n`);
    if (st) w.write(2, `Container ID:\t${st.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (st) w.write(2, `Image ID:\t${st.imageID}\n`);
    const p = ports(c, false);
    w.write(2, p.includes(',') ? `Ports:\t${p}\n` : `Port:\t${p || '<none>'}\n`);
    const hp = ports(c, true);
    w.write(2, hp.includes(',') ? `Host Ports:\t${hp}\n` : `Host Port:\t${hp || '<none>'}\n`);
    for (const [title, lines] of [
      ['Command', c.command],
      ['Args', c.args],
    ] as const) {
      if ((lines ?? []).length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const s of (lines ?? []).flatMap((x) => x.split('\n'))) w.write(3, `${s}\n`);
    }
    if (st) {
      describeState(w, 'State', st.state);
      if (st.lastState?.terminated) describeState(w, 'Last State', st.lastState);
      w.write(2, `Ready:\t${st.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${st.restartCount}\n`);
    }
    for (const [title, values] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const keys = Object.keys(values ?? {}).sort();
      if (keys.length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const k of keys) w.write(3, `${k}:\t${String(values?.[k])}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    const env = c.env ?? [];
    w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
    for (const e of env) {
      const from = e.valueFrom;
      if (from === undefined) (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
      else if (from.fieldRef) w.write(3, `${e.name}:\t (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
      else if (from.resourceFieldRef) w.write(3, `${e.name}:\t (${from.resourceFieldRef.resource})\n`);
      else if (from.secretKeyRef) w.write(3, `${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name ?? ''}'>\tOptional: ${from.secretKeyRef.optional === true}\n`);
      else if (from.configMapKeyRef) w.write(3, `${e.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name ?? ''}'>\tOptional: ${from.configMapKeyRef.optional === true}\n`);
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) w.write(3, `${m.mountPath} from ${m.name} (${[m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])].join(',')})\n`);
  }
}

function describeVolumes(w: DescribeWriter, volumes: readonly Volume[] | undefined): void {
  if ((volumes ?? []).length === 0) {
    w.write(0, 'Volumes:\t<none>\n');
    return;
  }
  w.write(0, 'Volumes:\n');
  for (const v of volumes ?? []) {
    w.write(1, `${v.name}:\n`);
    if (v.hostPath) w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type ?? ''}\n`);
    else if (v.emptyDir) w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${v.emptyDir.sizeLimit !== undefined ? String(v.emptyDir.sizeLimit) : '<unset>'}\n`);
    else if (v.configMap) w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${v.configMap.optional === true}\n`);
    else if (v.secret) w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${v.secret.optional === true}\n`);
    else if (v.persistentVolumeClaim) w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${v.persistentVolumeClaim.readOnly === true}\n`);
    else w.write(2, '<unknown>\n');
  }
}

/** The pod's QoS class: status.qosClass, else computed from its containers' requests and limits. */
function qosClass(pod: Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length > 0 || Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && String(request) === String(limit);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function tolerationsMultiline(w: DescribeWriter, title: string, pod: Pod): void {
  const tolerations = pod.spec?.tolerations ?? [];
  w.write(0, `${title}:\t`);
  if (tolerations.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  tolerations.forEach((t, i) => {
    let s = i === 0 ? '' : '\t';
    s += t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

export function describePod(pod: Pod, dc: DescribeContext): string {
  const w = new DescribeWriter();
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const status = pod.status ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  if (spec?.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec?.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec?.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec?.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, `Node:\t${spec?.nodeName ? `${spec.nodeName}/${status.hostIP ?? ''}` : '<none>'}\n`);
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  if (meta.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(meta.deletionTimestamp, dc.now)})\n`);
    w.write(0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ''}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  w.write(0, `IP:\t${status.podIP ?? ''}\n`);
  if ((status.podIPs ?? []).length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of status.podIPs ?? []) w.write(1, `IP:\t${ip.ip}\n`);
  }
  const controlledBy = controllerOf(meta.ownerReferences);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if ((spec?.initContainers ?? []).length > 0) describeContainers(w, 'Init Containers', spec?.initContainers ?? [], status.initContainerStatuses);
  describeContainers(w, 'Containers', spec?.containers ?? [], status.containerStatuses);
  if ((status.conditions ?? []).length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of status.conditions ?? []) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec?.volumes);
  w.write(0, `QoS Class:\t${qosClass(pod)}\n`);
  labelsMultiline(w, 'Node-Selectors', spec?.nodeSelector);
  tolerationsMultiline(w, 'Tolerations', pod);
  return finish(w, dc);
}

// ---- Deployment, ReplicaSet

function intOrPercent(v: number | string | undefined, fallback: string): string {
  return v === undefined ? fallback : String(v);
}

function replicaSetsByName(rss: readonly ReplicaSet[]): string {
  if (rss.length === 0) return '<none>';
  return rss.map((rs) => `${rs.metadata?.name ?? ''} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
}

export async function describeDeployment(d: Deployment, dc: DescribeContext): Promise<string> {
  const w = new DescribeWriter();
  const meta = d.metadata ?? {};
  const spec = d.spec;
  const status = d.status ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  w.write(0, `Selector:\t${formatLabelSelector(spec?.selector)}\n`);
  w.write(
    0,
    `Replicas:\t${spec?.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`,
  );
  w.write(0, `StrategyType:\t${spec?.strategy?.type ?? ''}\n`);
  w.write(0, `MinReadySeconds:\t${spec?.minReadySeconds ?? 0}\n`);
  const ru = spec?.strategy?.rollingUpdate;
  if (ru !== undefined) w.write(0, `RollingUpdateStrategy:\t${intOrPercent(ru.maxUnavailable, '25%')} max unavailable, ${intOrPercent(ru.maxSurge, '25%')} max surge\n`);
  w.write(0, describePodTemplate(spec?.template));
  if ((status.conditions ?? []).length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of status.conditions ?? []) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  const owned = (await dc.client.resource('apps/v1', 'ReplicaSet').namespace(meta.namespace ?? '').list()).items.filter((rs) =>
    (rs.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === meta.uid),
  );
  const templateHash = (rs: ReplicaSet): string | undefined => rs.metadata?.labels?.['pod-template-hash'];
  const newest = [...owned].sort((a, b) => revision(b) - revision(a))[0];
  const newRS = newest !== undefined && templateHash(newest) !== undefined ? newest : undefined;
  const old = owned.filter((rs) => rs !== newRS && (rs.spec?.replicas ?? 0) > 0);
  w.write(0, `OldReplicaSets:\t${replicaSetsByName(old)}\n`);
  w.write(0, `NewReplicaSet:\t${replicaSetsByName(newRS ? [newRS] : [])}\n`);
  return finish(w, dc);
}

function revision(rs: ReplicaSet): number {
  return Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
}

export async function describeReplicaSet(rs: ReplicaSet, dc: DescribeContext): Promise<string> {
  const w = new DescribeWriter();
  const meta = rs.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  const controlledBy = controllerOf(meta.ownerReferences);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  w.write(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired\n`);
  const pods = (await dc.client.resource('v1', 'Pod').namespace(meta.namespace ?? '').list()).items.filter((p) =>
    (p.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === meta.uid),
  );
  const count = (phase: string): number => pods.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  w.write(0, `Pods Status:\t${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed\n`);
  w.write(0, describePodTemplate(rs.spec?.template));
  if ((rs.status?.conditions ?? []).length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of rs.status?.conditions ?? []) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  return finish(w, dc);
}

// ---- Service

function endpointsFor(eps: Endpoints | undefined, portName: string | undefined): string {
  const list: string[] = [];
  for (const subset of eps?.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      if ((port.name ?? '') !== (portName ?? '')) continue;
      for (const a of subset.addresses ?? []) list.push(`${a.ip}:${port.port}`);
    }
  }
  if (list.length === 0) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

export async function describeService(svc: Service, dc: DescribeContext): Promise<string> {
  const w = new DescribeWriter();
  const meta = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  let eps: Endpoints | undefined;
  try {
    eps = await dc.client.resource('v1', 'Endpoints').namespace(meta.namespace ?? '').get(meta.name ?? '');
  } catch {
    eps = undefined; // no Endpoints yet: every port shows <none>
  }
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  w.write(0, `Selector:\t${formatLabels(spec.selector).replace(/^<none>$/, '')}\n`);
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${(spec.ipFamilies ?? []).length > 0 ? (spec.ipFamilies ?? []).join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(0, `IPs:\t${(spec.clusterIPs ?? []).length > 0 ? (spec.clusterIPs ?? []).join(',') : '<none>'}\n`);
  if ((spec.externalIPs ?? []).length > 0) w.write(0, `External IPs:\t${(spec.externalIPs ?? []).join(',')}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const protocol = p.protocol ?? 'TCP';
    w.write(0, `Port:\t${name}\t${p.port}/${protocol}\n`);
    w.write(0, `TargetPort:\t${String(p.targetPort ?? p.port)}/${protocol}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${protocol}\n`);
    w.write(0, `Endpoints:\t${endpointsFor(eps, p.name)}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? 'None'}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  return finish(w, dc);
}

// ---- Node

function quantity(v: unknown): Quantity {
  try {
    return parseQuantity(scalarText(v) || '0');
  } catch {
    return parseQuantity('0');
  }
}

function percent(part: Quantity, whole: Quantity | undefined, milli: boolean): number {
  if (whole === undefined) return 0;
  const w = milli ? Number(milliValue(whole)) : quantityToNumber(whole);
  if (w === 0) return 0;
  const p = milli ? Number(milliValue(part)) : quantityToNumber(part);
  return Math.trunc((p / w) * 100);
}

function podTotals(pod: Pod): { requests: Record<string, Quantity>; limits: Record<string, Quantity> } {
  const requests: Record<string, Quantity> = {};
  const limits: Record<string, Quantity> = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) requests[k] = requests[k] ? addQuantities(requests[k], quantity(v)) : quantity(v);
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) limits[k] = limits[k] ? addQuantities(limits[k], quantity(v)) : quantity(v);
  }
  return { requests, limits };
}

export async function describeNode(node: Node, dc: DescribeContext): Promise<string> {
  const w = new DescribeWriter();
  const meta = node.metadata ?? {};
  const status = node.status ?? {};
  const roles = Object.keys(meta.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r !== '')
    .sort();
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  const taints = node.spec?.taints ?? [];
  w.write(0, `Taints:\t${taints.length === 0 ? '<none>\n' : ''}`);
  taints.forEach((t, i) => w.write(0, `${i === 0 ? '' : '\t'}${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}\n`));
  w.write(0, `Unschedulable:\t${node.spec?.unschedulable === true}\n`);
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of status.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  for (const [title, list] of [
    ['Capacity', status.capacity],
    ['Allocatable', status.allocatable],
  ] as const) {
    if (list === undefined || Object.keys(list).length === 0) continue;
    w.write(0, `${title}:\n`);
    for (const k of Object.keys(list).sort()) w.write(1, `${k}:\t${String(list[k])}\n`);
  }
  const info = status.nodeInfo;
  if (info !== undefined) {
    w.write(0, 'System Info:\n');
    w.write(1, `Machine ID:\t${info.machineID}\n`);
    w.write(1, `System UUID:\t${info.systemUUID}\n`);
    w.write(1, `Boot ID:\t${info.bootID}\n`);
    w.write(1, `Kernel Version:\t${info.kernelVersion}\n`);
    w.write(1, `OS Image:\t${info.osImage}\n`);
    w.write(1, `Operating System:\t${info.operatingSystem}\n`);
    w.write(1, `Architecture:\t${info.architecture}\n`);
    w.write(1, `Container Runtime Version:\t${info.containerRuntimeVersion}\n`);
    w.write(1, `Kubelet Version:\t${info.kubeletVersion}\n`);
  }
  if (node.spec?.podCIDR) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if ((node.spec?.podCIDRs ?? []).length > 0) w.write(0, `PodCIDRs:\t${(node.spec?.podCIDRs ?? []).join(',')}\n`);
  if (node.spec?.providerID) w.write(0, `ProviderID:\t${node.spec.providerID}\n`);
  const pods = (await dc.client.resource('v1', 'Pod').allNamespaces().list({ fieldSelector: { 'spec.nodeName': meta.name ?? '' } })).items.filter(
    (p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  );
  const alloc = status.allocatable ?? {};
  const cpuAlloc = alloc['cpu'] !== undefined ? quantity(alloc['cpu']) : undefined;
  const memAlloc = alloc['memory'] !== undefined ? quantity(alloc['memory']) : undefined;
  const storageAlloc = alloc['ephemeral-storage'] !== undefined ? quantity(alloc['ephemeral-storage']) : undefined;
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const zero = quantity('0');
  const total = { requests: {} as Record<string, Quantity>, limits: {} as Record<string, Quantity> };
  for (const p of pods) {
    const t = podTotals(p);
    for (const side of ['requests', 'limits'] as const) {
      for (const [k, v] of Object.entries(t[side])) total[side][k] = total[side][k] ? addQuantities(total[side][k], v) : v;
    }
    const cell = (q: Quantity | undefined, whole: Quantity | undefined, milli: boolean): string => `${formatQuantity(q ?? zero)} (${percent(q ?? zero, whole, milli)}%)`;
    w.write(
      1,
      `${p.metadata?.namespace ?? ''}\t${p.metadata?.name ?? ''}\t\t${cell(t.requests['cpu'], cpuAlloc, true)}\t${cell(t.limits['cpu'], cpuAlloc, true)}\t${cell(t.requests['memory'], memAlloc, false)}\t${cell(t.limits['memory'], memAlloc, false)}\t${since(p.metadata?.creationTimestamp, dc.now)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  for (const [r, whole, milli] of [
    ['cpu', cpuAlloc, true],
    ['memory', memAlloc, false],
    ['ephemeral-storage', storageAlloc, false],
  ] as const) {
    const req = total.requests[r] ?? zero;
    const lim = total.limits[r] ?? zero;
    w.write(1, `${r}\t${formatQuantity(req)} (${percent(req, whole, milli)}%)\t${formatQuantity(lim)} (${percent(lim, whole, milli)}%)\n`);
  }
  return finish(w, dc);
}

// ---- ConfigMap

export function describeConfigMap(cm: ConfigMap, dc: DescribeContext): string {
  const w = new DescribeWriter();
  const meta = cm.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  w.write(0, '\nData\n====\n');
  for (const k of Object.keys(cm.data ?? {}).sort()) w.write(0, `${k}:\n----\n${cm.data?.[k] ?? ''}\n`);
  w.write(0, '\nBinaryData\n====\n');
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) w.write(0, `${k}: ${Buffer.from(cm.binaryData?.[k] ?? '', 'base64').length} bytes\n`);
  w.write(0, '\n');
  return finish(w, dc);
}

// ---- Namespace

export function describeNamespace(ns: Namespace): string {
  const w = new DescribeWriter();
  const meta = ns.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  labelsMultiline(w, 'Labels', meta.labels);
  annotationsMultiline(w, 'Annotations', meta.annotations);
  w.write(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  // Keelson serves neither ResourceQuotas nor LimitRanges: kubectl's wording for none of either.
  w.write(0, '\nNo resource quota.\n');
  w.write(0, '\nNo LimitRange resource.\n');
  return w.toString();
}

// ---- any other kind

/** kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `apiVersion` → `API Version`. */
export function smartLabel(field: string): string {
  if (/[^A-Za-z-]/.test(field)) return field;
  const parts = field.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[A-Z]+|-/g) ?? [field];
  const acronyms = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);
  return parts
    .filter((p) => p !== '_')
    .map((p) => (acronyms.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)))
    .join(' ');
}

function unstructured(w: DescribeWriter, level: number, content: JsonObject, prefix: string, skip: ReadonlySet<string>): void {
  for (const key of Object.keys(content).sort()) {
    const path = `${prefix}.${key}`;
    if (skip.has(path)) continue;
    const value: Json = content[key] ?? null;
    if (isObject(value)) {
      w.write(level, `${smartLabel(key)}:\n`);
      unstructured(w, level + 1, value, path, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabel(key)}:\n`);
      for (const child of value) {
        if (isObject(child)) unstructured(w, level + 1, child, path, skip);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else {
      w.write(level, `${smartLabel(key)}:\t${goValue(value)}\n`);
    }
  }
}

function goValue(v: Json): string {
  if (v === null) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** kubectl's generic describer: name, labels, annotations, then every field with smart labels. */
export function describeGeneric(obj: JsonObject, info: ResourceInfo, dc: DescribeContext): string {
  const w = new DescribeWriter();
  const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
  w.write(0, `Name:\t${typeof meta['name'] === 'string' ? meta['name'] : ''}\n`);
  w.write(0, `Namespace:\t${typeof meta['namespace'] === 'string' ? meta['namespace'] : ''}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string> | undefined);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string> | undefined);
  const content: JsonObject = { apiVersion: `${info.group === '' ? '' : `${info.group}/`}${info.version}`, kind: info.kind, ...obj };
  unstructured(w, 0, content, '', new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']));
  return finish(w, dc);
}
