// Typed errors of the native helper wrapper: binary missing, a mode that failed, a bad config value, a wait that timed out.

/** Base class of every error raised by the native helper wrapper. */
export class HelperError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `kubelet/native/keelson-helper` has not been built. */
export class HelperNotBuiltError extends HelperError {
  constructor(readonly binary: string) {
    super(`keelson-helper not built: run make -C kubelet/native (looked for ${binary})`);
  }
}

/** A helper mode exited non-zero; `detail` is the one line it printed on stderr. */
export class HelperFailedError extends HelperError {
  constructor(
    readonly mode: 'sandbox' | 'run' | 'exec',
    readonly exitCode: number | null,
    readonly detail: string,
  ) {
    super(`keelson-helper ${mode} failed (exit ${exitCode ?? 'signal'}): ${detail || 'no message'}`);
  }
}

/** A config value the helper cannot carry (a NUL byte, a tab in a mount field, a bad number). */
export class HelperConfigError extends HelperError {}

/** A state file did not appear in time. */
export class HelperTimeoutError extends HelperError {}
