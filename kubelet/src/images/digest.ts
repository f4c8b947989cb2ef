// sha256 digests of OCI content: computing, validating and turning them into blob paths.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** `sha256:<64 lowercase hex>` — the only algorithm this store writes. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** Validates and returns `s` as a digest; throws a plain Error naming `what` otherwise. */
export function parseDigest(s: string, what = 'digest'): Digest {
  if (!isDigest(s)) throw new Error(`invalid ${what} "${s}": want sha256:<64 hex>`);
  return s;
}

export function sha256(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of a digest (used as a file name). */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

/** A pass-through stream that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  /** Valid once the stream has ended. */
  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
