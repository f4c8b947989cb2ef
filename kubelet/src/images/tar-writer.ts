// A small deterministic tar (ustar + pax) writer for building layers and archives with fixed metadata.
import { Header, Pax } from 'tar';

export type TarEntryType = 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Permission bits incl. setuid/setgid/sticky; defaults 0o644 for files, 0o755 otherwise. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Defaults to the writer's fixed mtime. */
  mtime?: Date;
  data?: Buffer | string;
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
}

/** The epoch used for every entry unless one says otherwise, so identical inputs give identical bytes. */
export const FIXED_MTIME = new Date(0);

const BLOCK = 512;

/** Builds a tar archive in memory; entries are written in the order they are added. */
export class TarWriter {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly mtime: Date = FIXED_MTIME) {}

  add(e: TarEntry): this {
    const data = e.type === 'File' ? Buffer.from(e.data ?? '') : Buffer.alloc(0);
    const path = e.type === 'Directory' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
    const fields = {
      path,
      type: e.type,
      mode: e.mode ?? (e.type === 'File' ? 0o644 : 0o755),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      size: data.length,
      mtime: e.mtime ?? this.mtime,
      linkpath: e.linkpath ?? '',
      uname: '',
      gname: '',
      devmaj: e.devmajor ?? 0,
      devmin: e.devminor ?? 0,
    };
    const header = new Header(fields);
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block, 0)) {
      // Too long for ustar: a pax extended header carries the real path/linkpath.
      const pax = new Pax({ path, linkpath: fields.linkpath || undefined, mtime: fields.mtime }).encode();
      this.chunks.push(pax);
      const short = new Header({ ...fields, path: path.slice(-99), linkpath: fields.linkpath.slice(-99) });
      const b2 = Buffer.alloc(BLOCK);
      short.encode(b2, 0);
      this.chunks.push(b2);
    } else {
      this.chunks.push(block);
    }
    if (data.length > 0) {
      this.chunks.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) this.chunks.push(Buffer.alloc(pad));
    }
    return this;
  }

  /** The archive, terminated by two zero blocks. */
  finish(): Buffer {
    return Buffer.concat([...this.chunks, Buffer.alloc(BLOCK * 2)]);
  }
}
