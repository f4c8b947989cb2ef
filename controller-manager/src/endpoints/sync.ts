// The Endpoints reconcile: the Service's selected pods as canonical subsets, written only when they changed.
import { isStatusError, type Endpoints, type Pod, type Service } from '@keelson/api';
import { splitKey, type Clock, type Lister, type Logger, type RestClient } from '@keelson/client';
import { canonicalJson } from '../common/hash';
import { timestamp } from '../common/time';
import { endpointSubsets, isHeadless, managesEndpoints, selectedPods } from './addresses';

export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
export const headlessLabel = 'service.kubernetes.io/headless';

export interface EndpointsSyncDeps {
  client: RestClient;
  services: Lister<Service>;
  pods: Lister<Pod>;
  endpoints: Lister<Endpoints>;
  clock: Clock;
  logger: Logger;
}

/** The labels of a Service's Endpoints: the Service's, plus the headless marker for headless Services. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (isHeadless(svc)) labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

/**
 * Reconciles the Endpoints of Service `namespace/name` (syncService):
 *
 *   Service gone ─► delete its Endpoints
 *   no selector or ExternalName ─► not ours: leave its Endpoints alone
 *   selected pods with an IP, not terminating ─► subsets (ready / not ready, per port set)
 *   same subsets and labels as stored ─► nothing; else create or update
 */
export async function syncEndpoints(d: EndpointsSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const ns = namespace ?? '';
  const api = d.client.resource('v1', 'Endpoints').namespace(ns);
  const svc = d.services.get(namespace, name);
  if (svc === undefined) {
    try {
      await api.delete(name);
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    return;
  }
  if (!managesEndpoints(svc)) return;
  const subsets = endpointSubsets(svc, selectedPods(d.pods, svc));
  const labels = endpointsLabels(svc);
  const current = d.endpoints.get(namespace, name);
  if (current !== undefined && canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata?.labels ?? {}) === canonicalJson(labels)) return;

  const annotations = { ...(current?.metadata?.annotations ?? {}), [lastChangeTriggerTimeAnnotation]: timestamp(d.clock.now()) };
  const next: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...(current !== undefined ? structuredClone(current.metadata) : {}), name, namespace: ns, labels, annotations },
    subsets,
  };
  // A create that finds one made meanwhile (the cache is behind) fails AlreadyExists: the retry updates it.
  if (current === undefined) await api.create(next);
  else await api.update(next);
  d.logger.debug('endpoints written', { kind: 'Endpoints', namespace: ns, name, subsets: subsets.length });
}
