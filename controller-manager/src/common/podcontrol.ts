// Creating pods from a template and deleting them for a controller, with the events Kubernetes records.
import { isStatusError, type OwnerReference, type Pod, type PodTemplateSpec } from '@keelson/api';
import type { EventObject, EventRecorder, RestClient } from '@keelson/client';

/** What a workload controller needs to start and stop pods; tests substitute the API or this. */
export interface PodControl {
  /** Creates one pod from `template`, named `generateName` + random (default `<owner>-`), controlled by `ref`. */
  createPod(namespace: string, template: PodTemplateSpec | undefined, owner: EventObject & { metadata?: { name?: string } }, ref: OwnerReference, generateName?: string): Promise<Pod>;
  deletePod(namespace: string, name: string, owner: EventObject): Promise<void>;
}

/** The generateName prefix of a controller's pods (`web-7d4b9-`). */
export function podNamePrefix(ownerName: string): string {
  return `${ownerName}-`;
}

/**
 * The pod a controller creates from its template (controller.GetPodFromTemplate): the
 * template's labels, annotations, finalizers and spec, a generated name after the owner, and
 * the controller reference.
 */
export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, ownerName: string, ref: OwnerReference, generateName = podNamePrefix(ownerName)): Pod {
  const t = structuredClone(template ?? {});
  const metadata: Pod['metadata'] = { generateName, namespace, ownerReferences: [ref] };
  if (t.metadata?.labels !== undefined) metadata.labels = t.metadata.labels;
  if (t.metadata?.annotations !== undefined) metadata.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers !== undefined) metadata.finalizers = t.metadata.finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: t.spec ?? { containers: [] } };
}

/** A create refused because the namespace is being deleted: every later create would fail too. */
export function isNamespaceTerminating(err: unknown): boolean {
  return isStatusError(err, 'Forbidden') && err.message.includes('being terminated');
}

/** A template pods cannot be created from. */
export class PodTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PodTemplateError';
  }
}

/** PodControl through the API server, recording SuccessfulCreate/FailedCreate/SuccessfulDelete/FailedDelete. */
export class RealPodControl implements PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  async createPod(namespace: string, template: PodTemplateSpec | undefined, owner: EventObject & { metadata?: { name?: string } }, ref: OwnerReference, generateName?: string): Promise<Pod> {
    const pod = podFromTemplate(template, namespace, ref.name, ref, generateName);
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new PodTemplateError('unable to create pods, no labels');
    try {
      const created = await this.client.resource('v1', 'Pod').namespace(namespace).create(pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    } catch (e: unknown) {
      if (!isNamespaceTerminating(e)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  async deletePod(namespace: string, name: string, owner: EventObject): Promise<void> {
    try {
      await this.client.resource('v1', 'Pod').namespace(namespace).delete(name);
      this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound')) this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
}
