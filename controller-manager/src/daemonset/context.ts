// What the DaemonSet reconcile reads and writes through: listers, the client, pod control, expectations, back-off, clock.
import type { ControllerRevision, DaemonSet, Node, Pod } from '@keelson/api';
import type { Clock, EventRecorder, Lister, Logger, RestClient } from '@keelson/client';
import type { PodControl } from '../common/podcontrol';
import type { FailedPodsBackoff } from './backoff';
import type { DaemonSetExpectations } from './expectations';

/** The controller builds this; unit tests build it over the fake API and seeded caches. */
export interface DaemonSetSyncDeps {
  client: RestClient;
  daemonSets: Lister<DaemonSet>;
  nodes: Lister<Node>;
  pods: Lister<Pod>;
  revisions: Lister<ControllerRevision>;
  podControl: PodControl;
  expectations: DaemonSetExpectations;
  backoff: FailedPodsBackoff;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  /** Most pods created, and most deleted, in one sync (Kubernetes' DaemonSet BurstReplicas: 250). */
  burstReplicas: number;
  enqueueAfter(key: string, delayMs: number): void;
}

/** The object a DaemonSet's events and owner references name. */
export function eventObject(ds: DaemonSet): { apiVersion: string; kind: string; metadata?: DaemonSet['metadata'] } {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata };
}
