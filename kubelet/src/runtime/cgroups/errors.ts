// Typed errors of the cgroup managers.

/** A cgroup operation failed; `path` is the cgroup path relative to the hierarchy root. */
export class CgroupError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cgroup ${path}: ${message}`, options);
    this.name = 'CgroupError';
  }
}

/** A resource was requested whose controller is not available to us (not mounted on v1, not delegated on v2). */
export class CgroupControllerMissingError extends CgroupError {
  constructor(
    path: string,
    readonly controllers: readonly string[],
    readonly mode: 'v1' | 'v2',
  ) {
    super(
      path,
      mode === 'v1'
        ? `cgroup v1 controller(s) ${controllers.join(', ')} not mounted (see /proc/self/mountinfo)`
        : `cgroup v2 controller(s) ${controllers.join(', ')} not available (not in the parent's cgroup.controllers; on a hybrid host they are bound to v1 hierarchies)`,
    );
    this.name = 'CgroupControllerMissingError';
  }
}
