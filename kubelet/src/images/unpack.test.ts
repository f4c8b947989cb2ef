// Unit tests of layer unpacking: whiteout conversion, traversal refusal, links, modes and the diffID.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { sha256 } from './digest';
import { UnsafeArchiveError } from './errors';
import { TarWriter } from './tar-writer';
import { safeEntryComponents, unpackLayer, type CommandRunner } from './unpack';

describe('unpackLayer', () => {
  let dir: string;
  let calls: Array<[string, string[]]>;
  const run: CommandRunner = async (file, args) => {
    calls.push([file, args]);
  };

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'keelson-unpack-'));
    calls = [];
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('writes files, dirs, symlinks and hardlinks with modes, and reports the diffID of the uncompressed tar', async () => {
    const tar = new TarWriter()
      .add({ path: 'bin', type: 'Directory' })
      .add({ path: 'bin/tool', type: 'File', data: '#!/bin/sh\necho hi\n', mode: 0o4755 })
      .add({ path: './bin/alias', type: 'SymbolicLink', linkpath: 'tool' })
      .add({ path: '/bin/hard', type: 'Link', linkpath: 'bin/tool' })
      .add({ path: 'tmp', type: 'Directory', mode: 0o1777 })
      .add({ path: 'etc/abs', type: 'SymbolicLink', linkpath: '/etc/passwd' })
      .finish();
    const res = await unpackLayer(Readable.from([gzipSync(tar)]), dir, { compression: 'gzip', run });

    expect(res.diffId).toBe(sha256(tar));
    expect(await fsp.readFile(path.join(dir, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect((await fsp.stat(path.join(dir, 'bin/tool'))).mode & 0o7777).toBe(0o4755);
    expect(await fsp.readlink(path.join(dir, 'bin/alias'))).toBe('tool');
    expect((await fsp.stat(path.join(dir, 'bin/hard'))).ino).toBe((await fsp.stat(path.join(dir, 'bin/tool'))).ino);
    expect((await fsp.stat(path.join(dir, 'tmp'))).mode & 0o7777).toBe(0o1777);
    // An absolute symlink is kept as a link; it is only resolved inside the container's root later.
    expect(await fsp.readlink(path.join(dir, 'etc/abs'))).toBe('/etc/passwd');
    expect(calls).toEqual([]);
  });

  it('turns .wh.<name> into a whiteout device and .wh..wh..opq into the opaque xattr', async () => {
    const tar = new TarWriter()
      .add({ path: 'etc/', type: 'Directory' })
      .add({ path: 'etc/.wh.motd', type: 'File' })
      .add({ path: 'var/cache/.wh..wh..opq', type: 'File' })
      .add({ path: 'var/cache/new', type: 'File', data: 'x' })
      .finish();
    await unpackLayer(Readable.from([tar]), dir, { compression: 'none', run });

    expect(calls).toEqual([
      ['mknod', ['-m', '000', path.join(dir, 'etc/motd'), 'c', '0', '0']],
      ['setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(dir, 'var/cache')]],
    ]);
    // The marker files themselves never appear in the layer.
    expect(await fsp.readdir(path.join(dir, 'etc'))).toEqual([]);
    expect(await fsp.readdir(path.join(dir, 'var/cache'))).toEqual(['new']);
  });

  it('refuses an entry with .. that would escape the layer directory', async () => {
    const outside = path.join(path.dirname(dir), `escaped-${path.basename(dir)}`);
    const tar = new TarWriter()
      .add({ path: 'ok', type: 'File', data: 'fine' })
      .add({ path: `../${path.basename(outside)}`, type: 'File', data: 'evil' })
      .finish();
    await expect(unpackLayer(Readable.from([tar]), dir, { compression: 'none', run })).rejects.toBeInstanceOf(UnsafeArchiveError);
    await expect(fsp.stat(outside)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to write through a symlink the same layer created', async () => {
    const victim = await fsp.mkdtemp(path.join(os.tmpdir(), 'keelson-victim-'));
    try {
      const tar = new TarWriter()
        .add({ path: 'link', type: 'SymbolicLink', linkpath: victim })
        .add({ path: 'link/planted', type: 'File', data: 'evil' })
        .finish();
      await expect(unpackLayer(Readable.from([tar]), dir, { compression: 'none', run })).rejects.toThrow(/is a symlink/);
      expect(await fsp.readdir(victim)).toEqual([]);
    } finally {
      await fsp.rm(victim, { recursive: true, force: true });
    }
  });

  it('refuses a hardlink whose target path escapes the layer', async () => {
    const tar = new TarWriter().add({ path: 'passwd', type: 'Link', linkpath: '../../etc/passwd' }).finish();
    await expect(unpackLayer(Readable.from([tar]), dir, { compression: 'none', run })).rejects.toBeInstanceOf(UnsafeArchiveError);
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('rejects a corrupt gzip stream', async () => {
    const bad = Buffer.concat([gzipSync(new TarWriter().add({ path: 'a', type: 'File', data: 'a' }).finish()).subarray(0, 20)]);
    await expect(unpackLayer(Readable.from([bad]), dir, { compression: 'gzip', run })).rejects.toThrow();
  });
});

describe('safeEntryComponents', () => {
  it('treats absolute and ./ paths as layer-relative', () => {
    expect(safeEntryComponents('/usr/bin/env')).toEqual(['usr', 'bin', 'env']);
    expect(safeEntryComponents('./usr//lib/')).toEqual(['usr', 'lib']);
  });
  it('refuses .. anywhere', () => {
    expect(() => safeEntryComponents('usr/../../etc')).toThrow(UnsafeArchiveError);
    expect(() => safeEntryComponents('..')).toThrow(UnsafeArchiveError);
  });
});
