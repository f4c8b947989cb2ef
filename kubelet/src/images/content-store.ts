// Content-addressed blob store in OCI image-layout form (blobs/sha256/<hex>): verified, atomic writes.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Digest, HashingStream, digestHex, isDigest, sha256 } from './digest';
import { DigestMismatchError, ImageNotFoundError } from './errors';

export class ContentStore {
  readonly blobsDir: string;

  /** `root` is the image-layout directory; `tmpDir` must be on the same filesystem (for rename). */
  constructor(
    readonly root: string,
    private readonly tmpDir: string,
  ) {
    this.blobsDir = path.join(root, 'blobs', 'sha256');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.blobsDir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }

  blobPath(d: Digest): string {
    return path.join(this.blobsDir, digestHex(d));
  }

  async has(d: Digest): Promise<boolean> {
    try {
      await fsp.access(this.blobPath(d));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Streams content into the store. With `expected`, the content must hash to it (and have `expectedSize`
   * bytes when given) or nothing is stored. The blob appears under its final name only once complete.
   */
  async write(source: Readable | Buffer, expected?: Digest, expectedSize?: number): Promise<{ digest: Digest; size: number }> {
    if (expected !== undefined && (await this.has(expected))) {
      if (!Buffer.isBuffer(source)) source.destroy();
      const st = await fsp.stat(this.blobPath(expected));
      return { digest: expected, size: st.size };
    }
    const tmp = path.join(this.tmpDir, `ingest-${randomBytes(8).toString('hex')}`);
    try {
      const hasher = new HashingStream();
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline(input, hasher, createWriteStream(tmp, { mode: 0o644 }));
      const digest = hasher.digest();
      if (expected !== undefined && digest !== expected) throw new DigestMismatchError(expected, digest, 'blob');
      if (expectedSize !== undefined && hasher.bytes !== expectedSize) {
        throw new DigestMismatchError(`${expectedSize} bytes`, `${hasher.bytes} bytes`, `blob ${digest} size`);
      }
      await fsp.rename(tmp, this.blobPath(digest));
      return { digest, size: hasher.bytes };
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** Stores a JSON document byte-for-byte as given (its digest is of exactly these bytes). */
  async writeJson(bytes: Buffer): Promise<{ digest: Digest; size: number }> {
    return this.write(bytes, sha256(bytes), bytes.length);
  }

  open(d: Digest): Readable {
    return createReadStream(this.blobPath(d));
  }

  /** Reads a whole blob (manifests, configs) and re-verifies its digest. */
  async read(d: Digest): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await fsp.readFile(this.blobPath(d));
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ImageNotFoundError(d);
      throw err;
    }
    const actual = sha256(data);
    if (actual !== d) throw new DigestMismatchError(d, actual, 'stored blob');
    return data;
  }

  async readJson<T>(d: Digest): Promise<T> {
    return JSON.parse((await this.read(d)).toString('utf8')) as T;
  }

  async size(d: Digest): Promise<number> {
    return (await fsp.stat(this.blobPath(d))).size;
  }

  async list(): Promise<Digest[]> {
    const names = await fsp.readdir(this.blobsDir);
    return names.map((n) => `sha256:${n}`).filter(isDigest);
  }

  async delete(d: Digest): Promise<void> {
    await fsp.rm(this.blobPath(d), { force: true });
  }
}
