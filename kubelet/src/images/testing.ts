// Test helpers for the image store: build OCI-layout and docker-save archives from in-memory layers.
import { promises as fsp } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256 } from './digest';
import { ANNOTATION_IMAGE_NAME, type ContainerConfig, type ImageConfig, MediaTypes, goArch } from './oci';
import { TarWriter } from './tar-writer';

/** Writes an OCI image-layout tar holding one image made of `layers` (uncompressed tars, bottom first). */
export async function writeOciArchive(out: string, name: string | undefined, layers: Buffer[], config: ContainerConfig = { Cmd: ['sh'] }): Promise<{ manifestDigest: Digest; configDigest: Digest }> {
  const blobs = new Map<Digest, Buffer>();
  const layerDescs = layers.map((l) => {
    const gz = gzipSync(l);
    const d = sha256(gz);
    blobs.set(d, gz);
    return { mediaType: MediaTypes.ociLayerGzip, digest: d, size: gz.length };
  });
  const cfg: ImageConfig = { architecture: goArch(), os: 'linux', config, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l)) } };
  const cfgBytes = Buffer.from(JSON.stringify(cfg));
  const configDigest = sha256(cfgBytes);
  blobs.set(configDigest, cfgBytes);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: cfgBytes.length }, layers: layerDescs }),
  );
  const manifestDigest = sha256(manifest);
  blobs.set(manifestDigest, manifest);
  const desc = { mediaType: MediaTypes.ociManifest, digest: manifestDigest, size: manifest.length, ...(name ? { annotations: { [ANNOTATION_IMAGE_NAME]: name } } : {}) };
  const tar = new TarWriter()
    .add({ path: 'oci-layout', type: 'File', data: '{"imageLayoutVersion":"1.0.0"}' })
    .add({ path: 'index.json', type: 'File', data: JSON.stringify({ schemaVersion: 2, manifests: [desc] }) });
  for (const [d, b] of blobs) tar.add({ path: `blobs/sha256/${d.slice(7)}`, type: 'File', data: b });
  await fsp.writeFile(out, tar.finish());
  return { manifestDigest, configDigest };
}

/** Writes a classic `docker save` tar (manifest.json, <id>.json, <dir>/layer.tar) for `layers` (uncompressed). */
export async function writeDockerSaveArchive(out: string, repoTags: string[], layers: Buffer[], config: ContainerConfig = { Cmd: ['sh'] }): Promise<{ imageId: Digest }> {
  const cfg: ImageConfig = { architecture: goArch(), os: 'linux', config, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l)) } };
  const cfgBytes = Buffer.from(JSON.stringify(cfg));
  const imageId = sha256(cfgBytes);
  const tar = new TarWriter();
  const layerPaths: string[] = [];
  for (const l of layers) {
    const dir = sha256(l).slice(7);
    tar.add({ path: dir, type: 'Directory' }).add({ path: `${dir}/VERSION`, type: 'File', data: '1.0' }).add({ path: `${dir}/layer.tar`, type: 'File', data: l });
    layerPaths.push(`${dir}/layer.tar`);
  }
  tar.add({ path: `${imageId.slice(7)}.json`, type: 'File', data: cfgBytes });
  tar.add({ path: 'manifest.json', type: 'File', data: JSON.stringify([{ Config: `${imageId.slice(7)}.json`, RepoTags: repoTags, Layers: layerPaths }]) });
  await fsp.writeFile(out, tar.finish());
  return { imageId };
}
