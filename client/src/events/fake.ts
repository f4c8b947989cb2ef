// Test doubles: a recorder that keeps events as strings, and an in-memory EventSink.
import { format } from 'node:util';
import { AlreadyExistsError, NotFoundError, type Event } from '@keelson/api';
import type { EventObject, EventPatch, EventRecorder, EventSink, EventType } from './types';

/** Keeps `"<type> <reason> <message>"` for each event, as client-go's FakeRecorder, for asserting what a component reported. */
export class FakeEventRecorder implements EventRecorder {
  readonly events: string[] = [];
  /** The objects the events were about, in the same order. */
  readonly objects: EventObject[] = [];

  event(object: EventObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
    this.objects.push(object);
  }

  eventf(object: EventObject, type: EventType, reason: string, fmt: string, ...args: unknown[]): void {
    this.event(object, type, reason, format(fmt, ...args));
  }
}

/** Runs before each sink call; throw (or return a rejecting promise) to inject failures. */
export type EventSinkFault = (op: 'create' | 'patch', event: { namespace: string; name: string }) => void | Promise<void>;

const target = (name: string) => ({ resource: 'events', name });

/** Events in a Map keyed by namespace/name, with resourceVersions, as the API server stores them. */
export class FakeEventSink implements EventSink {
  private readonly stored = new Map<string, Event>();
  private revision = 0;
  /** `create ns/name` / `patch ns/name count=N` for each call that reached the store, in order. */
  readonly calls: string[] = [];

  constructor(public fault?: EventSinkFault) {}

  async create(event: Event): Promise<Event> {
    const namespace = event.metadata.namespace ?? '';
    const name = event.metadata.name ?? '';
    await this.fault?.('create', { namespace, name });
    this.calls.push(`create ${namespace}/${name}`);
    const key = `${namespace}/${name}`;
    if (this.stored.has(key)) throw new AlreadyExistsError(target(name));
    const saved: Event = { ...structuredClone(event), metadata: { ...event.metadata, resourceVersion: String(++this.revision) } };
    this.stored.set(key, saved);
    return structuredClone(saved);
  }

  async patch(namespace: string, name: string, patch: EventPatch): Promise<Event> {
    await this.fault?.('patch', { namespace, name });
    this.calls.push(`patch ${namespace}/${name} count=${patch.count}`);
    const current = this.stored.get(`${namespace}/${name}`);
    if (!current) throw new NotFoundError(target(name));
    const saved: Event = { ...current, ...patch, metadata: { ...current.metadata, resourceVersion: String(++this.revision) } };
    this.stored.set(`${namespace}/${name}`, saved);
    return structuredClone(saved);
  }

  /** Every stored Event, oldest first. */
  list(): Event[] {
    return [...this.stored.values()].map((e) => structuredClone(e));
  }

  /** Removes an Event, as the server's TTL does. */
  delete(namespace: string, name: string): void {
    this.stored.delete(`${namespace}/${name}`);
  }
}
