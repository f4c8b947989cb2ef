// The scheduler's writes to the API server behind small interfaces (bind, patch status/metadata, Leases, Events), and their RestClient implementations.
import { NotFoundError, type Event, type Lease } from '@keelson/api';
import type { EventPatch, EventSink, LeaseClient, RestClient } from '@keelson/client';

/** What the scheduler writes about pods. Implementations throw @keelson/api StatusErrors. */
export interface PodWriter {
  /** POST pods/{name}/binding: sets spec.nodeName (and PodScheduled=True) if the pod is still unbound. */
  bind(namespace: string, name: string, uid: string, nodeName: string): Promise<void>;
  /** Strategic merge patch of pods/{name}/status. */
  patchStatus(namespace: string, name: string, patch: object): Promise<void>;
  /** JSON merge patch of the pod (metadata). */
  patchPod(namespace: string, name: string, patch: object): Promise<void>;
}

export function restPodWriter(client: RestClient, fieldManager: string): PodWriter {
  const pods = client.resource('v1', 'Pod');
  return {
    async bind(namespace, name, uid, nodeName) {
      await pods.namespace(namespace).createSubresource(
        name,
        'binding',
        { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
        { fieldManager },
      );
    },
    async patchStatus(namespace, name, patch) {
      await pods.namespace(namespace).patch(name, 'strategic', patch, { subresource: 'status', fieldManager });
    },
    async patchPod(namespace, name, patch) {
      await pods.namespace(namespace).patch(name, 'merge', patch, { fieldManager });
    },
  };
}

/** Leader election's Lease client over the REST client. */
export function restLeaseClient(client: RestClient): LeaseClient {
  const leases = client.resource('coordination.k8s.io/v1', 'Lease');
  return {
    async get(namespace, name, options = {}) {
      try {
        return await leases.namespace(namespace).get(name, options);
      } catch (e: unknown) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    },
    create: (lease: Lease, options = {}) => leases.namespace(lease.metadata?.namespace ?? '').create(lease, options),
    update: (lease: Lease, options = {}) => leases.namespace(lease.metadata?.namespace ?? '').update(lease, options),
  };
}

/** The event recorder's sink over the REST client. */
export function restEventSink(client: RestClient): EventSink {
  const events = client.resource('v1', 'Event');
  return {
    create: (event: Event) => events.namespace(event.metadata.namespace ?? 'default').create(event),
    patch: (namespace: string, name: string, patch: EventPatch) => events.namespace(namespace).patch(name, 'merge', patch),
  };
}
