// Folds repeated events together and cuts off floods, as client-go's EventCorrelator: aggregate → count → spam filter.
import type { Event } from '@keelson/api';
import type { Clock } from '../clock';
import { TokenBucket } from '../workqueue';
import { LruCache } from './lru';
import type { CorrelatorConfig, CorrelatorOptions, EventPatch } from './types';

export const combinedPrefix = '(combined from similar events): ';

export function completeCorrelatorConfig(o: CorrelatorOptions = {}): CorrelatorConfig {
  return {
    maxSimilarEvents: o.maxSimilarEvents ?? 10,
    aggregationWindowMs: o.aggregationWindowMs ?? 10 * 60 * 1000,
    spamBurst: o.spamBurst ?? 25,
    spamQps: o.spamQps ?? 1 / 300,
    maxCacheEntries: o.maxCacheEntries ?? 4096,
  };
}

/** What to write for one event: nothing (`skip`), a new Event, or a patch of the one it repeats. */
export type Correlation =
  | { skip: true }
  | {
      skip: false;
      event: Event;
      /** Set when `event` repeats one already written (same name): patch it instead of creating. */
      patch?: EventPatch;
      /** Identifies the series `event` belongs to; pass it back to `updateState` once written. */
      key: string;
    };

interface SimilarRecord {
  messages: Set<string>;
  lastSeen: number;
}

interface SeriesRecord {
  count: number;
  firstTimestamp: string | undefined;
  name: string;
  resourceVersion: string | undefined;
  lastSeen: number;
}

const sep = '\u0000';

function objectKey(e: Event): string[] {
  const o = e.involvedObject;
  return [o.kind ?? '', o.namespace ?? '', o.name ?? '', o.uid ?? '', o.apiVersion ?? ''];
}

function sourceKey(e: Event): string[] {
  return [e.source?.component ?? '', e.source?.host ?? ''];
}

/** Same source, object, type and reason: events that differ at most in message. */
function similarKey(e: Event): string {
  return [...sourceKey(e), ...objectKey(e), e.type ?? '', e.reason ?? ''].join(sep);
}

/** Everything that identifies an event except when it happened. */
function identicalKey(e: Event): string {
  return [similarKey(e), e.message ?? ''].join(sep);
}

function spamKey(e: Event): string {
  return [...sourceKey(e), ...objectKey(e)].join(sep);
}

/** `<object name>.<hex nanoseconds>`, the name client-go gives an Event. */
export function eventName(objectName: string, epochNanos: bigint): string {
  return `${objectName}.${epochNanos.toString(16)}`;
}

/**
 * Decides, event by event, what to write. Not thread-safe in spirit: call `correlate` and then
 * `updateState` for one event before correlating the next, as the broadcaster's single writer does.
 */
export class EventCorrelator {
  private readonly config: CorrelatorConfig;
  private readonly similar: LruCache<string, SimilarRecord>;
  private readonly series: LruCache<string, SeriesRecord>;
  private readonly spam: LruCache<string, TokenBucket>;

  constructor(
    private readonly clock: Clock,
    options: CorrelatorOptions = {},
    /** Names new (combined) Events; the broadcaster's keeps names unique. */
    private readonly nameFor: (objectName: string) => string = (n) => eventName(n, BigInt(clock.now()) * 1_000_000n),
  ) {
    this.config = completeCorrelatorConfig(options);
    this.similar = new LruCache(this.config.maxCacheEntries);
    this.series = new LruCache(this.config.maxCacheEntries);
    this.spam = new LruCache(this.config.maxCacheEntries);
  }

  correlate(event: Event): Correlation {
    const now = this.clock.now();
    const aggregated = this.aggregate(event, now);
    const observed = this.observe(aggregated.event, aggregated.key, now);
    if (!this.allow(observed.event)) return { skip: true };
    return { skip: false, key: aggregated.key, event: observed.event, ...(observed.patch ? { patch: observed.patch } : {}) };
  }

  /** Records what the server stored for the series `key`, so the next repeat patches it. */
  updateState(key: string, stored: Event): void {
    const rec = this.series.get(key);
    const name = stored.metadata?.name;
    if (!rec || name === undefined) return;
    rec.name = name;
    rec.resourceVersion = stored.metadata?.resourceVersion;
    if (stored.count !== undefined) rec.count = stored.count;
    if (stored.firstTimestamp !== undefined) rec.firstTimestamp = stored.firstTimestamp;
  }

  /**
   * Similar events (same reason, other messages): below the threshold each stays its own series;
   * from the threshold on they all go into one "(combined from similar events)" series.
   */
  private aggregate(event: Event, now: number): { event: Event; key: string } {
    const key = similarKey(event);
    let rec = this.similar.get(key);
    if (!rec || now - rec.lastSeen > this.config.aggregationWindowMs) rec = { messages: new Set(), lastSeen: now };
    rec.messages.add(event.message ?? '');
    rec.lastSeen = now;
    this.similar.set(key, rec);
    if (rec.messages.size < this.config.maxSimilarEvents) return { event, key: identicalKey(event) };

    // Keep the set from growing past the threshold.
    const first = rec.messages.values().next();
    if (!first.done) rec.messages.delete(first.value);
    const stamp = event.lastTimestamp;
    const combined: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.nameFor(event.involvedObject.name ?? ''), namespace: event.metadata.namespace },
      involvedObject: event.involvedObject,
      reason: event.reason,
      message: `${combinedPrefix}${event.message ?? ''}`,
      type: event.type,
      count: 1,
      ...(stamp !== undefined ? { firstTimestamp: stamp, lastTimestamp: stamp } : {}),
      ...(event.source ? { source: event.source } : {}),
      ...(event.reportingComponent !== undefined ? { reportingComponent: event.reportingComponent } : {}),
      ...(event.reportingInstance !== undefined ? { reportingInstance: event.reportingInstance } : {}),
    };
    return { event: combined, key };
  }

  /** A repeat within the window takes over the earlier Event's name and count: it becomes a patch. */
  private observe(event: Event, key: string, now: number): { event: Event; patch?: EventPatch } {
    const last = this.series.get(key);
    if (last && now - last.lastSeen <= this.config.aggregationWindowMs) {
      const count = last.count + 1;
      const repeated: Event = {
        ...event,
        count,
        metadata: { ...event.metadata, name: last.name, ...(last.resourceVersion !== undefined ? { resourceVersion: last.resourceVersion } : {}) },
        ...(last.firstTimestamp !== undefined ? { firstTimestamp: last.firstTimestamp } : {}),
      };
      this.series.set(key, { ...last, count, lastSeen: now });
      return { event: repeated, patch: { count, lastTimestamp: event.lastTimestamp ?? '', message: event.message ?? '' } };
    }
    this.series.set(key, {
      count: event.count ?? 1,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name ?? '',
      resourceVersion: undefined,
      lastSeen: now,
    });
    return { event };
  }

  /** A token bucket per source and object. */
  private allow(event: Event): boolean {
    const key = spamKey(event);
    let bucket = this.spam.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.clock, this.config.spamQps, this.config.spamBurst);
      this.spam.set(key, bucket);
    }
    return bucket.tryTake();
  }
}
