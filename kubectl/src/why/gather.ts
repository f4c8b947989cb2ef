// What `why` reads from the API for a pod: its events, its node, the nodes, and its chain of owners.
import { ForbiddenError, NotFoundError, lookupKind, type Event, type Node, type ObjectMeta, type Pod } from '@keelson/api';
import type { RestClient } from '@keelson/client';
import type { OwnerLink, PodFacts } from './diagnose';

/** Reads shared by several pods (one workload's), so each is listed once. */
export interface Shared {
  /** The namespace's events, when already listed. */
  events?: readonly Event[];
  /** Every node by name; null when nodes cannot be listed. */
  nodes?: ReadonlyMap<string, Node> | null;
}

/** Events about `pod`: by name and kind, and by uid where the event has one (a recreated pod's old events are left out). */
export function eventsFor(events: readonly Event[], kind: string, name: string, uid: string | undefined): Event[] {
  return events.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && (e.involvedObject.uid === undefined || e.involvedObject.uid === '' || uid === undefined || e.involvedObject.uid === uid));
}

/** Every node, by name; null when the caller may not list them (a hint is lost, not the answer). */
export async function listNodes(client: RestClient): Promise<Map<string, Node> | null> {
  try {
    const list = await client.resource('v1', 'Node').listAll();
    return new Map(list.items.map((n) => [n.metadata?.name ?? '', n]));
  } catch (e: unknown) {
    if (e instanceof ForbiddenError) return null;
    throw e;
  }
}

/** Events involving one object, listed by field selector. */
export async function listEventsAbout(client: RestClient, ns: string, kind: string, name: string, uid: string | undefined): Promise<Event[]> {
  const list = await client.resource('v1', 'Event').namespace(ns).listAll({ fieldSelector: { 'involvedObject.kind': kind, 'involvedObject.name': name } });
  return eventsFor(list.items, kind, name, uid);
}

/** The controller chain above `meta`, nearest first; stops at an owner that is gone or not served. */
export async function ownerChain(client: RestClient, meta: ObjectMeta | undefined, ns: string): Promise<OwnerLink[]> {
  const out: OwnerLink[] = [];
  let current = meta;
  for (let depth = 0; depth < 5; depth++) {
    const ref = (current?.ownerReferences ?? []).find((r) => r.controller === true);
    if (ref === undefined) break;
    const info = lookupKind(ref.apiVersion, ref.kind);
    if (info === undefined) {
      out.push({ kind: ref.kind, name: ref.name, found: true });
      break;
    }
    try {
      const owner = await client.resource(info).namespace(ns).get(ref.name);
      if (owner.metadata?.uid !== ref.uid) {
        out.push({ kind: ref.kind, name: ref.name, found: false });
        break;
      }
      out.push({ kind: ref.kind, name: ref.name, found: true });
      current = owner.metadata;
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
      out.push({ kind: ref.kind, name: ref.name, found: false });
      break;
    }
  }
  return out;
}

/** The facts about one pod. Owners are looked up unless the caller already knows them. */
export async function gatherPod(client: RestClient, pod: Pod, now: number, shared: Shared = {}, owners?: readonly OwnerLink[]): Promise<PodFacts> {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid;
  const events = shared.events !== undefined ? eventsFor(shared.events, 'Pod', name, uid) : await listEventsAbout(client, ns, 'Pod', name, uid);
  const facts: PodFacts = { pod, events, owners: owners ?? (await ownerChain(client, pod.metadata, ns)), now };
  const nodeName = pod.spec?.nodeName;
  const nodes = shared.nodes !== undefined ? shared.nodes : nodeName ? undefined : await listNodes(client);
  if (nodes !== undefined && nodes !== null) facts.nodes = [...nodes.values()];
  if (nodeName) {
    if (nodes !== undefined && nodes !== null) {
      facts.node = nodes.get(nodeName) ?? 'missing';
    } else {
      try {
        facts.node = await client.resource('v1', 'Node').get(nodeName);
      } catch (e: unknown) {
        if (e instanceof NotFoundError) facts.node = 'missing';
        else if (!(e instanceof ForbiddenError)) throw e;
      }
    }
  }
  return facts;
}
