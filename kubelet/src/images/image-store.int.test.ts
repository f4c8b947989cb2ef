// Integration tests of the image store on the real filesystem: busybox import, docker save, overlay whiteouts, GC.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { buildBusyboxImage, type BuiltImage } from './build-busybox';
import type { Digest } from './digest';
import { UnsafeArchiveError } from './errors';
import { ImageStore } from './image-store';
import type { ImageManifest } from './oci';
import { TarWriter } from './tar-writer';
import { writeDockerSaveArchive, writeOciArchive } from './testing';

const execFileP = promisify(execFile);

describe('ImageStore (real filesystem)', () => {
  let work: string;
  let built: BuiltImage;
  let busyboxLayer: Buffer; // the uncompressed busybox layer, for building other archives from it
  const mounts: string[] = [];

  beforeAll(async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'keelson-images-'));
    built = await buildBusyboxImage({ out: path.join(work, 'busybox.tar') });
    const scratch = await ImageStore.open({ root: path.join(work, 'scratch') });
    await scratch.importArchive(built.path);
    const blob = await fsp.readFile(scratch.content.blobPath((await readManifest(scratch, built.manifestDigest)).layers[0]!.digest));
    busyboxLayer = gunzipSync(blob);
  });

  afterEach(async () => {
    for (const m of mounts.splice(0)) await execFileP('umount', [m]).catch(() => undefined);
  });

  afterAll(async () => {
    for (const m of mounts.splice(0)) await execFileP('umount', [m]).catch(() => undefined);
    await fsp.rm(work, { recursive: true, force: true });
  });

  const newStore = async (inUse?: (dir: string) => boolean): Promise<ImageStore> =>
    ImageStore.open({ root: await fsp.mkdtemp(path.join(work, 'store-')), ...(inUse ? { inUse } : {}) });

  it('builds the busybox image deterministically', async () => {
    const again = await buildBusyboxImage({ out: path.join(work, 'busybox-again.tar') });
    expect(again.manifestDigest).toBe(built.manifestDigest);
    expect(await fsp.readFile(again.path)).toEqual(await fsp.readFile(built.path));
    expect(built.names).toEqual(['docker.io/library/busybox:latest', `docker.io/library/busybox:${built.version.split('.').slice(0, 2).join('.')}`]);
  });

  it('imports the busybox OCI archive into an OCI layout and resolves runnable layer dirs', async () => {
    const store = await newStore();
    const [img] = await store.importArchive(built.path);
    expect(img!.id).toBe(built.configDigest);
    expect(img!.names).toEqual(built.names);

    // The store itself is an OCI image layout naming the image.
    expect(JSON.parse(await fsp.readFile(path.join(store.root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(await fsp.readFile(path.join(store.root, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['io.containerd.image.name']).sort()).toEqual([...built.names].sort());
    expect((await fsp.stat(path.join(store.root, 'blobs/sha256', built.manifestDigest.slice(7)))).isFile()).toBe(true);

    const resolved = await store.resolve('busybox');
    expect(resolved.id).toBe(built.configDigest);
    expect(resolved.config.Cmd).toEqual(['sh']);
    expect(resolved.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(resolved.layerDirs).toHaveLength(1);
    const rootfs = resolved.layerDirs[0]!;
    expect((await fsp.stat(path.join(rootfs, 'bin/busybox'))).mode & 0o777).toBe(0o755);
    expect(await fsp.readlink(path.join(rootfs, 'bin/sh'))).toBe('busybox');
    expect((await fsp.stat(path.join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect((await fsp.stat(path.join(rootfs, 'home/user'))).uid).toBe(1000);
    // The unpacked layer is a working root filesystem.
    const { stdout } = await execFileP('chroot', [rootfs, '/bin/sh', '-c', 'id -un; grep ^user: /etc/passwd | cut -d: -f3']);
    expect(stdout.trim().split('\n')).toEqual(['root', '1000']);

    const status = await store.status(`busybox:${built.version.split('.').slice(0, 2).join('.')}`);
    expect(status).toMatchObject({ id: built.configDigest, repoDigests: [`docker.io/library/busybox@${built.manifestDigest}`] });
    expect(status!.repoTags.sort()).toEqual([...built.names].sort());
    expect(status!.size).toBeGreaterThan(500_000);
    expect(await store.status('busybox:nope')).toBeUndefined();
    expect((await store.list()).map((s) => s.id)).toEqual([built.configDigest]);
  });

  it('imports a docker save archive (converted to OCI) and shares the unpacked layer with an identical one', async () => {
    const store = await newStore();
    await store.importArchive(built.path);
    const tar = path.join(work, 'docker-save.tar');
    const { imageId } = await writeDockerSaveArchive(tar, ['example.com/team/tools:v1'], [busyboxLayer], { Cmd: ['sleep', '1'], User: '1000:1000', WorkingDir: '/tmp' });
    const [img] = await store.importArchive(tar);
    expect(img).toMatchObject({ id: imageId, names: ['example.com/team/tools:v1'] });

    const a = await store.resolve('example.com/team/tools:v1');
    const b = await store.resolve('busybox');
    expect(a.config).toMatchObject({ Cmd: ['sleep', '1'], User: '1000:1000', WorkingDir: '/tmp' });
    expect(a.layerDirs).toEqual(b.layerDirs); // same diffID → one directory on disk
    expect(await store.status(imageId)).toMatchObject({ uid: 1000, repoTags: ['example.com/team/tools:v1'] });
    const manifest = await readManifest(store, a.manifestDigest);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('unpacks whiteouts so that an overlay mount of the layers hides deleted files and opaque dirs', async () => {
    const store = await newStore();
    const lower = new TarWriter()
      .add({ path: 'etc', type: 'Directory' })
      .add({ path: 'etc/motd', type: 'File', data: 'welcome' })
      .add({ path: 'etc/keep', type: 'File', data: 'kept' })
      .add({ path: 'data', type: 'Directory' })
      .add({ path: 'data/a', type: 'File', data: 'a' })
      .add({ path: 'data/b', type: 'File', data: 'b' })
      .finish();
    const upper = new TarWriter()
      .add({ path: 'etc/.wh.motd', type: 'File' })
      .add({ path: 'data/.wh..wh..opq', type: 'File' })
      .add({ path: 'data/c', type: 'File', data: 'c' })
      .finish();
    const tar = path.join(work, 'whiteouts.tar');
    await writeOciArchive(tar, 'localhost/whiteouts:1', [lower, upper]);
    await store.importArchive(tar);
    const { layerDirs } = await store.resolve('localhost/whiteouts:1');
    expect(layerDirs).toHaveLength(2);
    const top = layerDirs[0]!;
    const whiteout = await fsp.lstat(path.join(top, 'etc/motd'));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    const { stdout } = await execFileP('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', path.join(top, 'data')]);
    expect(stdout).toBe('y');

    const merged = await fsp.mkdtemp(path.join(work, 'merged-'));
    await execFileP('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layerDirs.join(':')}`, merged]);
    mounts.push(merged);
    expect((await fsp.readdir(path.join(merged, 'etc'))).sort()).toEqual(['keep']);
    expect((await fsp.readdir(path.join(merged, 'data'))).sort()).toEqual(['c']);
    expect(await fsp.readFile(path.join(merged, 'etc/keep'), 'utf8')).toBe('kept');
  });

  it('refuses an archive whose layer escapes the layer directory and keeps nothing of it', async () => {
    const store = await newStore();
    const marker = `escape-${path.basename(store.root)}`;
    const evil = new TarWriter().add({ path: `../../../${marker}`, type: 'File', data: 'x' }).finish();
    const tar = path.join(work, 'evil.tar');
    await writeOciArchive(tar, 'localhost/evil:1', [evil]);
    await expect(store.importArchive(tar)).rejects.toBeInstanceOf(UnsafeArchiveError);
    expect(await store.list()).toEqual([]);
    expect(await fsp.readdir(path.join(store.root, 'layers/sha256'))).toEqual([]);
    expect(await fsp.readdir(path.join(store.root, 'blobs/sha256'))).toEqual([]); // the failed import's blobs are collected
    for (const dir of [work, store.root, path.join(store.root, 'layers')]) {
      await expect(fsp.stat(path.join(dir, marker))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('remove drops names, then garbage-collects blobs and layers no image or container uses', async () => {
    let busy = new Set<string>();
    const store = await newStore((dir) => busy.has(dir));
    await store.importArchive(built.path);
    const tar = path.join(work, 'docker-save-gc.tar');
    await writeDockerSaveArchive(tar, ['example.com/gc:1'], [busyboxLayer]);
    await store.importArchive(tar);
    const { layerDirs } = await store.resolve('busybox');

    await store.remove('busybox:latest');
    expect(await store.status('busybox:latest')).toBeUndefined();
    expect(await store.status(built.configDigest)).toBeDefined(); // still tagged with the version tag
    await store.remove(built.configDigest); // by id: every name of the image goes
    expect(await store.status(built.names[1]!)).toBeUndefined();
    // The other image still uses the layer.
    expect((await fsp.stat(layerDirs[0]!)).isDirectory()).toBe(true);
    await expect(fsp.stat(store.content.blobPath(built.manifestDigest))).rejects.toMatchObject({ code: 'ENOENT' });

    busy = new Set(layerDirs); // a running container holds the layer
    await store.remove('example.com/gc:1');
    expect(await store.list()).toEqual([]);
    expect(await fsp.readdir(path.join(store.root, 'blobs/sha256'))).toEqual([]);
    expect((await fsp.stat(layerDirs[0]!)).isDirectory()).toBe(true);

    busy = new Set();
    expect(await store.gc()).toEqual({ blobs: 0, layers: 1 });
    await expect(fsp.stat(layerDirs[0]!)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.remove('example.com/gc:1'); // idempotent
  });

  it('unpacks a layer once when several resolves race', async () => {
    const store = await newStore();
    await store.importArchive(built.path);
    const layerDir = (await store.resolve('busybox')).layerDirs[0]!;
    await fsp.rm(layerDir, { recursive: true });
    const all = await Promise.all([store.resolve('busybox'), store.resolve('busybox:latest'), store.resolve(built.configDigest)]);
    expect(new Set(all.map((r) => r.layerDirs[0]))).toEqual(new Set([layerDir]));
    expect((await fsp.stat(path.join(layerDir, 'bin/busybox'))).isFile()).toBe(true);
    expect(await fsp.readdir(path.join(store.root, 'tmp'))).toEqual([]);
  });
});

async function readManifest(store: ImageStore, digest: Digest): Promise<ImageManifest> {
  return JSON.parse(await fsp.readFile(store.content.blobPath(digest), 'utf8')) as ImageManifest;
}
