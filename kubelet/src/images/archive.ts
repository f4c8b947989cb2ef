// Reads image tarballs into the content store: OCI image-layout archives and `docker save` archives (converted to OCI).
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { extract } from 'tar';
import type { ContentStore } from './content-store';
import { type Digest, isDigest, sha256 } from './digest';
import { InvalidArchiveError, UnsafeArchiveError } from './errors';
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  MediaTypes,
  isIndexMediaType,
  isManifestMediaType,
  sniffMediaType,
} from './oci';
import { normalizeReference } from './reference';

/** One image found in an archive, its blobs already in the content store. */
export interface StagedImage {
  /** Normalised names (may be empty for an untagged image). */
  names: string[];
  /** The top-level descriptor (a manifest, or an index for multi-platform images). */
  target: Descriptor;
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** Extracts `tarPath` to a scratch directory and ingests the image(s) it holds. */
export async function ingestArchive(tarPath: string, content: ContentStore, scratchRoot: string): Promise<StagedImage[]> {
  const dir = path.join(scratchRoot, `import-${randomBytes(6).toString('hex')}`);
  await fsp.mkdir(dir, { recursive: true });
  try {
    try {
      // node-tar drops `..` and absolute paths; we additionally never follow symlinks out of `dir` below.
      await extract({ file: tarPath, cwd: dir, strict: true, preserveOwner: false });
    } catch (err: unknown) {
      throw new InvalidArchiveError(`cannot read archive ${tarPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const has = async (p: string): Promise<boolean> => fsp.access(path.join(dir, p)).then(() => true, () => false);
    const dockerManifest = (await has('manifest.json')) ? await readJsonIn<DockerSaveEntry[]>(dir, 'manifest.json') : undefined;
    if ((await has('oci-layout')) && (await has('index.json'))) return await ingestOciLayout(dir, content, dockerManifest);
    if (dockerManifest !== undefined) return await ingestDockerSave(dir, content, dockerManifest);
    throw new InvalidArchiveError(`${tarPath} is neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)`);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

// Resolves `rel` inside `dir`, refusing anything (incl. symlinks) that lands outside it.
async function inside(dir: string, rel: string): Promise<string> {
  const real = await fsp.realpath(path.join(dir, rel)).catch((err: unknown) => {
    throw new InvalidArchiveError(`archive is missing "${rel}"`, { cause: err });
  });
  const realDir = await fsp.realpath(dir);
  if (real !== realDir && !real.startsWith(realDir + path.sep)) throw new UnsafeArchiveError(rel, 'resolves outside the archive');
  return real;
}

async function readJsonIn<T>(dir: string, rel: string): Promise<T> {
  const text = await fsp.readFile(await inside(dir, rel), 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err: unknown) {
    throw new InvalidArchiveError(`"${rel}" in the archive is not valid JSON`, { cause: err });
  }
}

async function ingestOciLayout(dir: string, content: ContentStore, dockerManifest: DockerSaveEntry[] | undefined): Promise<StagedImage[]> {
  const layout = await readJsonIn<{ imageLayoutVersion?: string }>(dir, 'oci-layout');
  if (typeof layout.imageLayoutVersion !== 'string') throw new InvalidArchiveError('oci-layout has no imageLayoutVersion');
  const index = await readJsonIn<ImageIndex>(dir, 'index.json');
  if (!Array.isArray(index.manifests)) throw new InvalidArchiveError('index.json has no manifests');

  const copyBlob = async (d: Descriptor): Promise<void> => {
    if (!isDigest(d.digest)) throw new InvalidArchiveError(`invalid digest ${String(d.digest)}`);
    if (await content.has(d.digest)) return;
    const file = await inside(dir, path.join('blobs', 'sha256', d.digest.slice(7)));
    await content.write(createReadStream(file), d.digest, d.size);
  };
  // Copies a manifest/index and everything below it that the archive holds.
  const copyTree = async (d: Descriptor): Promise<void> => {
    await copyBlob(d);
    const doc = await content.readJson<ImageIndex & ImageManifest>(d.digest);
    const mt = d.mediaType || sniffMediaType(doc);
    if (isIndexMediaType(mt)) {
      for (const child of doc.manifests) {
        // Multi-platform archives may carry only some platforms' blobs.
        const present = await fsp.access(path.join(dir, 'blobs', 'sha256', child.digest.slice(7))).then(() => true, () => false);
        if (present) await copyTree(child);
      }
    } else if (isManifestMediaType(mt)) {
      await copyBlob(doc.config);
      for (const l of doc.layers) await copyBlob(l);
    } else {
      throw new InvalidArchiveError(`index.json entry ${d.digest} has unsupported media type ${mt}`);
    }
  };

  const byDigest = new Map<Digest, StagedImage>();
  for (const d of index.manifests) {
    await copyTree(d);
    const staged = byDigest.get(d.digest) ?? { names: [], target: { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) } };
    byDigest.set(d.digest, staged);
    const name = nameFromAnnotations(d.annotations);
    if (name !== undefined && !staged.names.includes(name)) staged.names.push(name);
  }
  // Docker ≥25 writes both formats; its manifest.json has the tags when index.json annotations do not.
  if (dockerManifest !== undefined) {
    for (const entry of dockerManifest) {
      for (const staged of byDigest.values()) {
        if (staged.names.length > 0 || !isManifestMediaType(staged.target.mediaType)) continue;
        const m = await content.readJson<ImageManifest>(staged.target.digest);
        if (`blobs/sha256/${m.config.digest.slice(7)}` === entry.Config) staged.names.push(...(entry.RepoTags ?? []).map(normalizeReference));
      }
    }
  }
  return [...byDigest.values()];
}

function nameFromAnnotations(a: Record<string, string> | undefined): string | undefined {
  const full = a?.[ANNOTATION_IMAGE_NAME];
  if (full !== undefined && full !== '') return normalizeReference(full);
  const ref = a?.[ANNOTATION_REF_NAME];
  // A bare tag ("latest") names no repository; tools like skopeo write a full reference here.
  if (ref !== undefined && (ref.includes('/') || ref.includes(':') || ref.includes('@'))) {
    try {
      return normalizeReference(ref);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function ingestDockerSave(dir: string, content: ContentStore, entries: DockerSaveEntry[]): Promise<StagedImage[]> {
  if (!Array.isArray(entries) || entries.length === 0) throw new InvalidArchiveError('manifest.json lists no images');
  const out: StagedImage[] = [];
  for (const entry of entries) {
    const configBytes = await fsp.readFile(await inside(dir, entry.Config));
    const config = parseConfig(configBytes);
    const configDesc = await content.writeJson(configBytes);
    if (config.rootfs.diff_ids.length !== entry.Layers.length) {
      throw new InvalidArchiveError(`${entry.Config}: ${config.rootfs.diff_ids.length} diff_ids but ${entry.Layers.length} layers`);
    }
    const layers: Descriptor[] = [];
    for (const rel of entry.Layers) {
      const file = await inside(dir, rel);
      const gz = await isGzip(file);
      const { digest, size } = await content.write(createReadStream(file));
      layers.push({ mediaType: gz ? MediaTypes.ociLayerGzip : MediaTypes.ociLayer, digest, size });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: configDesc.digest, size: configDesc.size },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const m = await content.writeJson(bytes);
    out.push({
      names: [...new Set((entry.RepoTags ?? []).map(normalizeReference))],
      target: { mediaType: MediaTypes.ociManifest, digest: m.digest, size: m.size },
    });
  }
  return out;
}

/** Parses and sanity-checks an image config. */
export function parseConfig(bytes: Buffer): ImageConfig {
  let cfg: ImageConfig;
  try {
    cfg = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err: unknown) {
    throw new InvalidArchiveError(`image config ${sha256(bytes)} is not JSON`, { cause: err });
  }
  if (cfg.rootfs?.type !== 'layers' || !Array.isArray(cfg.rootfs.diff_ids) || !cfg.rootfs.diff_ids.every(isDigest)) {
    throw new InvalidArchiveError(`image config ${sha256(bytes)} has no valid rootfs.diff_ids`);
  }
  return cfg;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
