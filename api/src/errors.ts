// Typed errors that map one-to-one onto Kubernetes `Status` responses.
import type { Status, StatusCause, StatusDetails } from './types/meta';

/** The `reason` values Kubernetes puts in a failure Status. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'Timeout'
  | 'ServerTimeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable';

/** The `reason` of one cause in an Invalid status (k8s.io/apimachinery field.ErrorType). */
export type CauseType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

/** Identifies the object an error is about, as `StatusDetails` does. */
export interface ErrorTarget {
  group?: string;
  /** The plural resource name, e.g. `deployments`. */
  resource?: string;
  /** The kind, used by Invalid errors (`Deployment.apps "web" is invalid`). */
  kind?: string;
  name?: string;
}

/** Base of every error the API can report; `toStatus()` is what goes on the wire. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

/** `deployments.apps` or `pods`: how Kubernetes names a resource in messages. */
export function qualifiedResource(t: ErrorTarget): string {
  const resource = t.resource ?? 'unknown';
  return t.group ? `${resource}.${t.group}` : resource;
}

function detailsOf(t: ErrorTarget): StatusDetails {
  const d: StatusDetails = {};
  if (t.name !== undefined) d.name = t.name;
  if (t.group !== undefined && t.group !== '') d.group = t.group;
  if (t.kind !== undefined) d.kind = t.kind;
  else if (t.resource !== undefined) d.kind = t.resource;
  return d;
}

export class BadRequestError extends StatusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, 'BadRequest', message, undefined, options);
  }
}

export class NotFoundError extends StatusError {
  readonly target: ErrorTarget;
  constructor(target: ErrorTarget, message?: string) {
    super(
      404,
      'NotFound',
      message ?? `${qualifiedResource(target)} "${target.name ?? ''}" not found`,
      detailsOf(target),
    );
    this.target = target;
  }
}

export class AlreadyExistsError extends StatusError {
  readonly target: ErrorTarget;
  constructor(target: ErrorTarget, message?: string) {
    super(
      409,
      'AlreadyExists',
      message ?? `${qualifiedResource(target)} "${target.name ?? ''}" already exists`,
      detailsOf(target),
    );
    this.target = target;
  }
}

export class ConflictError extends StatusError {
  readonly target: ErrorTarget;
  constructor(target: ErrorTarget, reason: string) {
    super(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(target)} "${target.name ?? ''}": ${reason}`,
      detailsOf(target),
    );
    this.target = target;
  }
}

/** A resourceVersion older than the oldest one storage still holds (HTTP 410). */
export class ExpiredError extends StatusError {
  readonly requested: number;
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(
      410,
      'Expired',
      `too old resource version: ${requested} (${oldest})`,
    );
    this.requested = requested;
    this.oldest = oldest;
  }
}

/** One problem with one field, as `field.Error` is in Kubernetes. */
export interface FieldError {
  type: CauseType;
  /** The path as Kubernetes prints it: `spec.template.spec.containers[0].image`. */
  field: string;
  /** The offending value, when there is one worth printing. */
  value?: unknown;
  /** The detail after the type, e.g. `must be no more than 63 characters`. */
  detail?: string;
}

const causeText: Record<CauseType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/** `spec.replicas: Invalid value: -1: must be greater than or equal to 0` */
export function fieldErrorMessage(e: FieldError): string {
  const head = causeText[e.type];
  const carriesValue =
    e.type === 'FieldValueInvalid' ||
    e.type === 'FieldValueNotSupported' ||
    e.type === 'FieldValueDuplicate' ||
    e.type === 'FieldValueTypeInvalid' ||
    e.type === 'FieldValueNotFound';
  let s = head;
  if (carriesValue && 'value' in e) s += `: ${showValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export class InvalidError extends StatusError {
  readonly errors: readonly FieldError[];
  constructor(target: ErrorTarget, errors: readonly FieldError[]) {
    const kindName = target.kind
      ? target.group
        ? `${target.kind}.${target.group}`
        : target.kind
      : qualifiedResource(target);
    const parts = errors.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
    const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
    const causes: StatusCause[] = errors.map((e) => ({
      reason: e.type,
      message: fieldErrorMessage(e),
      field: e.field,
    }));
    super(422, 'Invalid', `${kindName} "${target.name ?? ''}" is invalid: ${summary}`, {
      ...detailsOf(target),
      causes,
    });
    this.errors = errors;
  }
}

export class ForbiddenError extends StatusError {
  constructor(message: string, target?: ErrorTarget) {
    super(403, 'Forbidden', message, target ? detailsOf(target) : undefined);
  }
}

export class MethodNotAllowedError extends StatusError {
  constructor(message: string) {
    super(405, 'MethodNotAllowed', message);
  }
}

export class UnsupportedMediaTypeError extends StatusError {
  constructor(contentType: string) {
    super(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml; got ${contentType}`);
  }
}

export class RequestEntityTooLargeError extends StatusError {
  constructor(limitBytes: number) {
    super(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limitBytes} bytes`);
  }
}

export class TimeoutError extends StatusError {
  constructor(message: string) {
    super(504, 'Timeout', message);
  }
}

export class InternalError extends StatusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(500, 'InternalError', `Internal error occurred: ${message}`, undefined, options);
  }
}

export class ServiceUnavailableError extends StatusError {
  constructor(message: string) {
    super(503, 'ServiceUnavailable', message);
  }
}

/** Anything thrown, as a StatusError (unknown faults become InternalError with the cause kept). */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(message, { cause: err });
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}
