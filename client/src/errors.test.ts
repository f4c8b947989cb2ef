// Server Status bodies rebuilt as the typed @keelson/api errors, with the server's words kept.
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InternalError,
  InvalidError,
  NotFoundError,
  ServiceUnavailableError,
  StatusError,
  type Status,
} from '@keelson/api';
import { WatchExpiredError, errorFromResponse, errorFromStatus, isExpired } from './errors';

function status(code: number, reason: string, message: string, details?: Status['details']): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(details ? { details } : {}) });
}

describe('errorFromResponse', () => {
  it('rebuilds NotFound as NotFoundError with the server message and details', () => {
    const body = status(404, 'NotFound', 'deployments.apps "web" not found', { name: 'web', group: 'apps', kind: 'deployments' });
    const err = errorFromResponse(404, body, { group: 'apps', resource: 'deployments', name: 'web' });
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('deployments.apps "web" not found');
    expect((err as NotFoundError).target).toMatchObject({ group: 'apps', resource: 'deployments', name: 'web' });
    expect(err.toStatus()).toEqual(JSON.parse(body));
  });

  it('keeps a Conflict message verbatim instead of re-wrapping it', () => {
    const message = 'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again';
    const err = errorFromResponse(409, status(409, 'Conflict', message, { name: 'c', kind: 'configmaps' }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe(message);
    expect(err.code).toBe(409);
  });

  it('tells AlreadyExists from Conflict although both are 409', () => {
    const err = errorFromResponse(409, status(409, 'AlreadyExists', 'configmaps "c" already exists', { name: 'c', kind: 'configmaps' }));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(err).not.toBeInstanceOf(ConflictError);
  });

  it('turns Invalid causes into field errors', () => {
    const body = status(422, 'Invalid', 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0', {
      name: 'bad',
      group: 'apps',
      kind: 'Deployment',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
    });
    const err = errorFromResponse(422, body);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).errors).toEqual([{ type: 'FieldValueInvalid', field: 'spec.replicas', detail: 'Invalid value: -1: must be greater than or equal to 0' }]);
    expect(err.details?.causes?.[0]?.field).toBe('spec.replicas');
    expect(err.message).toContain('spec.replicas');
  });

  it('maps 410 Expired and Gone to ExpiredError, parsing the revisions', () => {
    const expired = errorFromResponse(410, status(410, 'Expired', 'too old resource version: 5 (12)'));
    expect(expired).toBeInstanceOf(ExpiredError);
    expect((expired as ExpiredError).requested).toBe(5);
    expect((expired as ExpiredError).oldest).toBe(12);
    expect(isExpired(expired)).toBe(true);
    const gone = errorFromResponse(410, status(410, 'Gone', 'the resourceVersion for the provided list is too old'));
    expect(gone).toBeInstanceOf(ExpiredError);
    expect(gone.reason).toBe('Gone');
    expect(isExpired(new NotFoundError({ name: 'x' }))).toBe(false);
  });

  it('keeps reasons without a class as a StatusError with code, reason and details', () => {
    const unauthorized = errorFromResponse(401, status(401, 'Unauthorized', 'Unauthorized'));
    expect(unauthorized.constructor).toBe(StatusError);
    expect(unauthorized).toMatchObject({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    const throttled = errorFromResponse(429, status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }));
    expect(throttled).toMatchObject({ code: 429, reason: 'TooManyRequests' });
    expect(throttled.details?.retryAfterSeconds).toBe(3);
  });

  it('maps Forbidden and names the resource', () => {
    const err = errorFromResponse(403, status(403, 'Forbidden', 'pods is forbidden: namespace x is terminating'), { resource: 'pods' });
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toBe('pods is forbidden: namespace x is terminating');
  });

  it('describes a non-Status answer from its HTTP code, quoting the body', () => {
    const err = errorFromResponse(502, '<html><body>Bad Gateway</body></html>');
    expect(err).toBeInstanceOf(InternalError);
    expect(err.code).toBe(502);
    expect(err.message).toBe('the server responded with HTTP 502 (InternalError): <html><body>Bad Gateway</body></html>');
    const empty = errorFromResponse(503, '');
    expect(empty).toBeInstanceOf(ServiceUnavailableError);
    expect(empty.message).toBe('the server responded with HTTP 503 (ServiceUnavailable)');
    const notFound = errorFromResponse(404, 'nope', { resource: 'pods', name: 'p' });
    expect(notFound).toBeInstanceOf(NotFoundError);
  });

  it('falls back to the HTTP code for an unknown reason', () => {
    const err = errorFromStatus({ kind: 'Status', code: 404, reason: 'SomethingNew', message: 'gone fishing' }, 404);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('gone fishing');
  });

  it('WatchExpiredError is an ExpiredError naming the resourceVersion it tried', () => {
    const cause = errorFromResponse(410, status(410, 'Expired', 'too old resource version: 7 (20)'));
    const err = new WatchExpiredError('7', cause);
    expect(err).toBeInstanceOf(ExpiredError);
    expect(isExpired(err)).toBe(true);
    expect(err.resourceVersion).toBe('7');
    expect(err.oldest).toBe(20);
    expect(err.cause).toBe(cause);
    expect(err.message).toContain('watch from resourceVersion 7 expired');
  });
});
