// OCI image-spec / Docker v2 schema 2 document types and media types the store reads and writes.
import type { Digest } from './digest';

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** Annotation containerd puts on index.json entries: the full normalised image name. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** OCI annotation on index.json entries: the tag (or, from some tools, a full reference). */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime part of an image config (`config` in the OCI image config). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: Array<Record<string, unknown>>;
}

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaTypes.ociIndex || mt === MediaTypes.dockerManifestList;
}

export function isManifestMediaType(mt: string | undefined): boolean {
  return mt === MediaTypes.ociManifest || mt === MediaTypes.dockerManifest;
}

/** How a layer blob is compressed, from its media type; throws for zstd and unknown types. */
export function layerCompression(mt: string): 'none' | 'gzip' | 'unknown' {
  if (mt === MediaTypes.ociLayer || mt === 'application/vnd.oci.image.layer.nondistributable.v1.tar') return 'none';
  if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip')) return 'gzip';
  return 'unknown';
}

/** The media type of a parsed JSON manifest/index, looking at `mediaType` then at the shape. */
export function sniffMediaType(doc: { mediaType?: unknown; manifests?: unknown; config?: unknown; schemaVersion?: unknown }): string {
  if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
  if (doc.schemaVersion === 1) return MediaTypes.dockerManifestSchema1;
  if (Array.isArray(doc.manifests)) return MediaTypes.ociIndex;
  if (doc.config !== undefined) return MediaTypes.ociManifest;
  return 'unknown';
}

/** Maps node's `process.arch` to the GOARCH names used in OCI platforms. */
export function goArch(arch: string = process.arch): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'ppc64':
      return 'ppc64le';
    default:
      return arch; // arm64, arm, s390x, riscv64, mips… share names
  }
}

/** The platform of this machine (linux/<arch>). */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: goArch() };
}
