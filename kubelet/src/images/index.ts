// Public surface of the image store (kubelet/src/images): content store, references, import/pull, config merge.
export { ImageStore, type ImageStoreOptions, type ImageStatus, type ResolvedImage, type ImportedImage } from './image-store';
export { mergeConfig, mergeEnv, expandVars, NoCommandError, type ContainerOverrides, type MergedProcessConfig } from './config-merge';
export {
  parseReference,
  normalizeReference,
  formatReference,
  familiarName,
  repositoryName,
  parseImageId,
  type ImageReference,
} from './reference';
export { buildBusyboxImage, BUSYBOX_PATH_ENV, type BuildBusyboxOptions, type BuiltImage } from './build-busybox';
export { type RegistryAuth, RegistryClient } from './registry';
export { type Digest, sha256, isDigest } from './digest';
export type { ContainerConfig, ImageConfig, ImageManifest, ImageIndex, Descriptor, Platform } from './oci';
export { MediaTypes } from './oci';
export { TarWriter, type TarEntry } from './tar-writer';
export {
  ImageError,
  InvalidReferenceError,
  ImageNotFoundError,
  DigestMismatchError,
  UnsafeArchiveError,
  InvalidArchiveError,
  UnsupportedMediaTypeError,
  RegistryError,
  UnauthorizedError,
  type ImageErrorCode,
} from './errors';
