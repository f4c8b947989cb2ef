// Event recording: recorders build core/v1 Events, a bounded queue feeds one background writer that correlates and writes them.
import { hostname } from 'node:os';
import { format } from 'node:util';
import { isStatusError, StatusError, type Event, type KubeObject, type ObjectReference } from '@keelson/api';
import { sleep, systemClock } from '../clock';
import { consoleLogger, errorText, type Logger } from '../workqueue';
import { EventCorrelator, completeCorrelatorConfig, eventName, type Correlation } from './correlator';
import type { EventBroadcasterConfig, EventBroadcasterOptions, EventObject, EventRecorder, EventSource, EventType } from './types';

export function completeEventBroadcasterConfig(o: EventBroadcasterOptions): EventBroadcasterConfig {
  return {
    sink: o.sink,
    host: o.host ?? hostname(),
    clock: o.clock ?? systemClock,
    logger: o.logger ?? consoleLogger,
    correlator: completeCorrelatorConfig(o.correlator),
    maxQueuedEvents: o.maxQueuedEvents ?? 1000,
    maxTries: o.maxTries ?? 12,
    retryDelayMs: o.retryDelayMs ?? 10_000,
    random: o.random ?? Math.random,
  };
}

/** metav1.Time: RFC 3339 at second precision. */
export function eventTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

function isKubeObject(o: EventObject): o is KubeObject {
  return typeof (o as { metadata?: unknown }).metadata === 'object' && (o as { metadata?: unknown }).metadata !== null;
}

/** The ObjectReference an event about `o` points at; throws if it lacks a kind or name. */
export function referenceTo(o: EventObject): ObjectReference {
  const src: ObjectReference = isKubeObject(o)
    ? {
        kind: o.kind,
        apiVersion: o.apiVersion,
        namespace: o.metadata?.namespace,
        name: o.metadata?.name,
        uid: o.metadata?.uid,
        resourceVersion: o.metadata?.resourceVersion,
      }
    : o;
  if (!src.kind || !src.name) throw new Error(`cannot refer to an object without kind and name (kind ${JSON.stringify(src.kind)}, name ${JSON.stringify(src.name)})`);
  const ref: ObjectReference = {};
  for (const k of ['kind', 'apiVersion', 'namespace', 'name', 'uid', 'resourceVersion', 'fieldPath'] as const) {
    const v = src[k];
    if (v !== undefined && v !== '') ref[k] = v;
  }
  return ref;
}

/** Transport failures and server overload are worth retrying; other refusals will not change. */
function retriable(err: unknown): boolean {
  return !(err instanceof StatusError) || err.code === 429 || err.code >= 500;
}

/**
 * Owns the write path for every recorder made from it (usually one per process): a bounded
 * queue, one writer that correlates each event (aggregate → count → spam filter) and writes
 * it — a create, or a patch of the Event it repeats — retrying transport errors.
 */
export class EventBroadcaster {
  private readonly config: EventBroadcasterConfig;
  private readonly log: Logger;
  private readonly correlator: EventCorrelator;
  private readonly queue: Event[] = [];
  private writing = false;
  private stopped = false;
  private readonly stop = new AbortController();
  private dropped = 0;
  private lastNanos = 0n;
  private idleWaiters: (() => void)[] = [];

  constructor(options: EventBroadcasterOptions) {
    this.config = completeEventBroadcasterConfig(options);
    this.log = this.config.logger;
    this.correlator = new EventCorrelator(this.config.clock, this.config.correlator, (n) => this.nameFor(n));
  }

  /** A recorder reporting as `source` (its host defaults to the broadcaster's). */
  newRecorder(source: EventSource): EventRecorder {
    const src = { component: source.component, host: source.host ?? this.config.host };
    const record = (object: EventObject, type: EventType, reason: string, message: () => string): void => {
      try {
        this.enqueue(this.makeEvent(src, object, type, reason, message()));
      } catch (err: unknown) {
        this.log.error('could not record event', { component: src.component, reason, error: errorText(err) });
      }
    };
    return {
      event: (object, type, reason, message) => record(object, type, reason, () => message),
      eventf: (object, type, reason, fmt, ...args) => record(object, type, reason, () => format(fmt, ...args)),
    };
  }

  /** Resolves once every event recorded so far has been written, dropped or given up on. */
  flush(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops recording: later events and queued ones are dropped, retries end; a write in flight finishes. */
  shutdown(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.stop.abort();
    if (!this.writing) this.becameIdle();
  }

  /** Events queued and not yet written. */
  queued(): number {
    return this.queue.length;
  }

  private makeEvent(source: Required<EventSource>, object: EventObject, type: EventType, reason: string, message: string): Event {
    if (type !== 'Normal' && type !== 'Warning') throw new Error(`unsupported event type ${JSON.stringify(type)}`);
    const ref = referenceTo(object);
    const now = this.config.clock.now();
    const t = eventTimestamp(now);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.nameFor(ref.name ?? '', now), namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      type,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      source: { component: source.component, host: source.host },
      reportingComponent: source.component,
      reportingInstance: source.host,
    };
  }

  /** `<object>.<hex nanoseconds>`, strictly increasing so two events in one millisecond get different names. */
  private nameFor(objectName: string, epochMs = this.config.clock.now()): string {
    let nanos = BigInt(Math.floor(epochMs)) * 1_000_000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    return eventName(objectName, nanos);
  }

  private enqueue(event: Event): void {
    if (this.stopped) return;
    if (this.queue.length >= this.config.maxQueuedEvents) {
      // Logged on the first drop and every hundredth after, so a flood does not become a log flood.
      if (this.dropped++ % 100 === 0) {
        this.log.warn('event queue is full, dropping events', { dropped: this.dropped, reason: event.reason, object: `${event.involvedObject.namespace ?? ''}/${event.involvedObject.name ?? ''}` });
      }
      return;
    }
    this.queue.push(event);
    if (!this.writing) {
      this.writing = true;
      void this.drain();
    }
  }

  /** The single writer: one event at a time, so each repeat sees the state its predecessor left. */
  private async drain(): Promise<void> {
    try {
      for (let event = this.queue.shift(); event !== undefined && !this.stopped; event = this.queue.shift()) {
        await this.write(event);
      }
    } catch (err: unknown) {
      this.log.error('event writer failed', { error: errorText(err) });
    } finally {
      this.writing = false;
      // An event may have been queued while the last write settled.
      if (this.queue.length > 0 && !this.stopped) {
        this.writing = true;
        void this.drain();
      } else {
        this.becameIdle();
      }
    }
  }

  private becameIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async write(event: Event): Promise<void> {
    const c = this.correlator.correlate(event);
    const fields = { reason: event.reason, object: `${event.involvedObject.kind ?? ''} ${event.involvedObject.namespace ?? ''}/${event.involvedObject.name ?? ''}` };
    if (c.skip) {
      this.log.debug('event dropped by the spam filter', fields);
      return;
    }
    const { clock, maxTries, retryDelayMs, random } = this.config;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.writeOnce(c);
        this.correlator.updateState(c.key, stored);
        return;
      } catch (err: unknown) {
        if (isStatusError(err, 'AlreadyExists')) {
          this.log.debug('event already exists', { ...fields, error: errorText(err) });
          return;
        }
        if (!retriable(err)) {
          this.log.error('server rejected event (will not retry)', { ...fields, error: errorText(err) });
          return;
        }
        if (attempt >= maxTries || this.stopped) {
          this.log.error('unable to write event, giving up', { ...fields, attempts: attempt, error: errorText(err) });
          return;
        }
        this.log.warn('unable to write event (will retry)', { ...fields, attempt, error: errorText(err) });
        // The first wait is jittered so many recorders that failed together do not retry together.
        await sleep(clock, attempt === 1 ? random() * retryDelayMs : retryDelayMs, this.stop.signal);
        if (this.stopped) return;
      }
    }
  }

  private async writeOnce(c: Extract<Correlation, { skip: false }>): Promise<Event> {
    const { sink } = this.config;
    const { namespace = 'default', name = '' } = c.event.metadata;
    if (c.patch) {
      try {
        return await sink.patch(namespace, name, c.patch);
      } catch (err: unknown) {
        // Deleted meanwhile (events expire): create it again under the same name, keeping the count.
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    }
    const { resourceVersion: _rv, ...metadata } = c.event.metadata;
    return sink.create({ ...c.event, metadata });
  }
}
