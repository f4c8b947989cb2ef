// Errors the patch code raises that have no general-purpose class in @keelson/api.
import { StatusError, type StatusCause } from '@keelson/api';

/**
 * A patch that parsed but could not be applied (a json-patch `test` that failed, a path that is
 * not there). Upstream answers these with a generic 422 whose message carries no detail
 * (`errors.NewGenericServerResponse(422, …)`); we keep that message for wire compatibility and
 * add the detail as a cause so a client can still tell what went wrong.
 */
export class PatchApplyError extends StatusError {
  readonly detail: string;
  constructor(detail: string) {
    super(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ message: detail }],
    });
    this.detail = detail;
  }
}

/** A json patch with more operations than the server accepts (HTTP 413). */
export class TooManyOperationsError extends StatusError {
  constructor(limit: number, got: number) {
    super(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${limit}, got ${got}`,
    );
  }
}

/** One field two managers disagree about, as server-side apply reports it. */
export interface ApplyConflict {
  /** The other manager, printed as Kubernetes does: `"kubectl" using apps/v1` or `"helm"`. */
  manager: string;
  /** The field path in structured-merge-diff notation: `.spec.replicas`, `.spec.containers[name="web"].image`. */
  field: string;
}

/**
 * Server-side apply conflicts (HTTP 409, reason Conflict), with the message and causes
 * `errors.NewApplyConflict` produces, e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`.
 */
export class ApplyConflictError extends StatusError {
  readonly conflicts: readonly ApplyConflict[];
  constructor(conflicts: readonly ApplyConflict[]) {
    const causes: StatusCause[] = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${c.manager}`,
      field: c.field,
    }));
    super(409, 'Conflict', conflictMessage(conflicts), { causes });
    this.conflicts = conflicts;
  }
}

function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) return `Apply failed with 1 conflict: conflict with ${only.manager}: ${only.field}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${manager}:`);
    for (const f of byManager.get(manager) ?? []) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
