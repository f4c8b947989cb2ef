// Unpacks one layer tar into a directory for use as an overlayfs lower layer: OCI whiteouts, ownership, devices, no traversal.
import { execFile } from 'node:child_process';
import { createWriteStream, promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { type Digest, HashingStream } from './digest';
import { UnsafeArchiveError } from './errors';

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Runs a helper command (mknod, setfattr); injectable so unit tests can observe it without privileges. */
export type CommandRunner = (file: string, args: string[]) => Promise<void>;

export const execCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve();
    });
  });

export interface UnpackOptions {
  compression: 'none' | 'gzip';
  /** chown entries to their tar uid/gid; defaults to running as root. */
  preserveOwner?: boolean;
  run?: CommandRunner;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar stream (the layer's diffID). */
  diffId: Digest;
  /** Bytes of regular-file content written. */
  size: number;
}

/**
 * Splits a tar entry path into safe components below the layer root. Leading `/` and `./` are dropped
 * (tar writers emit both; containerd treats them as root-relative); any `..` component is refused.
 */
export function safeEntryComponents(entryPath: string): string[] {
  if (entryPath.includes('\0')) throw new UnsafeArchiveError(entryPath, 'NUL byte in path');
  const parts = entryPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeArchiveError(entryPath, 'path contains ".." (would escape the layer directory)');
  return parts;
}

/**
 * Streams `source` (a layer tar, gzip or not) into the empty directory `dest`, converting OCI whiteouts
 * to overlayfs form: `.wh.<name>` becomes a 0/0 character device `<name>`, `.wh..wh..opq` sets
 * `trusted.overlay.opaque=y` on its directory. Keeps modes (incl. setuid/sticky), owners, mtimes,
 * symlinks, hardlinks, device nodes and FIFOs. Refuses entries that would land outside `dest`,
 * including through a symlink created earlier in the same layer.
 */
export async function unpackLayer(source: Readable, dest: string, opts: UnpackOptions): Promise<UnpackResult> {
  const root = path.resolve(dest);
  const run = opts.run ?? execCommand;
  const preserveOwner = opts.preserveOwner ?? process.getuid?.() === 0;
  const hasher = new HashingStream();
  const dirTimes: Array<[string, Date]> = [];
  const safeDirs = new Set<string>([root]);
  let size = 0;

  // Ensures every directory on the way to `components` exists and is a real directory (not a symlink).
  const ensureParents = async (components: string[], entryPath: string): Promise<string> => {
    let cur = root;
    for (const c of components) {
      cur = path.join(cur, c);
      if (safeDirs.has(cur)) continue;
      const st = await lstatOrUndefined(cur);
      if (st === undefined) {
        await fsp.mkdir(cur, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw new UnsafeArchiveError(entryPath, `parent "${path.relative(root, cur)}" is a symlink`);
      } else if (!st.isDirectory()) {
        throw new UnsafeArchiveError(entryPath, `parent "${path.relative(root, cur)}" is not a directory`);
      }
      safeDirs.add(cur);
    }
    return cur;
  };

  // Removes whatever is at `target` so a new entry can take its place.
  const clear = async (target: string): Promise<void> => {
    await fsp.rm(target, { recursive: true, force: true });
    for (const d of safeDirs) if (d === target || d.startsWith(target + path.sep)) safeDirs.delete(d);
  };

  const applyMeta = async (target: string, e: ReadEntry, isLink: boolean): Promise<void> => {
    if (preserveOwner) await fsp.lchown(target, e.uid ?? 0, e.gid ?? 0);
    // chown clears setuid/setgid, so the mode goes on afterwards.
    if (!isLink && e.mode !== undefined) await fsp.chmod(target, e.mode & 0o7777);
    const mtime = e.mtime ?? new Date(0);
    await fsp.lutimes(target, mtime, mtime);
  };

  const handle = async (e: ReadEntry): Promise<void> => {
    const parts = safeEntryComponents(e.path);
    if (parts.length === 0) {
      // The layer root itself ("./"): take its mode/owner.
      if (e.type === 'Directory') {
        await applyMeta(root, e, false);
        dirTimes.push([root, e.mtime ?? new Date(0)]);
      }
      return;
    }
    const base = parts[parts.length - 1] ?? '';
    const parent = await ensureParents(parts.slice(0, -1), e.path);

    if (base === WHITEOUT_OPAQUE) {
      await run('setfattr', ['-n', OVERLAY_OPAQUE_XATTR, '-v', 'y', parent]);
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) return; // aufs hardlink dirs etc.: not part of the image's files
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const name = base.slice(WHITEOUT_PREFIX.length);
      if (name === '' || name === '.' || name === '..') throw new UnsafeArchiveError(e.path, 'invalid whiteout name');
      const target = path.join(parent, name);
      await clear(target);
      await run('mknod', ['-m', '000', target, 'c', '0', '0']);
      return;
    }

    const target = path.join(parent, base);
    switch (e.type) {
      case 'Directory': {
        const st = await lstatOrUndefined(target);
        if (st !== undefined && !st.isDirectory()) await clear(target);
        if (st === undefined || !st.isDirectory()) await fsp.mkdir(target, { mode: 0o755 });
        safeDirs.add(target);
        await applyMeta(target, e, false);
        dirTimes.push([target, e.mtime ?? new Date(0)]);
        return;
      }
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        await clear(target); // never write through an existing hardlink
        await new Promise<void>((resolve, reject) => {
          const ws = createWriteStream(target, { mode: 0o600, flags: 'wx' });
          ws.on('error', reject);
          ws.on('close', resolve);
          e.on('error', reject);
          e.pipe(ws);
        });
        size += e.size;
        await applyMeta(target, e, false);
        return;
      }
      case 'SymbolicLink': {
        await clear(target);
        await fsp.symlink(e.linkpath ?? '', target);
        await applyMeta(target, e, true);
        return;
      }
      case 'Link': {
        const linkParts = safeEntryComponents(e.linkpath ?? '');
        if (linkParts.length === 0) throw new UnsafeArchiveError(e.path, 'hardlink to the layer root');
        const linkParent = await ensureParents(linkParts.slice(0, -1), e.path);
        const source = path.join(linkParent, linkParts[linkParts.length - 1] ?? '');
        const st = await lstatOrUndefined(source);
        if (st === undefined) throw new UnsafeArchiveError(e.path, `hardlink target "${e.linkpath ?? ''}" is not in this layer`);
        if (st.isDirectory()) throw new UnsafeArchiveError(e.path, 'hardlink to a directory');
        await clear(target);
        await fsp.link(source, target);
        return;
      }
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO': {
        await clear(target);
        const mode = ((e.mode ?? 0o644) & 0o7777).toString(8);
        const args =
          e.type === 'FIFO'
            ? ['-m', mode, target, 'p']
            : ['-m', mode, target, e.type === 'CharacterDevice' ? 'c' : 'b', String(e.header.devmaj), String(e.header.devmin)];
        await run('mknod', args);
        await applyMeta(target, e, false);
        return;
      }
      default:
        // Unsupported or vendor entry types carry nothing a container needs.
        return;
    }
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    let chain: Promise<void> = Promise.resolve();
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        chain = chain.then(async () => {
          if (failed) {
            entry.resume();
            return;
          }
          try {
            await handle(entry);
          } finally {
            entry.resume(); // drain anything we did not consume so the parser moves on
          }
        });
        chain.catch(fail);
      },
    });
    parser.on('error', fail);
    parser.on('abort', fail);
    parser.on('end', () => {
      chain.then(() => {
        if (!failed) resolve();
      }, fail);
    });
    source.on('error', fail);
    hasher.on('error', fail);
    let stream: Readable = source;
    if (opts.compression === 'gzip') {
      const gunzip = createGunzip();
      gunzip.on('error', fail);
      stream = source.pipe(gunzip);
    }
    stream.pipe(hasher).pipe(parser);
  });

  // Directory mtimes last, deepest first, since creating children touched them.
  for (const [dir, mtime] of dirTimes.reverse()) await fsp.lutimes(dir, mtime, mtime);
  return { diffId: hasher.digest(), size };
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
