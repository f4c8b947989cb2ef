// Builds a deterministic busybox base image (OCI image-layout tar) from Debian's busybox-static; also a CLI.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256 } from './digest';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, MediaTypes, goArch } from './oci';
import { TarWriter } from './tar-writer';

const execFileP = promisify(execFile);

export const BUSYBOX_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const BUSYBOX_REPOSITORY = 'docker.io/library/busybox';

export interface BuildBusyboxOptions {
  /** Where to write the OCI image-layout tar. */
  out: string;
  /** The static busybox binary; defaults to Debian's /usr/bin/busybox. */
  busybox?: string;
}

export interface BuiltImage {
  path: string;
  manifestDigest: Digest;
  /** The image id. */
  configDigest: Digest;
  layerDiffId: Digest;
  /** busybox's own version, e.g. `1.35.0`. */
  version: string;
  /** Normalised names recorded in the archive. */
  names: string[];
}

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'user:x:1000:1000:user:/home/user:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'user:x:1000:', 'nobody:x:65534:', ''].join('\n');
const NSSWITCH = ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', 'networks: files', ''].join('\n');

/**
 * Writes a one-layer busybox image: /bin/busybox plus one symlink per applet, passwd/group with root,
 * `user` (1000) and nobody (65534), /tmp 1777, /root; Cmd ["sh"]. Every timestamp is the epoch and
 * every owner root (except /home/user), so the same busybox binary always gives the same digests.
 */
export async function buildBusyboxImage(opts: BuildBusyboxOptions): Promise<BuiltImage> {
  const bin = opts.busybox ?? '/usr/bin/busybox';
  const binary = await fsp.readFile(bin);
  const { stdout: list } = await execFileP(bin, ['--list']);
  const applets = [...new Set(list.split('\n').map((s) => s.trim()))].filter((a) => a !== '' && a !== 'busybox' && !a.includes('/')).sort();
  const version = await busyboxVersion(bin);

  const layer = new TarWriter();
  for (const d of ['bin', 'dev', 'etc', 'home', 'proc', 'sys', 'usr', 'usr/bin', 'usr/sbin', 'var', 'var/spool', 'var/spool/mail', 'var/www']) {
    layer.add({ path: d, type: 'Directory', mode: 0o755 });
  }
  layer.add({ path: 'bin/busybox', type: 'File', mode: 0o755, data: binary });
  for (const a of applets) layer.add({ path: `bin/${a}`, type: 'SymbolicLink', linkpath: 'busybox', mode: 0o777 });
  layer
    .add({ path: 'etc/group', type: 'File', data: GROUP })
    .add({ path: 'etc/nsswitch.conf', type: 'File', data: NSSWITCH })
    .add({ path: 'etc/passwd', type: 'File', data: PASSWD })
    .add({ path: 'home/user', type: 'Directory', mode: 0o755, uid: 1000, gid: 1000 })
    .add({ path: 'root', type: 'Directory', mode: 0o700 })
    .add({ path: 'tmp', type: 'Directory', mode: 0o1777 });
  const layerTar = layer.finish();
  const layerGz = gzipSync(layerTar, { level: 9 });
  const diffId = sha256(layerTar);

  const config: ImageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: goArch(),
    os: 'linux',
    config: { Env: [BUSYBOX_PATH_ENV], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: `keelson build-busybox from busybox-static ${version}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const layerDesc: Descriptor = { mediaType: MediaTypes.ociLayerGzip, digest: sha256(layerGz), size: layerGz.length };
  const configDesc: Descriptor = { mediaType: MediaTypes.ociConfig, digest: sha256(configBytes), size: configBytes.length };
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: configDesc, layers: [layerDesc] };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256(manifestBytes);

  const minor = version.split('.').slice(0, 2).join('.');
  const tags = ['latest', ...(minor !== '' ? [minor] : [])];
  const names = tags.map((t) => `${BUSYBOX_REPOSITORY}:${t}`);
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: tags.map((t, i) => ({
      mediaType: MediaTypes.ociManifest,
      digest: manifestDigest,
      size: manifestBytes.length,
      annotations: { [ANNOTATION_IMAGE_NAME]: names[i] ?? '', [ANNOTATION_REF_NAME]: t },
    })),
  };

  const archive = new TarWriter()
    .add({ path: 'oci-layout', type: 'File', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) })
    .add({ path: 'index.json', type: 'File', data: JSON.stringify(index) })
    .add({ path: 'blobs', type: 'Directory' })
    .add({ path: 'blobs/sha256', type: 'Directory' });
  for (const [d, data] of [
    [manifestDigest, manifestBytes],
    [configDesc.digest, configBytes],
    [layerDesc.digest, layerGz],
  ] as const) {
    archive.add({ path: `blobs/sha256/${d.slice(7)}`, type: 'File', data });
  }
  await fsp.mkdir(path.dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, archive.finish());
  await fsp.rename(tmp, opts.out);
  return { path: opts.out, manifestDigest, configDigest: configDesc.digest, layerDiffId: diffId, version, names };
}

/** `BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1) multi-call binary.` → `1.35.0`. */
async function busyboxVersion(bin: string): Promise<string> {
  // `busybox` with no applet prints its banner and exits 0 (some builds exit 1; the banner is there either way).
  const out = await execFileP(bin, []).then(
    (r) => r.stdout + r.stderr,
    (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
  );
  const m = /BusyBox v(\d+\.\d+(?:\.\d+)?)/.exec(out);
  if (!m?.[1]) throw new Error(`cannot tell the version of ${bin}`);
  return m[1];
}

async function main(argv: string[]): Promise<void> {
  let out = 'busybox.oci.tar';
  let busybox: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' || a === '-o') out = argv[++i] ?? out;
    else if (a === '--busybox') busybox = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: build-busybox [--out busybox.oci.tar] [--busybox /usr/bin/busybox]\n');
      return;
    } else if (a !== undefined) out = a;
  }
  const built = await buildBusyboxImage({ out, ...(busybox !== undefined ? { busybox } : {}) });
  process.stdout.write(JSON.stringify(built, null, 2) + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`build-busybox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
