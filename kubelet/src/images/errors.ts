// Typed errors of the image store: bad references, missing images, digest mismatches, unsafe archives, registry failures.

/** Base class of every image-store error; `code` is stable for callers that branch on it. */
export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ImageErrorCode =
  | 'InvalidReference'
  | 'ImageNotFound'
  | 'DigestMismatch'
  | 'UnsafeArchive'
  | 'InvalidArchive'
  | 'UnsupportedMediaType'
  | 'RegistryError'
  | 'Unauthorized';

/** The reference string does not follow the distribution reference grammar. */
export class InvalidReferenceError extends ImageError {
  constructor(readonly reference: string, reason: string) {
    super('InvalidReference', `invalid image reference "${reference}": ${reason}`);
  }
}

/** No image in the store answers to this reference or id. */
export class ImageNotFoundError extends ImageError {
  constructor(readonly reference: string) {
    super('ImageNotFound', `image "${reference}" not found`);
  }
}

/** Content did not hash to the digest that named it. */
export class DigestMismatchError extends ImageError {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what = 'content',
  ) {
    super('DigestMismatch', `${what} digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** A layer or archive tried to write outside its directory (path traversal) or through a symlink. */
export class UnsafeArchiveError extends ImageError {
  constructor(readonly entryPath: string, reason: string) {
    super('UnsafeArchive', `refusing archive entry "${entryPath}": ${reason}`);
  }
}

/** The archive is neither an OCI image layout nor a `docker save` tarball, or is inconsistent. */
export class InvalidArchiveError extends ImageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArchive', message, options);
  }
}

/** A manifest, config or layer media type this store cannot handle (e.g. schema 1, zstd). */
export class UnsupportedMediaTypeError extends ImageError {
  constructor(readonly mediaType: string) {
    super('UnsupportedMediaType', `unsupported media type "${mediaType}"`);
  }
}

/** A registry answered with an unexpected status. */
export class RegistryError extends ImageError {
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super('RegistryError', `registry request ${url} failed with HTTP ${status}: ${detail}`);
  }
}

/** The registry refused our credentials (or we had none). */
export class UnauthorizedError extends ImageError {
  constructor(readonly url: string, detail: string) {
    super('Unauthorized', `registry refused access to ${url}: ${detail}`);
  }
}
