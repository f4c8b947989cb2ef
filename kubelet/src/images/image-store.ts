// ImageStore: the node's local images — import, pull, push, list, status, resolve to overlay layer dirs, remove + GC.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ingestArchive, parseConfig, type StagedImage } from './archive';
import { ContentStore } from './content-store';
import type { Digest } from './digest';
import { ImageNotFoundError, InvalidArchiveError, UnsupportedMediaTypeError } from './errors';
import { LayerStore } from './layers';
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  type ContainerConfig,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  MediaTypes,
  type Platform,
  hostPlatform,
  isIndexMediaType,
  isManifestMediaType,
  layerCompression,
  sniffMediaType,
} from './oci';
import { type ImageReference, formatReference, parseImageId, parseReference, repositoryName } from './reference';
import { type FetchFn, RegistryClient, type RegistryAuth } from './registry';
import type { CommandRunner } from './unpack';

export interface ImageStoreOptions {
  /** Directory of the store, e.g. `<kubelet root>/images`. */
  root: string;
  /** Whether an unpacked layer directory is still used by a container (kept by GC even when unreferenced). */
  inUse?: (layerDir: string) => boolean | Promise<boolean>;
  /** Platform to pick from multi-platform images; defaults to linux/<this machine's arch>. */
  platform?: Platform;
  /** Registries (host[:port]) spoken to over plain http; loopback registries always are. */
  insecureRegistries?: string[];
  fetch?: FetchFn;
  /** Runs mknod/setfattr while unpacking (tests inject one). */
  run?: CommandRunner;
}

/** What CRI's ImageStatus reports. */
export interface ImageStatus {
  /** The config digest. */
  id: Digest;
  repoTags: string[];
  repoDigests: string[];
  /** Bytes of the image's blobs (manifest, config, compressed layers). */
  size: number;
  /** From config User when it is numeric (`1000` or `1000:1000`). */
  uid?: number;
  /** From config User when it is a name. */
  username?: string;
}

export interface ResolvedImage {
  id: Digest;
  manifestDigest: Digest;
  config: ContainerConfig;
  platform: Platform;
  /** Unpacked layer directories, top-most first (ready for overlayfs `lowerdir=`). */
  layerDirs: string[];
}

export interface ImportedImage {
  id: Digest;
  names: string[];
  manifestDigest: Digest;
}

interface IndexEntry {
  name?: string;
  target: Descriptor;
}

interface ImageView {
  target: Descriptor;
  manifestDigest: Digest;
  manifest: ImageManifest;
  config: ImageConfig;
}

const LAYOUT_VERSION = '1.0.0';

export class ImageStore {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  private readonly platform: Platform;
  private lock: Promise<void> = Promise.resolve();
  /** Imports/pulls in progress: their blobs are not referenced yet, so GC waits for them to finish. */
  private ingests = 0;

  private constructor(private readonly opts: ImageStoreOptions) {
    const tmp = path.join(opts.root, 'tmp');
    this.content = new ContentStore(opts.root, tmp);
    this.layers = new LayerStore(path.join(opts.root, 'layers'), tmp, opts.run);
    this.platform = opts.platform ?? hostPlatform();
  }

  /** Opens (creating if needed) the store at `opts.root`; leftovers of interrupted writes are removed. */
  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const store = new ImageStore(opts);
    await fsp.rm(path.join(opts.root, 'tmp'), { recursive: true, force: true });
    await store.content.init();
    await store.layers.init();
    const layoutFile = path.join(opts.root, 'oci-layout');
    if (!(await exists(layoutFile))) await writeAtomic(layoutFile, JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
    if (!(await exists(store.indexPath))) await store.writeIndex([]);
    return store;
  }

  get root(): string {
    return this.opts.root;
  }

  private get indexPath(): string {
    return path.join(this.opts.root, 'index.json');
  }

  /** Imports an OCI image-layout tar or a `docker save` tar; unpacks its layers for this platform. */
  async importArchive(tarPath: string): Promise<ImportedImage[]> {
    return this.ingesting(() => this.importArchiveNow(tarPath));
  }

  private async importArchiveNow(tarPath: string): Promise<ImportedImage[]> {
    const staged = await ingestArchive(tarPath, this.content, path.join(this.opts.root, 'tmp'));
    if (staged.length === 0) throw new InvalidArchiveError(`${tarPath} holds no images`);
    const out: ImportedImage[] = [];
    for (const s of staged) {
      const view = await this.view(s.target);
      await this.unpack(view);
      out.push({ id: view.manifest.config.digest, names: s.names, manifestDigest: view.manifestDigest });
    }
    await this.addEntries(staged);
    return out;
  }

  /** Pulls `ref` from its registry (OCI distribution API v2), verifying every digest, and unpacks it. */
  async pull(refString: string, auth?: RegistryAuth): Promise<ImageStatus> {
    return this.ingesting(() => this.pullNow(refString, auth));
  }

  private async pullNow(refString: string, auth: RegistryAuth | undefined): Promise<ImageStatus> {
    const ref = parseReference(refString);
    const client = this.client(ref, auth);
    const top = await client.getManifest(ref, ref.digest ?? ref.tag ?? 'latest');
    if (!isIndexMediaType(top.mediaType) && !isManifestMediaType(top.mediaType)) throw new UnsupportedMediaTypeError(top.mediaType);
    const target: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.body.length };

    let manifestBody = top.body;
    if (isIndexMediaType(top.mediaType)) {
      const index = JSON.parse(top.body.toString('utf8')) as ImageIndex;
      const chosen = this.pickPlatform(index.manifests, refString);
      const m = await client.getManifest(ref, chosen.digest);
      if (!isManifestMediaType(m.mediaType)) throw new UnsupportedMediaTypeError(m.mediaType);
      manifestBody = m.body;
      await this.content.writeJson(top.body);
    }
    const manifest = JSON.parse(manifestBody.toString('utf8')) as ImageManifest;
    for (const l of manifest.layers) {
      if (layerCompression(l.mediaType) === 'unknown') throw new UnsupportedMediaTypeError(l.mediaType);
    }
    if (!(await this.content.has(manifest.config.digest))) {
      await this.content.write(await client.getBlob(ref, manifest.config.digest), manifest.config.digest, manifest.config.size);
    }
    for (const l of manifest.layers) {
      if (await this.content.has(l.digest)) continue;
      await this.content.write(await client.getBlob(ref, l.digest), l.digest, l.size);
    }
    await this.content.writeJson(manifestBody);

    const view = await this.view(target);
    await this.unpack(view);
    await this.addEntries([{ names: [formatReference(ref)], target }]);
    const status = await this.status(formatReference(ref));
    if (status === undefined) throw new ImageNotFoundError(refString);
    return status;
  }

  /** Pushes the image `localRef` (its platform manifest, config and layers) to `remoteRef` (default: the same name). */
  async push(localRef: string, remoteRef: string = localRef, auth?: RegistryAuth): Promise<Digest> {
    const entry = await this.find(localRef);
    const view = await this.view(entry.target);
    const ref = parseReference(remoteRef);
    const client = this.client(ref, auth);
    for (const d of [view.manifest.config, ...view.manifest.layers]) await client.putBlob(ref, d.digest, await this.content.read(d.digest));
    const body = await this.content.read(view.manifestDigest);
    const mediaType = view.manifest.mediaType ?? MediaTypes.ociManifest;
    await client.putManifest(ref, ref.digest ?? ref.tag ?? 'latest', body, mediaType);
    return view.manifestDigest;
  }

  /** Adds another name for an existing image. */
  async tag(ref: string, newName: string): Promise<void> {
    const entry = await this.find(ref);
    await this.addEntries([{ names: [formatReference(parseReference(newName))], target: entry.target }]);
  }

  async list(): Promise<ImageStatus[]> {
    const entries = await this.readIndex();
    const seen = new Map<Digest, IndexEntry[]>();
    for (const e of entries) seen.set(e.target.digest, [...(seen.get(e.target.digest) ?? []), e]);
    const out: ImageStatus[] = [];
    for (const group of seen.values()) {
      const first = group[0];
      if (first !== undefined) out.push(await this.statusOf(first.target, group));
    }
    return out;
  }

  /** CRI ImageStatus: undefined when no image answers to `ref` (a name or an id). */
  async status(ref: string): Promise<ImageStatus | undefined> {
    let entry: IndexEntry;
    try {
      entry = await this.find(ref);
    } catch (err: unknown) {
      if (err instanceof ImageNotFoundError) return undefined;
      throw err;
    }
    const entries = await this.readIndex();
    return this.statusOf(entry.target, entries.filter((e) => e.target.digest === entry.target.digest));
  }

  /** Config and unpacked layer directories of `ref`, unpacking any layer that is missing. */
  async resolve(ref: string): Promise<ResolvedImage> {
    const entry = await this.find(ref);
    const view = await this.view(entry.target);
    const dirs = await this.unpack(view);
    return {
      id: view.manifest.config.digest,
      manifestDigest: view.manifestDigest,
      config: view.config.config ?? {},
      platform: { os: view.config.os, architecture: view.config.architecture, ...(view.config.variant ? { variant: view.config.variant } : {}) },
      layerDirs: dirs.reverse(),
    };
  }

  /**
   * Removes `ref`. A name drops that name only (the image stays while it has others); an id removes the image
   * with all its names. Then garbage-collects blobs and unpacked layers nothing references (layers `inUse` stay).
   * Removing an image that does not exist is not an error (CRI RemoveImage is idempotent).
   */
  async remove(ref: string): Promise<void> {
    await this.locked(async () => {
      const entries = await this.readIndex();
      let target: Digest | undefined;
      const id = parseImageId(ref);
      let keep: IndexEntry[];
      if (id !== undefined) {
        const hits = await this.entriesById(entries, id);
        keep = entries.filter((e) => !hits.includes(e));
      } else {
        const name = formatReference(parseReference(ref));
        const hit = entries.find((e) => e.name === name);
        target = hit?.target.digest;
        keep = entries.filter((e) => e.name !== name);
        // The last name of an image goes with the image (docker rmi semantics), not left dangling.
        if (target !== undefined && !keep.some((e) => e.target.digest === target && e.name !== undefined)) {
          keep = keep.filter((e) => e.target.digest !== target);
        }
      }
      if (keep.length !== entries.length) await this.writeIndex(keep);
      await this.gcLocked();
    });
  }

  /** Deletes unreferenced blobs and unpacked layers (except those `inUse`). */
  async gc(): Promise<{ blobs: number; layers: number }> {
    return this.locked(() => this.gcLocked());
  }

  // ---- internals ----

  private client(ref: ImageReference, auth: RegistryAuth | undefined): RegistryClient {
    return new RegistryClient(ref.domain, auth, {
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
      ...(this.opts.insecureRegistries ? { insecureRegistries: this.opts.insecureRegistries } : {}),
    });
  }

  private pickPlatform(manifests: Descriptor[], what: string): Descriptor {
    const p = this.platform;
    const candidates = manifests.filter((m) => m.platform?.os === p.os && m.platform.architecture === p.architecture);
    const chosen = candidates.find((m) => p.variant === undefined || m.platform?.variant === p.variant) ?? candidates[0];
    if (chosen === undefined) {
      const have = manifests.map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`).join(', ');
      throw new ImageNotFoundError(`${what} for ${p.os}/${p.architecture} (image has: ${have})`);
    }
    return chosen;
  }

  // Walks an index (if any) down to this platform's manifest and reads its config.
  private async view(target: Descriptor): Promise<ImageView> {
    let desc = target;
    let doc = await this.content.readJson<ImageIndex & ImageManifest>(desc.digest);
    if (isIndexMediaType(desc.mediaType || sniffMediaType(doc))) {
      const present: Descriptor[] = [];
      for (const m of doc.manifests) if (await this.content.has(m.digest)) present.push(m);
      desc = this.pickPlatform(present, target.digest);
      doc = await this.content.readJson<ImageIndex & ImageManifest>(desc.digest);
    }
    const mt = desc.mediaType || sniffMediaType(doc);
    if (!isManifestMediaType(mt)) throw new UnsupportedMediaTypeError(mt);
    const manifest: ImageManifest = doc;
    const config = parseConfig(await this.content.read(manifest.config.digest));
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new InvalidArchiveError(`manifest ${desc.digest}: ${manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`);
    }
    return { target, manifestDigest: desc.digest, manifest, config };
  }

  // Unpacks every layer of an image (bottom first); returns their directories bottom first.
  private async unpack(view: ImageView): Promise<string[]> {
    const dirs: string[] = [];
    for (const [i, layer] of view.manifest.layers.entries()) {
      const diffId = view.config.rootfs.diff_ids[i];
      if (diffId === undefined) throw new InvalidArchiveError('missing diff_id');
      const compression = layerCompression(layer.mediaType);
      if (compression === 'unknown') throw new UnsupportedMediaTypeError(layer.mediaType);
      dirs.push(await this.layers.ensure(diffId, compression, () => this.content.open(layer.digest)));
    }
    return dirs;
  }

  private async statusOf(target: Descriptor, entries: IndexEntry[]): Promise<ImageStatus> {
    const view = await this.view(target);
    const names = entries.map((e) => e.name).filter((n): n is string => n !== undefined).map(parseReference);
    const repoTags = names.filter((r) => r.tag !== undefined).map(formatReference);
    const repoDigests = [...new Set(names.map((r) => `${repositoryName(r)}@${target.digest}`))];
    const size = view.manifest.config.size + view.manifest.layers.reduce((n, l) => n + l.size, 0) + target.size;
    const status: ImageStatus = { id: view.manifest.config.digest, repoTags, repoDigests, size };
    // containerd's getUserFromImage: the part before ':' is a uid if numeric, else a user name.
    const user = (view.config.config?.User ?? '').split(':')[0] ?? '';
    if (user !== '') {
      if (/^\d+$/.test(user)) status.uid = Number(user);
      else status.username = user;
    }
    return status;
  }

  // Finds the index entry for a name or id; `name@digest` also matches that repository's image with that digest.
  private async find(ref: string): Promise<IndexEntry> {
    const entries = await this.readIndex();
    const id = parseImageId(ref);
    if (id !== undefined) {
      const hit = (await this.entriesById(entries, id))[0];
      if (hit === undefined) throw new ImageNotFoundError(ref);
      return hit;
    }
    const r = parseReference(ref);
    const name = formatReference(r);
    const exact = entries.find((e) => e.name === name);
    if (exact !== undefined) return exact;
    if (r.digest !== undefined) {
      const repo = repositoryName(r);
      const hit = entries.find((e) => e.target.digest === r.digest && e.name !== undefined && repositoryName(parseReference(e.name)) === repo);
      if (hit !== undefined) return hit;
    }
    throw new ImageNotFoundError(ref);
  }

  // Entries whose image id (config digest) or top-level digest is `id`.
  private async entriesById(entries: IndexEntry[], id: Digest): Promise<IndexEntry[]> {
    const out: IndexEntry[] = [];
    for (const e of entries) {
      if (e.target.digest === id) {
        out.push(e);
        continue;
      }
      const view = await this.view(e.target).catch(() => undefined);
      if (view?.manifest.config.digest === id) out.push(e);
    }
    return out;
  }

  // Records names → targets; a name that pointed elsewhere moves, leaving its old image unnamed but kept.
  private async addEntries(staged: StagedImage[]): Promise<void> {
    await this.locked(async () => {
      let entries = await this.readIndex();
      for (const s of staged) {
        for (const name of s.names) {
          const old = entries.find((e) => e.name === name);
          entries = entries.filter((e) => e.name !== name);
          if (old !== undefined && old.target.digest !== s.target.digest && !entries.some((e) => e.target.digest === old.target.digest)) {
            entries.push({ target: old.target });
          }
          entries.push({ name, target: s.target });
        }
        const known = entries.some((e) => e.target.digest === s.target.digest);
        if (!known) entries.push({ target: s.target });
        // A named image needs no unnamed placeholder.
        if (s.names.length > 0) entries = entries.filter((e) => e.name !== undefined || e.target.digest !== s.target.digest);
      }
      await this.writeIndex(entries);
    });
  }

  // Marks an import/pull in progress; when one fails, the blobs it left behind are collected.
  private async ingesting<T>(fn: () => Promise<T>): Promise<T> {
    this.ingests++;
    let result: T;
    try {
      result = await fn();
    } catch (err: unknown) {
      this.ingests--;
      if (this.ingests === 0) {
        await this.gc().catch((gcErr: unknown) => {
          throw new AggregateError([err, gcErr], 'import failed and cleaning up after it failed too');
        });
      }
      throw err;
    }
    this.ingests--;
    return result;
  }

  // Deferred (returns zeros) while an import or pull is writing blobs nothing references yet.
  private async gcLocked(): Promise<{ blobs: number; layers: number }> {
    if (this.ingests > 0) return { blobs: 0, layers: 0 };
    const entries = await this.readIndex();
    const liveBlobs = new Set<Digest>();
    const liveLayers = new Set<Digest>();
    for (const e of entries) {
      liveBlobs.add(e.target.digest);
      const doc = await this.content.readJson<ImageIndex & ImageManifest>(e.target.digest);
      const manifests: Descriptor[] = isIndexMediaType(e.target.mediaType || sniffMediaType(doc)) ? doc.manifests : [e.target];
      for (const m of manifests) {
        if (!(await this.content.has(m.digest))) continue;
        liveBlobs.add(m.digest);
        const man = await this.content.readJson<ImageManifest>(m.digest);
        liveBlobs.add(man.config.digest);
        for (const l of man.layers) liveBlobs.add(l.digest);
        if (await this.content.has(man.config.digest)) {
          for (const d of parseConfig(await this.content.read(man.config.digest)).rootfs.diff_ids) liveLayers.add(d);
        }
      }
    }
    let blobs = 0;
    for (const d of await this.content.list()) {
      if (liveBlobs.has(d)) continue;
      await this.content.delete(d);
      blobs++;
    }
    let layers = 0;
    for (const d of await this.layers.list()) {
      if (liveLayers.has(d)) continue;
      if (this.opts.inUse !== undefined && (await this.opts.inUse(this.layers.dir(d)))) continue;
      await this.layers.remove(d);
      layers++;
    }
    return { blobs, layers };
  }

  private async readIndex(): Promise<IndexEntry[]> {
    const index = JSON.parse(await fsp.readFile(this.indexPath, 'utf8')) as ImageIndex;
    return index.manifests.map((d) => {
      const { annotations, ...target } = d;
      const name = annotations?.[ANNOTATION_IMAGE_NAME];
      return name !== undefined ? { name, target } : { target };
    });
  }

  // index.json doubles as the references table: one descriptor per name, annotated like containerd's exports.
  private async writeIndex(entries: IndexEntry[]): Promise<void> {
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: entries.map((e) => {
        if (e.name === undefined) return e.target;
        const r = parseReference(e.name);
        return { ...e.target, annotations: { [ANNOTATION_IMAGE_NAME]: e.name, [ANNOTATION_REF_NAME]: r.tag ?? r.digest ?? '' } };
      }),
    };
    await writeAtomic(this.indexPath, JSON.stringify(index, null, 2) + '\n');
  }

  // Serialises index.json read-modify-write and GC within this process.
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(() => true, () => false);
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, data, { mode: 0o644 });
    await fsp.rename(tmp, file);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}
