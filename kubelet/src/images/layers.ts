// Unpacked layer directories shared by all images (layers/sha256/<diffID>), unpacked once, safe under concurrency.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, digestHex, isDigest } from './digest';
import { DigestMismatchError } from './errors';
import { type CommandRunner, unpackLayer } from './unpack';

/**
 * Layers are keyed by diffID, not chainID: each directory holds only that layer's changes in overlayfs
 * form (whiteouts as devices), so the same diff is the same directory whatever sits below it, and an
 * overlay mount stacks them in order.
 */
export class LayerStore {
  private readonly inflight = new Map<Digest, Promise<string>>();

  constructor(
    readonly root: string,
    private readonly tmpDir: string,
    private readonly run?: CommandRunner,
  ) {}

  async init(): Promise<void> {
    await fsp.mkdir(path.join(this.root, 'sha256'), { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }

  dir(diffId: Digest): string {
    return path.join(this.root, 'sha256', digestHex(diffId));
  }

  async has(diffId: Digest): Promise<boolean> {
    try {
      return (await fsp.stat(this.dir(diffId))).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * Returns the unpacked directory of `diffId`, unpacking `open()` first if needed. Concurrent calls in
   * this process share one unpack; across processes the unpack goes to a private temp dir that is renamed
   * into place, and the loser of a rename race discards its copy. The uncompressed stream must hash to
   * `diffId` or nothing is kept.
   */
  async ensure(diffId: Digest, compression: 'none' | 'gzip', open: () => Readable): Promise<string> {
    const running = this.inflight.get(diffId);
    if (running !== undefined) return running;
    const p = this.unpackOnce(diffId, compression, open).finally(() => this.inflight.delete(diffId));
    this.inflight.set(diffId, p);
    return p;
  }

  private async unpackOnce(diffId: Digest, compression: 'none' | 'gzip', open: () => Readable): Promise<string> {
    const final = this.dir(diffId);
    if (await this.has(diffId)) return final;
    const tmp = path.join(this.tmpDir, `layer-${digestHex(diffId).slice(0, 12)}-${randomBytes(6).toString('hex')}`);
    await fsp.mkdir(tmp, { mode: 0o755 });
    await fsp.chmod(tmp, 0o755);
    try {
      const res = await unpackLayer(open(), tmp, { compression, ...(this.run ? { run: this.run } : {}) });
      if (res.diffId !== diffId) throw new DigestMismatchError(diffId, res.diffId, 'layer diffID');
      try {
        await fsp.rename(tmp, final);
      } catch (err: unknown) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        // Another process finished the same layer first; theirs is identical.
      }
      return final;
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  async list(): Promise<Digest[]> {
    const names = await fsp.readdir(path.join(this.root, 'sha256'));
    return names.map((n) => `sha256:${n}`).filter(isDigest);
  }

  /** Deletes an unpacked layer: renamed aside first so a half-deleted directory is never visible. */
  async remove(diffId: Digest): Promise<void> {
    const doomed = path.join(this.tmpDir, `rm-${digestHex(diffId).slice(0, 12)}-${randomBytes(6).toString('hex')}`);
    try {
      await fsp.rename(this.dir(diffId), doomed);
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await fsp.rm(doomed, { recursive: true, force: true });
  }
}
