// Typed runtime errors and their gRPC status codes: what the shim answers and what the client turns back into the same classes.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** The reasons a runtime call fails, each with its gRPC code. */
export type RuntimeErrorReason = 'NotFound' | 'AlreadyExists' | 'InvalidArgument' | 'FailedPrecondition' | 'Unavailable' | 'DeadlineExceeded' | 'Unimplemented' | 'Internal';

const codes: Record<RuntimeErrorReason, GrpcStatus> = {
  NotFound: GrpcStatus.NOT_FOUND,
  AlreadyExists: GrpcStatus.ALREADY_EXISTS,
  InvalidArgument: GrpcStatus.INVALID_ARGUMENT,
  FailedPrecondition: GrpcStatus.FAILED_PRECONDITION,
  Unavailable: GrpcStatus.UNAVAILABLE,
  DeadlineExceeded: GrpcStatus.DEADLINE_EXCEEDED,
  Unimplemented: GrpcStatus.UNIMPLEMENTED,
  Internal: GrpcStatus.INTERNAL,
};

export class RuntimeError extends Error {
  constructor(
    readonly reason: RuntimeErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RuntimeError';
  }

  get code(): GrpcStatus {
    return codes[this.reason];
  }
}

export const notFound = (what: string, id: string): RuntimeError => new RuntimeError('NotFound', `${what} "${id}" not found`);
export const invalid = (message: string): RuntimeError => new RuntimeError('InvalidArgument', message);
export const precondition = (message: string): RuntimeError => new RuntimeError('FailedPrecondition', message);

/** True when `e` is a RuntimeError (from the backend or decoded by the client) with the given reason. */
export function isRuntimeError(e: unknown, reason?: RuntimeErrorReason): e is RuntimeError {
  return e instanceof RuntimeError && (reason === undefined || e.reason === reason);
}

/** The error the server sends: RuntimeErrors keep their code, anything else is Internal with its message. */
export function toServiceError(e: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (e instanceof RuntimeError) return { code: e.code, details: e.message, message: e.message, metadata };
  const message = e instanceof Error ? e.message : String(e);
  return { code: GrpcStatus.INTERNAL, details: message, message, metadata };
}

/** The RuntimeError a client sees for a failed call. */
export function fromServiceError(e: ServiceError, method: string): RuntimeError {
  const reason = (Object.keys(codes) as RuntimeErrorReason[]).find((r) => codes[r] === e.code) ?? 'Internal';
  return new RuntimeError(reason, `${method}: ${e.details || e.message}`, { cause: e });
}
