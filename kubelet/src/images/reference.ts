// Image reference parsing and normalisation the way Kubernetes/containerd do it (docker.io/library/ prefix, :latest default).
import { InvalidReferenceError } from './errors';
import { type Digest, isDigest } from './digest';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar of github.com/distribution/reference (regexp.go), restricted to sha256 digests.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const ANCHORED_ID_RE = /^[a-f0-9]{64}$/;

/** A fully normalised reference: `domain/path` plus a tag, a digest, or both. */
export interface ImageReference {
  /** Registry host[:port], e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: Digest;
}

/**
 * Parses and normalises like containerd's `reference/docker.ParseDockerRef`:
 * `busybox` → `docker.io/library/busybox:latest`; `name:tag@digest` keeps only the digest.
 */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  if (s === '') throw new InvalidReferenceError(input, 'empty reference');
  if (ANCHORED_ID_RE.test(s)) {
    throw new InvalidReferenceError(input, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }

  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidReferenceError(input, `invalid digest "${d}" (want sha256:<64 hex>)`);
    digest = d;
    rest = rest.slice(0, at);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(input, `invalid tag "${tag}"`);
  }

  let { domain, path } = splitDomain(rest);
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;

  if (!DOMAIN_RE.test(domain)) throw new InvalidReferenceError(input, `invalid registry host "${domain}"`);
  if (!PATH_RE.test(path)) {
    const why = path.toLowerCase() !== path ? 'repository name must be lowercase' : `invalid repository path "${path}"`;
    throw new InvalidReferenceError(input, why);
  }
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidReferenceError(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }

  if (digest !== undefined) return { domain, path, digest };
  return { domain, path, tag: tag ?? DEFAULT_TAG };
}

// distribution/reference splitDockerDomain: the first component is a registry host only if it looks like one.
function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  if (i < 0) return { domain: DEFAULT_DOMAIN, path: name };
  const first = name.slice(0, i);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
  if (!isHost) return { domain: DEFAULT_DOMAIN, path: name };
  return { domain: first, path: name.slice(i + 1) };
}

/** `domain/path` — the repository name used in repoTags/repoDigests. */
export function repositoryName(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** The normalised string form: `domain/path:tag` or `domain/path@sha256:…`. */
export function formatReference(r: ImageReference): string {
  if (r.digest !== undefined) return `${repositoryName(r)}@${r.digest}`;
  return `${repositoryName(r)}:${r.tag ?? DEFAULT_TAG}`;
}

/** Normalises a reference string in one step (`busybox` → `docker.io/library/busybox:latest`). */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/**
 * The short form users type, as `docker`/`crictl` print it: `docker.io/library/busybox:latest` → `busybox:latest`.
 */
export function familiarName(r: ImageReference): string {
  let name = repositoryName(r);
  if (r.domain === DEFAULT_DOMAIN) {
    name = r.path.startsWith(OFFICIAL_REPO_PREFIX) ? r.path.slice(OFFICIAL_REPO_PREFIX.length) : r.path;
  }
  return r.digest !== undefined ? `${name}@${r.digest}` : `${name}:${r.tag ?? DEFAULT_TAG}`;
}

/**
 * If `input` names an image by id (`sha256:<hex>` or bare 64-hex) returns that digest, otherwise undefined.
 */
export function parseImageId(input: string): Digest | undefined {
  const s = input.trim();
  if (isDigest(s)) return s;
  if (ANCHORED_ID_RE.test(s)) return `sha256:${s}`;
  return undefined;
}
