// How keelctl reports a failure: one line, kubectl's wording, and a non-zero exit.
import { StatusError } from '@keelson/api';

/** A usage or input error keelctl finds itself (bad flags, unreadable files). Exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Thrown by a command that has printed its own message and wants a particular exit code (`diff` exits 1 on differences). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * `Error from server (NotFound): deployments.apps "web" not found`, as kubectl prints a Status;
 * `error: …` for everything else.
 */
export function describeError(e: unknown): string {
  if (e instanceof StatusError) return `Error from server (${e.reason}): ${e.message}`;
  if (e instanceof CliError) return `error: ${e.message}`;
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}
