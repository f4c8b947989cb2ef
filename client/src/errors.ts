// Client errors: API failures rebuilt as @keelson/api StatusErrors, and typed client-side faults.
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InternalError,
  InvalidError,
  MethodNotAllowedError,
  NotFoundError,
  RequestEntityTooLargeError,
  ServiceUnavailableError,
  StatusError,
  TimeoutError,
  UnsupportedMediaTypeError,
  type CauseType,
  type ErrorTarget,
  type FieldError,
  type Status,
  type StatusDetails,
  type StatusReason,
} from '@keelson/api';

/** Base of every failure that did not come from an API answer (network, config, misuse). */
export class ClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request never got an answer: connection refused or reset, DNS, TLS handshake, a stream cut short. */
export class TransportError extends ClientError {
  readonly method: string;
  readonly url: string;
  constructor(method: string, url: string, message: string, options?: { cause?: unknown }) {
    super(`${method} ${url}: ${message}`, options);
    this.method = method;
    this.url = url;
  }
}

/** No answer within the client's request timeout. */
export class RequestTimeoutError extends TransportError {
  readonly timeoutMs: number;
  constructor(method: string, url: string, timeoutMs: number) {
    super(method, url, `no response within ${timeoutMs}ms (the client's request timeout)`);
    this.timeoutMs = timeoutMs;
  }
}

/** A kubeconfig that cannot be read or makes no sense; `file` names it when one is to blame. */
export class KubeconfigError extends ClientError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super(file === undefined ? message : `${file}: ${message}`, options);
    this.file = file;
  }
}

/** The caller asked for something the client cannot express (a name-less get, no namespace, …). */
export class ClientUsageError extends ClientError {}

/** A watch stream line that is not a watch event. */
export class WatchDecodeError extends ClientError {
  readonly line: string;
  constructor(line: string, options?: { cause?: unknown }) {
    super(`watch stream: not a watch event: ${line.length > 200 ? `${line.slice(0, 197)}...` : line}`, options);
    this.line = line;
  }
}

/** What a request was about, so errors rebuilt from a bare status still name the object. */
export interface RequestTarget {
  group?: string;
  resource?: string;
  kind?: string;
  name?: string;
}

const knownReasons = new Set<string>([
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Expired',
  'Invalid',
  'Timeout',
  'ServerTimeout',
  'TooManyRequests',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'ServiceUnavailable',
]);

const knownCauses = new Set<string>([
  'FieldValueNotFound',
  'FieldValueRequired',
  'FieldValueDuplicate',
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
  'InternalError',
]);

/** The reason Kubernetes pairs with an HTTP code when the body says nothing better. */
export function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return code >= 500 ? 'InternalError' : 'BadRequest';
  }
}

/** Whether a parsed body is a meta/v1 Status. */
export function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { kind?: unknown }).kind === 'Status';
}

/** A 410: the resourceVersion (or continue token) asked for is older than the server keeps. Relist. */
export function isExpired(err: unknown): boolean {
  return err instanceof StatusError && err.code === 410;
}

/**
 * Makes a rebuilt error say exactly what the server said: its message, details and reason
 * (the subclass constructors compose their own, which would drift from the server's words).
 * The fields are own properties (ES2022 class fields), so redefining them is safe.
 */
function adopt<E extends StatusError>(err: E, message: string, reason: StatusReason, details: StatusDetails | undefined): E {
  err.message = message;
  if (err.stack !== undefined) {
    const nl = err.stack.indexOf('\n    at ');
    err.stack = `${err.name}: ${message}${nl >= 0 ? err.stack.slice(nl) : ''}`;
  }
  if (reason !== err.reason) Object.defineProperty(err, 'reason', { value: reason, enumerable: true });
  if (details !== undefined) Object.defineProperty(err, 'details', { value: details, enumerable: true });
  return err;
}

function fieldErrorsOf(details: StatusDetails | undefined): FieldError[] {
  return (details?.causes ?? []).map((c) => {
    const e: FieldError = {
      type: c.reason !== undefined && knownCauses.has(c.reason) ? (c.reason as CauseType) : 'FieldValueInvalid',
      field: c.field ?? '',
    };
    if (c.message !== undefined) e.detail = c.message;
    return e;
  });
}

/**
 * The typed error for a failure Status: NotFoundError for NotFound, ConflictError for Conflict,
 * InvalidError (with its field errors) for Invalid, ExpiredError for 410, and so on; a bare
 * StatusError with the server's code and reason for the few reasons without a class
 * (Unauthorized, TooManyRequests, ServerTimeout, NotAcceptable). Message, reason and details are
 * the server's, so `err.toStatus()` gives back what came over the wire.
 */
export function errorFromStatus(status: Status, httpCode: number, target: RequestTarget = {}): StatusError {
  const code = typeof status.code === 'number' && status.code >= 400 ? status.code : httpCode;
  const reason: StatusReason = status.reason !== undefined && knownReasons.has(status.reason) ? (status.reason as StatusReason) : reasonForCode(code);
  const message = status.message ?? `the server responded with HTTP ${code} (${reason})`;
  const details = status.details;
  const t: ErrorTarget = {};
  const group = details?.group ?? target.group;
  if (group !== undefined) t.group = group;
  const resource = target.resource ?? details?.kind;
  if (resource !== undefined) t.resource = resource;
  const kind = details?.kind ?? target.kind;
  if (kind !== undefined) t.kind = kind;
  const name = details?.name ?? target.name;
  if (name !== undefined) t.name = name;

  let err: StatusError;
  switch (reason) {
    case 'NotFound':
      err = new NotFoundError(t, message);
      break;
    case 'AlreadyExists':
      err = new AlreadyExistsError(t, message);
      break;
    case 'Conflict':
      err = new ConflictError(t, message);
      break;
    case 'Invalid':
      err = new InvalidError({ ...t, kind: details?.kind ?? target.kind ?? '' }, fieldErrorsOf(details));
      break;
    case 'Expired':
    case 'Gone': {
      const m = /too old resource version: (\d+) \((\d+)\)/.exec(message);
      err = new ExpiredError(Number(m?.[1] ?? 0), Number(m?.[2] ?? 0));
      break;
    }
    case 'BadRequest':
      err = new BadRequestError(message);
      break;
    case 'Forbidden':
      err = new ForbiddenError(message, t);
      break;
    case 'MethodNotAllowed':
      err = new MethodNotAllowedError(message);
      break;
    case 'RequestEntityTooLarge':
      err = new RequestEntityTooLargeError(0);
      break;
    case 'UnsupportedMediaType':
      err = new UnsupportedMediaTypeError('');
      break;
    case 'Timeout':
      err = new TimeoutError(message);
      break;
    case 'InternalError':
      err = new InternalError(message);
      break;
    case 'ServiceUnavailable':
      err = new ServiceUnavailableError(message);
      break;
    default:
      err = new StatusError(code, reason, message, details);
  }
  if (err.code !== code) Object.defineProperty(err, 'code', { value: code, enumerable: true });
  return adopt(err, message, reason, details ?? err.details);
}

/**
 * The typed error for a non-2xx answer: the Status in the body when there is one, else one built
 * from the HTTP code (a proxy's HTML error page, an empty 503) with the start of the body quoted.
 */
export function errorFromResponse(httpCode: number, body: string, target: RequestTarget = {}): StatusError {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined; // not JSON: described from the code below
  }
  if (isStatus(parsed)) return errorFromStatus(parsed, httpCode, target);
  const reason = reasonForCode(httpCode);
  const snippet = body.trim().replace(/\s+/g, ' ');
  const message = `the server responded with HTTP ${httpCode} (${reason})${snippet ? `: ${snippet.length > 200 ? `${snippet.slice(0, 197)}...` : snippet}` : ''}`;
  return errorFromStatus({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: httpCode, reason, message }, httpCode, target);
}

/**
 * A watch cannot resume: the server no longer has the changes after `resourceVersion` (HTTP 410,
 * or an ERROR event carrying 410). The caller must list again and watch from the list's
 * resourceVersion. An ExpiredError, so `isExpired` and `instanceof ExpiredError` both see it.
 */
export class WatchExpiredError extends ExpiredError {
  /** The resourceVersion the watch tried to resume from. */
  readonly resourceVersion: string | undefined;
  constructor(resourceVersion: string | undefined, cause: StatusError) {
    const m = /too old resource version: (\d+) \((\d+)\)/.exec(cause.message);
    super(Number(m?.[1] ?? resourceVersion ?? 0), Number(m?.[2] ?? 0));
    this.resourceVersion = resourceVersion;
    this.message = `watch from resourceVersion ${resourceVersion ?? '(none)'} expired: ${cause.message}`;
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
    if (cause.details !== undefined) Object.defineProperty(this, 'details', { value: cause.details, enumerable: true });
  }
}
