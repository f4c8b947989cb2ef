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
