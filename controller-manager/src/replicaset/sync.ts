// The ReplicaSet reconcile: read from the cache, claim pods, create or delete toward spec.replicas, write status.
import { isStatusError, selectorFromLabelSelector, type Pod, type ReplicaSet, type Selector } from '@keelson/api';
import { splitKey, type Clock, type EventRecorder, type Lister, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import { errorText, toError } from '../common/errors';
import { AdoptionRefusedError, adoptPatch, claimObjects, newControllerRef, releasePatch } from '../common/controllerref';
import type { ControllerExpectations } from '../common/expectations';
import type { PodControl } from '../common/podcontrol';
import { isPodActive } from '../common/pods';
import { manageReplicas } from './replicas';
import { calculateStatus, updateStatus } from './status';

/** Everything the reconcile reads and writes through; the controller builds it, tests fake it. */
export interface ReplicaSetSyncDeps {
  client: RestClient;
  replicaSets: Lister<ReplicaSet>;
  pods: SharedIndexInformer<Pod>['lister'];
  podControl: PodControl;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  /** Most pods created or deleted in one sync (Kubernetes: 500). */
  burstReplicas: number;
  enqueueAfter(key: string, delayMs: number): void;
}

/**
 * Reconciles the ReplicaSet `namespace/name`:
 *
 *   lister get ─ gone? forget expectations ─► done
 *        │
 *   expectations met? ── active pods in the namespace ─► claim (adopt orphans that match,
 *        │                                               release owned pods that stopped matching)
 *        ├─ met and not being deleted: manageReplicas (create / delete toward spec.replicas)
 *        ▼
 *   calculateStatus ─► PUT /status (observedGeneration) ─► throw the manage error to requeue
 */
export async function syncReplicaSet(d: ReplicaSetSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const rs = d.replicaSets.get(namespace, name);
  if (rs === undefined) {
    d.expectations.delete(key);
    return;
  }
  const needsSync = d.expectations.satisfied(key);
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(rs.spec?.selector);
  } catch (e: unknown) {
    // Validation keeps these out; retrying cannot fix one.
    d.logger.error('invalid selector', { kind: 'ReplicaSet', namespace, name, error: errorText(e) });
    return;
  }
  const active = d.pods.namespace(namespace ?? '').list().filter(isPodActive);
  const pods = await claimPods(d, rs, selector, active);

  let manageError: Error | undefined;
  if (needsSync && rs.metadata?.deletionTimestamp === undefined) {
    try {
      await manageReplicas(d, pods, rs, key);
    } catch (e: unknown) {
      manageError = toError(e);
    }
  }

  const status = calculateStatus(rs, pods, manageError, d.clock.now());
  const updated = await updateStatus(d, rs, status);
  const minReady = updated.spec?.minReadySeconds ?? 0;
  const replicas = updated.spec?.replicas ?? 1;
  // Pods ready but not yet available become available by the clock alone: look again then.
  if (manageError === undefined && minReady > 0 && (updated.status?.readyReplicas ?? 0) === replicas && (updated.status?.availableReplicas ?? 0) !== replicas) {
    d.enqueueAfter(key, minReady * 1000);
  }
  if (manageError !== undefined) throw manageError;
}

/** Adopts matching orphan pods and releases owned pods that no longer match; returns the pods this ReplicaSet owns. */
export async function claimPods(d: ReplicaSetSyncDeps, rs: ReplicaSet, selector: Selector, pods: readonly Pod[]): Promise<Pod[]> {
  const namespace = rs.metadata?.namespace ?? '';
  const podsApi = d.client.resource('v1', 'Pod').namespace(namespace);
  const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
  return claimObjects(pods, {
    controller: rs,
    selector,
    canAdopt: async () => {
      const fresh = await d.client.resource('apps/v1', 'ReplicaSet').namespace(namespace).get(rs.metadata?.name ?? '').catch((e: unknown) => {
        if (isStatusError(e, 'NotFound')) return undefined;
        throw e;
      });
      if (fresh === undefined || fresh.metadata?.uid !== rs.metadata?.uid) throw new AdoptionRefusedError(`original ReplicaSet ${namespace}/${rs.metadata?.name ?? ''} is gone`);
      if (fresh.metadata?.deletionTimestamp !== undefined) throw new AdoptionRefusedError(`ReplicaSet ${namespace}/${rs.metadata?.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    },
    adopt: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', adoptPatch(ref, p.metadata?.uid));
    },
    release: async (p) => {
      await podsApi.patch(p.metadata?.name ?? '', 'strategic', releasePatch(rs.metadata?.uid ?? '', p.metadata?.uid));
    },
  });
}
