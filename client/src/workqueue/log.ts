// The logger the client library writes through: the subset of winston.Logger it needs.

/** Structured logging; a `winston.Logger` satisfies it. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

/** JSON lines on stderr: the fallback when a component passes no logger (errors are never dropped silently). */
export const consoleLogger: Logger = {
  error: (message, meta) => console.error(JSON.stringify({ level: 'error', message, ...meta })),
  warn: (message, meta) => console.error(JSON.stringify({ level: 'warn', message, ...meta })),
  info: (message, meta) => console.error(JSON.stringify({ level: 'info', message, ...meta })),
  debug: () => undefined,
};

/** `err.message` for an Error, the value as text otherwise: for log fields. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
