// Golden-output helpers for keelctl integration tests: one frozen instant for server and client, and a normalizer for what still varies.
import { systemClock, type Clock } from '@keelson/client';

/** The instant tests run at: the API server's clock (so every AGE is `0s`) and keelctl's (ages it computes). */
export const frozenAt = Date.parse('2024-05-01T10:00:00Z');

/** The server's clock (`{ now(): Date }`), frozen. */
export const frozenServerClock = { now: (): Date => new Date(frozenAt) };

/** keelctl's clock: frozen `now`, real timers (watch timeouts and waits still run). */
export const frozenClientClock: Clock = { now: () => frozenAt, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) };

/**
 * Masks what differs from run to run without moving columns: UIDs, RFC 3339 times,
 * resourceVersions, and the random suffix of `uniqueName()` names (same length, so tables stay
 * aligned). Describe's local-time stamps are made stable by running with TZ=UTC instead.
 */
export function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/resourceVersion: "\d+"/g, 'resourceVersion: "<rv>"')
    .replace(/"resourceVersion": "\d+"/g, '"resourceVersion": "<rv>"')
    .replace(/(Resource Version:\s+)\d+/g, '$1<rv>')
    .replace(/\b([a-z][a-z0-9]*)-[0-9a-f]{8}\b/g, '$1-xxxxxxxx');
}
