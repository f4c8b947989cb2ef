// DaemonSet expectations: creations and deletions in flight together (Kubernetes' SetExpectations), over the shared ControllerExpectations.
import type { Clock } from '@keelson/client';
import { ControllerExpectations, expectationsTimeoutMs } from '../common/expectations';

/**
 * One sync of a DaemonSet may both create pods (on nodes that lack one) and delete pods
 * (failed, duplicate, misscheduled), so it expects both at once. The shared
 * ControllerExpectations sets one or the other; two of them, one per direction, give
 * Kubernetes' SetExpectations(key, add, del). Deletions stay tracked by pod key, so a pod seen
 * deleted twice (graceful, then final) counts once.
 */
export class DaemonSetExpectations {
  private readonly creations: ControllerExpectations;
  private readonly deletions: ControllerExpectations;

  constructor(clock: Clock, timeoutMs = expectationsTimeoutMs) {
    this.creations = new ControllerExpectations(clock, timeoutMs);
    this.deletions = new ControllerExpectations(clock, timeoutMs);
  }

  /** True when both directions are met (or expired). */
  satisfied(key: string): boolean {
    return this.creations.satisfied(key) && this.deletions.satisfied(key);
  }

  /** Expects `creates` pods to appear and the pods `deleteKeys` to go, replacing what was expected before. */
  set(key: string, creates: number, deleteKeys: readonly string[]): void {
    this.creations.expectCreations(key, creates);
    this.deletions.expectDeletions(key, deleteKeys);
  }

  /** What is still expected, for tests and logs. */
  get(key: string): { add: number; del: number } | undefined {
    const a = this.creations.get(key);
    const d = this.deletions.get(key);
    if (a === undefined && d === undefined) return undefined;
    return { add: a?.add ?? 0, del: d?.del ?? 0 };
  }

  creationObserved(key: string): void {
    this.creations.creationObserved(key);
  }

  deletionObserved(key: string, podKey: string): void {
    this.deletions.deletionObserved(key, podKey);
  }

  delete(key: string): void {
    this.creations.delete(key);
    this.deletions.delete(key);
  }
}
