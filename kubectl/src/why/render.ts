// Lays out a `why` answer on one screen: verdict first, then the evidence, then the state it came from.
import type { ContainerStatus, Event, Pod } from '@keelson/api';
import { age, table } from '../ops/format';
import { eventAge, sortEvents, type PodDiagnosis, type PodFacts } from './diagnose';

/** At most this many events are listed; the rest are counted. */
export const eventsShown = 8;

/** A table indented under a section title, trailing blanks trimmed. */
export function section(title: string, rows: readonly (readonly string[])[]): string {
  if (rows.length <= 1) return '';
  const body = table(rows)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `  ${l.trimEnd()}\n`)
    .join('');
  return `${title}\n${body}`;
}

/** `- …` lines under a title; nothing when empty. */
export function bullets(title: string, lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${title}\n${lines.map((l) => `  - ${l}\n`).join('')}`;
}

function stateCell(s: ContainerStatus, now: number): string {
  if (s.state?.running !== undefined) return `running ${age(s.state.running.startedAt, now)}`;
  if (s.state?.waiting !== undefined) return `waiting: ${s.state.waiting.reason ?? '?'}`;
  if (s.state?.terminated !== undefined) return `terminated: ${s.state.terminated.reason ?? 'exit'} (exit ${s.state.terminated.exitCode})`;
  return 'unknown';
}

function lastCell(s: ContainerStatus, now: number): string {
  const t = s.lastState?.terminated;
  if (t === undefined) return '';
  return `exit ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.finishedAt ? ` ${age(t.finishedAt, now)} ago` : ''}`;
}

export function containersSection(pod: Pod, now: number): string {
  const header = ['NAME', 'STATE', 'READY', 'RESTARTS', 'LAST TERMINATION'];
  const byName = new Map<string, ContainerStatus>();
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) byName.set(s.name, s);
  const rows = [
    ...(pod.spec?.initContainers ?? []).map((c) => ({ name: `${c.name} (init)`, s: byName.get(c.name) })),
    ...(pod.spec?.containers ?? []).map((c) => ({ name: c.name, s: byName.get(c.name) })),
  ].map(({ name, s }) => (s === undefined ? [name, 'no status yet', '', '', ''] : [name, stateCell(s, now), String(s.ready), String(s.restartCount), lastCell(s, now)]));
  return section('Containers:', [header, ...rows]);
}

export function conditionsSection(conditions: readonly { type: string; status: string; reason?: string; message?: string }[]): string {
  return section('Conditions:', [['TYPE', 'STATUS', 'REASON', 'MESSAGE'], ...conditions.map((c) => [c.type, c.status, c.reason ?? '', (c.message ?? '').split('\n')[0] ?? ''])]);
}

export function eventsSection(events: readonly Event[], now: number, what: string): string {
  if (events.length === 0) return `Events: none about this ${what} (events expire after an hour)\n`;
  const sorted = sortEvents(events);
  const shown = sorted.slice(0, eventsShown);
  const rows = shown.map((e) => [e.type ?? '', e.reason ?? '', eventAge(e, now), e.source?.component ?? e.reportingComponent ?? '', (e.message ?? '').trim().split('\n')[0] ?? '']);
  const more = sorted.length - shown.length;
  return `${section('Events (warnings first, newest first):', [['TYPE', 'REASON', 'AGE', 'FROM', 'MESSAGE'], ...rows])}${more > 0 ? `  … ${more} more\n` : ''}`;
}

function ownerLine(f: PodFacts): string {
  if (f.owners.length === 0) return 'Owner: none (a bare pod: nothing replaces it if it is deleted or its node fails)\n';
  return `Owner: ${f.owners.map((o) => `${o.kind}/${o.name}${o.found ? '' : ' (gone: the pod is orphaned)'}`).join(' → ')}\n`;
}

function nodeLine(f: PodFacts): string {
  const name = f.pod.spec?.nodeName;
  if (!name) return 'Node: none (not scheduled)\n';
  if (f.node === 'missing') return `Node: ${name} (does not exist)\n`;
  if (f.node === undefined) return `Node: ${name}\n`;
  const ready = (f.node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const cordoned = f.node.spec?.unschedulable === true ? ', cordoned' : '';
  if (ready?.status === 'True') return `Node: ${name} (Ready${cordoned})\n`;
  const since = ready?.lastTransitionTime ? ` for ${age(ready.lastTransitionTime, f.now)}` : '';
  const why = ready === undefined ? 'never reported' : `${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''}`;
  const taints = (f.node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  return `Node: ${name} (NotReady${since}${cordoned}: ${why})${taints.length > 0 ? `; taints: ${taints.join(', ')}` : ''}\n`;
}

/** The body of a pod's answer (everything under its verdict line). */
export function renderPodBody(f: PodFacts, d: PodDiagnosis): string {
  const parts = [
    bullets('Why:', d.findings),
    bullets('Try:', d.hints),
    containersSection(f.pod, f.now),
    conditionsSection(f.pod.status?.conditions ?? []),
    eventsSection(f.events, f.now, 'pod'),
    ownerLine(f) + nodeLine(f),
  ].filter((p) => p !== '');
  return parts.join('');
}

/** One pod's whole answer. */
export function renderPod(f: PodFacts, d: PodDiagnosis): string {
  const ns = f.pod.metadata?.namespace ?? '';
  return `pod/${f.pod.metadata?.name ?? ''} in namespace ${ns}, phase ${f.pod.status?.phase ?? 'Pending'}\nVerdict: ${d.verdict}\n\n${renderPodBody(f, d)}`;
}
