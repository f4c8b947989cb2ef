// The small interface the event recorder writes through (an Event sink), and its options, defaults and completed config.
import type { Event, KubeObject, ObjectReference } from '@keelson/api';
import type { Clock } from '../clock';
import type { Logger } from '../workqueue';

export type EventType = 'Normal' | 'Warning';

/** Who reports an event: `source.component` / `source.host` (and reportingComponent / reportingInstance). */
export interface EventSource {
  /** e.g. `deployment-controller`, `default-scheduler`, `kubelet`. */
  component: string;
  /** The node or host name; defaults to the broadcaster's host. */
  host?: string;
}

/** What an event can be about: a stored object (with kind and apiVersion set) or a reference to one. */
export type EventObject = KubeObject | ObjectReference;

/** The fields a repeat of an event changes; sent as a merge patch. */
export interface EventPatch {
  count: number;
  lastTimestamp: string;
  message: string;
}

/**
 * The slice of a core/v1 Event client the recorder needs. Implementations throw `@keelson/api`'s
 * typed errors (`AlreadyExistsError` from `create`, `NotFoundError` from `patch` of a deleted
 * Event); anything not a `StatusError` is taken as a transport failure and retried.
 */
export interface EventSink {
  create(event: Event): Promise<Event>;
  /** Applies `patch` as a JSON merge patch to the Event `namespace/name`. */
  patch(namespace: string, name: string, patch: EventPatch): Promise<Event>;
}

/** Records events about objects. Never throws and never blocks: writing happens in the background. */
export interface EventRecorder {
  event(object: EventObject, type: EventType, reason: string, message: string): void;
  /** `event` with the message built by `util.format(format, ...args)`. */
  eventf(object: EventObject, type: EventType, reason: string, format: string, ...args: unknown[]): void;
}

/** How repeats are folded together and floods cut off (client-go CorrelatorOptions). */
export interface CorrelatorOptions {
  /** Distinct messages with the same source, object, type and reason before they are combined. Default 10. */
  maxSimilarEvents?: number;
  /** Similar events further apart than this start over; identical ones start a new Event. Default 10 minutes. */
  aggregationWindowMs?: number;
  /** Events one source may write about one object at once. Default 25. */
  spamBurst?: number;
  /** Refill rate of that allowance. Default one per 5 minutes. */
  spamQps?: number;
  /** Entries kept in each cache (least recently used go first). Default 4096. */
  maxCacheEntries?: number;
}

export interface CorrelatorConfig {
  maxSimilarEvents: number;
  aggregationWindowMs: number;
  spamBurst: number;
  spamQps: number;
  maxCacheEntries: number;
}

export interface EventBroadcasterOptions {
  sink: EventSink;
  /** Default host for recorders that name none; defaults to os.hostname(). */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  correlator?: CorrelatorOptions;
  /** Events waiting to be written before new ones are dropped. Default 1000. */
  maxQueuedEvents?: number;
  /** Attempts per event on transport errors. Default 12. */
  maxTries?: number;
  /** Wait between attempts (the first is jittered down). Default 10 s. */
  retryDelayMs?: number;
  /** Uniform in [0, 1): jitters the first retry. Default Math.random. */
  random?: () => number;
}

export interface EventBroadcasterConfig {
  sink: EventSink;
  host: string;
  clock: Clock;
  logger: Logger;
  correlator: CorrelatorConfig;
  maxQueuedEvents: number;
  maxTries: number;
  retryDelayMs: number;
  random: () => number;
}
