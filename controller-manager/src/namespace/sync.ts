// The namespace reconcile: a namespace being deleted is emptied, its conditions report progress, then the `kubernetes` finalizer goes.
import { isStatusError, type Namespace, type NamespaceStatus, type ResourceInfo } from '@keelson/api';
import type { Clock, Lister, Logger, RestClient } from '@keelson/client';
import { timestamp } from '../common/time';
import { deleteAllContent, type ContentReport } from './deleter';

/** The finalizer the API server puts on every namespace, which this controller removes once the namespace is empty. */
export const kubernetesFinalizer = 'kubernetes';

export type NamespaceConditionType =
  | 'NamespaceDeletionDiscoveryFailure'
  | 'NamespaceDeletionGroupVersionParsingFailure'
  | 'NamespaceDeletionContentFailure'
  | 'NamespaceContentRemaining'
  | 'NamespaceFinalizersRemaining';

type NamespaceCondition = NonNullable<NamespaceStatus['conditions']>[number];

export interface NamespaceSyncDeps {
  client: RestClient;
  namespaces: Lister<Namespace>;
  /** The namespaced resources to empty. */
  resources: readonly ResourceInfo[];
  clock: Clock;
  logger: Logger;
  /** Longest wait before looking again at a namespace whose content is still going. */
  recheckMs: number;
  enqueueAfter(key: string, delayMs: number): void;
}

/** Content is still there: the key is retried (with backoff) until it is gone. */
export class ContentRemainingError extends Error {
  constructor(readonly report: ContentReport) {
    super(`some content in the namespace remains: ${[...report.remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`);
    this.name = 'ContentRemainingError';
  }
}

/** Deleting content failed for some resources; retried with backoff. */
export class ContentDeletionError extends Error {
  constructor(readonly failures: ReadonlyMap<string, string>) {
    super(`failed to delete all resource types, ${failures.size} remaining: ${[...failures].map(([r, e]) => `${r}: ${e}`).join('; ')}`);
    this.name = 'ContentDeletionError';
  }
}

/**
 * Reconciles namespace `name` (the namespaced resources deleter):
 *
 *   not being deleted, or no `kubernetes` finalizer ─► nothing
 *   delete all content ─► status conditions (content remaining, finalizers remaining, failures)
 *     ├ something failed ─────────► throw: retried with backoff
 *     ├ something remains ────────► look again after min(grace estimate, recheck)
 *     └ empty ─► PUT /finalize without `kubernetes` ─► the API server removes the namespace
 */
export async function syncNamespace(d: NamespaceSyncDeps, key: string): Promise<void> {
  const ns = d.namespaces.get(undefined, key);
  if (ns === undefined || ns.metadata?.deletionTimestamp === undefined) return;
  if (!(ns.spec?.finalizers ?? []).includes(kubernetesFinalizer)) return;
  const name = ns.metadata.name ?? key;
  const now = d.clock.now();
  const report = await deleteAllContent(d.client, name, d.resources, now);
  try {
    await updateConditions(d, ns, report, now);
  } catch (e: unknown) {
    // Finalized by an earlier sync and gone already; the cache has not caught up.
    if (isStatusError(e, 'NotFound')) return;
    throw e;
  }
  if (report.failures.size > 0) throw new ContentDeletionError(report.failures);
  if (report.remaining.size > 0) {
    d.logger.info('namespace content remains', { kind: 'Namespace', name, remaining: Object.fromEntries(report.remaining), finalizers: Object.fromEntries(report.finalizers) });
    if (report.estimateSeconds > 0) {
      // Kubernetes waits the whole estimate; pods often go sooner.
      d.enqueueAfter(key, Math.min(report.estimateSeconds * 1000, d.recheckMs));
      return;
    }
    throw new ContentRemainingError(report);
  }
  const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== kubernetesFinalizer);
  try {
    await d.client.resource('v1', 'Namespace').updateSubresource<Namespace>(name, 'finalize', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, ...(ns.metadata.resourceVersion !== undefined ? { resourceVersion: ns.metadata.resourceVersion } : {}) },
      spec: { finalizers },
    });
  } catch (e: unknown) {
    if (isStatusError(e, 'NotFound')) return;
    throw e;
  }
  d.logger.info('namespace emptied and finalized', { kind: 'Namespace', name });
}

/** The five deletion conditions Kubernetes reports on a terminating namespace; written only when they change. */
export function deletionConditions(report: ContentReport, now: number, previous: readonly NamespaceCondition[] = []): NamespaceCondition[] {
  const t = timestamp(now);
  const make = (type: NamespaceConditionType, on: boolean, reason: string, message: string): NamespaceCondition => {
    const status = on ? 'True' : 'False';
    const prev = previous.find((c) => c.type === type);
    return { type, status, reason, message, lastTransitionTime: prev !== undefined && prev.status === status ? (prev.lastTransitionTime ?? t) : t };
  };
  const remaining = [...report.remaining].map(([r, n]) => `${r} has ${n} resource instances`);
  const finalizers = [...report.finalizers].map(([f, n]) => `${f} in ${n} resource instances`);
  const failures = [...report.failures].map(([r, e]) => `${r}: ${e}`);
  return [
    make('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    make('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    failures.length > 0
      ? make('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`)
      : make('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    remaining.length > 0
      ? make('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${remaining.join(', ')}`)
      : make('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
    finalizers.length > 0
      ? make('NamespaceFinalizersRemaining', true, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`)
      : make('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

async function updateConditions(d: NamespaceSyncDeps, ns: Namespace, report: ContentReport, now: number): Promise<void> {
  const previous = ns.status?.conditions ?? [];
  const conditions = deletionConditions(report, now, previous);
  const strip = (cs: readonly NamespaceCondition[]): string => JSON.stringify(cs.map((c) => [c.type, c.status, c.reason, c.message]));
  if (strip(previous) === strip(conditions) && ns.status?.phase === 'Terminating') return;
  const next: Namespace = { ...structuredClone(ns), status: { ...ns.status, phase: 'Terminating', conditions } };
  await d.client.resource('v1', 'Namespace').updateStatus(next);
}
