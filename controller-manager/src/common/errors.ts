// Error text for log fields and conditions.

/** `err.message` for an Error, the value as text otherwise. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The value as an Error: itself when it is one, else an Error carrying its text (and it as `cause`). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err), { cause: err });
}
