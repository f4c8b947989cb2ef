// Pod volumes on the node: emptyDir, hostPath, configMap, secret, downwardAPI, projected and persistentVolumeClaim directories.
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isStatusError, type ConfigMap, type Pod, type Secret, type Volume } from '@keelson/api';
import type { RestClient } from '@keelson/client';
import { fieldRefValue, resourceFieldRefValue } from './fields';

const run = promisify(execFile);

/** A volume could not be set up; the pod waits (ContainerCreating) and an event says why. */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}": ${message}`);
    this.name = 'VolumeError';
  }
}

export function podDir(rootDir: string, uid: string): string {
  return path.join(rootDir, 'pods', uid);
}

function volumeKind(v: Volume): string {
  if (v.emptyDir) return 'kubernetes.io~empty-dir';
  if (v.configMap) return 'kubernetes.io~configmap';
  if (v.secret) return 'kubernetes.io~secret';
  if (v.downwardAPI) return 'kubernetes.io~downward-api';
  if (v.projected) return 'kubernetes.io~projected';
  return 'kubernetes.io~other';
}

/** Files to write into a volume: relative path → content and mode. */
type Payload = Map<string, { data: Buffer; mode: number }>;

function safeRelative(volume: string, p: string): string {
  const normal = path.posix.normalize(p);
  if (p === '' || path.posix.isAbsolute(p) || normal.startsWith('..') || normal.split('/').includes('..')) throw new VolumeError(volume, `invalid path ${JSON.stringify(p)}`);
  return normal;
}

/**
 * Writes a payload the way the kubelet's AtomicWriter does: files in a fresh timestamped directory, a `..data` symlink
 * swapped atomically onto it, and top-level symlinks through `..data`, so readers never see a half-updated volume.
 * Returns false when the payload is unchanged.
 */
export async function writeAtomic(dir: string, payload: Payload): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const dataLink = path.join(dir, '..data');
  let current: string | undefined;
  try {
    current = await readlink(dataLink);
  } catch {
    current = undefined;
  }
  if (current !== undefined) {
    let same = true;
    const manifest = path.join(dir, current, '..manifest');
    try {
      const old = JSON.parse(await readFile(manifest, 'utf8')) as Record<string, string>;
      const now = Object.fromEntries([...payload].map(([k, v]) => [k, `${v.mode}:${v.data.toString('base64')}`]));
      same = JSON.stringify(Object.entries(old).sort()) === JSON.stringify(Object.entries(now).sort());
    } catch {
      same = false;
    }
    if (same) return false;
  }
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const target = path.join(dir, stamp);
  await mkdir(target, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const [rel, { data, mode }] of payload) {
    const file = path.join(target, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    await chmod(file, mode);
    manifest[rel] = `${mode}:${data.toString('base64')}`;
  }
  await writeFile(path.join(target, '..manifest'), JSON.stringify(manifest));
  await chmod(path.join(target, '..manifest'), 0o600);
  const tmpLink = path.join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, dataLink);
  const tops = new Set([...payload.keys()].map((rel) => rel.split('/')[0] ?? rel));
  for (const top of tops) {
    const link = path.join(dir, top);
    try {
      const st = await lstat(link);
      if (st.isSymbolicLink()) continue;
      await rm(link, { recursive: true, force: true });
    } catch {
      // absent: created below
    }
    await symlink(path.join('..data', top), link);
  }
  // Drop top-level links no longer in the payload, and the previous data directory.
  if (current !== undefined) {
    const old = JSON.parse(await readFile(path.join(dir, current, '..manifest'), 'utf8').catch(() => '{}')) as Record<string, string>;
    for (const rel of Object.keys(old)) {
      const top = rel.split('/')[0] ?? rel;
      if (!tops.has(top)) await rm(path.join(dir, top), { force: true });
    }
    await rm(path.join(dir, current), { recursive: true, force: true });
  }
  return true;
}

function modeOf(item: { mode?: number } | undefined, defaultMode: number | undefined): number {
  return item?.mode ?? defaultMode ?? 0o644;
}

function keyPayload(volume: string, data: Record<string, Buffer>, items: { key: string; path: string; mode?: number }[] | undefined, defaultMode: number | undefined, payload: Payload): void {
  if (items === undefined || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(safeRelative(volume, k), { data: v, mode: modeOf(undefined, defaultMode) });
    return;
  }
  for (const item of items) {
    const v = data[item.key];
    if (v === undefined) throw new VolumeError(volume, `configuration key "${item.key}" not found`);
    payload.set(safeRelative(volume, item.path), { data: v, mode: modeOf(item, defaultMode) });
  }
}

export interface VolumeContext {
  client: RestClient;
  rootDir: string;
  nodeName: string;
}

async function getOptional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (isStatusError(e, 'NotFound')) return undefined;
    throw e;
  }
}

function configMapData(cm: ConfigMap): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function secretData(s: Secret): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v);
  return out;
}

async function isMountpoint(dir: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === dir);
}

function parseSize(q: string | undefined): string | undefined {
  if (q === undefined) return undefined;
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (m === null) return undefined;
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return String(Number(m[1]) * (m[2] !== undefined ? (mult[m[2]] ?? 1) : 1));
}

/**
 * Sets up (or refreshes) every volume of `pod`; returns volume name → host directory or file.
 * configMap, secret, downwardAPI and projected volumes are rewritten when their sources change.
 */
export async function setUpVolumes(ctx: VolumeContext, pod: Pod): Promise<Map<string, string>> {
  const uid = pod.metadata?.uid ?? '';
  const ns = pod.metadata?.namespace ?? 'default';
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) {
    const dir = path.join(podDir(ctx.rootDir, uid), 'volumes', volumeKind(v), v.name);
    if (v.emptyDir) {
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await chmod(dir, 0o777);
      if (v.emptyDir.medium === 'Memory' && !(await isMountpoint(dir))) {
        const size = parseSize(typeof v.emptyDir.sizeLimit === 'string' ? v.emptyDir.sizeLimit : undefined);
        await run('mount', ['-t', 'tmpfs', '-o', `mode=1777${size !== undefined ? `,size=${size}` : ''}`, 'tmpfs', dir]);
      }
      out.set(v.name, dir);
    } else if (v.hostPath) {
      out.set(v.name, await hostPathVolume(v.name, v.hostPath.path, v.hostPath.type ?? ''));
    } else if (v.configMap) {
      const name = v.configMap.name ?? '';
      const cm = await getOptional(async () => (await ctx.client.resource('v1', 'ConfigMap').namespace(ns).get(name)));
      if (cm === undefined && v.configMap.optional !== true) throw new VolumeError(v.name, `configmap "${name}" not found`);
      const payload: Payload = new Map();
      if (cm !== undefined) keyPayload(v.name, configMapData(cm), v.configMap.items, v.configMap.defaultMode, payload);
      await writeAtomic(dir, payload);
      out.set(v.name, dir);
    } else if (v.secret) {
      const name = v.secret.secretName ?? '';
      const secret = await getOptional(async () => (await ctx.client.resource('v1', 'Secret').namespace(ns).get(name)));
      if (secret === undefined && v.secret.optional !== true) throw new VolumeError(v.name, `secret "${name}" not found`);
      const payload: Payload = new Map();
      if (secret !== undefined) keyPayload(v.name, secretData(secret), v.secret.items, v.secret.defaultMode, payload);
      await writeAtomic(dir, payload);
      out.set(v.name, dir);
    } else if (v.downwardAPI) {
      const payload: Payload = new Map();
      for (const item of v.downwardAPI.items ?? []) payload.set(safeRelative(v.name, item.path), { data: Buffer.from(downwardValue(pod, item)), mode: modeOf(item, v.downwardAPI.defaultMode) });
      await writeAtomic(dir, payload);
      out.set(v.name, dir);
    } else if (v.projected) {
      const payload: Payload = new Map();
      for (const source of v.projected.sources ?? []) {
        if (source.configMap) {
          const name = source.configMap.name ?? '';
          const cm = await getOptional(async () => (await ctx.client.resource('v1', 'ConfigMap').namespace(ns).get(name)));
          if (cm === undefined && source.configMap.optional !== true) throw new VolumeError(v.name, `configmap "${name}" not found`);
          if (cm !== undefined) keyPayload(v.name, configMapData(cm), source.configMap.items, v.projected.defaultMode, payload);
        } else if (source.secret) {
          const name = source.secret.name ?? '';
          const secret = await getOptional(async () => (await ctx.client.resource('v1', 'Secret').namespace(ns).get(name)));
          if (secret === undefined && source.secret.optional !== true) throw new VolumeError(v.name, `secret "${name}" not found`);
          if (secret !== undefined) keyPayload(v.name, secretData(secret), source.secret.items, v.projected.defaultMode, payload);
        } else if (source.downwardAPI) {
          for (const item of source.downwardAPI.items ?? []) payload.set(safeRelative(v.name, item.path), { data: Buffer.from(downwardValue(pod, item)), mode: modeOf(item, v.projected.defaultMode) });
        } else if (source.serviceAccountToken) {
          // No token issuer yet: the projection is left out rather than filled with a token that would not verify.
        }
      }
      await writeAtomic(dir, payload);
      out.set(v.name, dir);
    } else if (v.persistentVolumeClaim) {
      out.set(v.name, await claimVolume(ctx, ns, v.name, v.persistentVolumeClaim.claimName));
    } else {
      throw new VolumeError(v.name, 'volume type not supported by this kubelet');
    }
  }
  return out;
}

function downwardValue(pod: Pod, item: { fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number } }): string {
  if (item.fieldRef) {
    const p = item.fieldRef.fieldPath;
    if (p === 'metadata.labels') return Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => `${k}="${v}"`).sort().join('\n');
    if (p === 'metadata.annotations') return Object.entries(pod.metadata?.annotations ?? {}).map(([k, v]) => `${k}="${v}"`).sort().join('\n');
    return fieldRefValue(pod, p);
  }
  if (item.resourceFieldRef) return resourceFieldRefValue(pod, item.resourceFieldRef);
  return '';
}

async function hostPathVolume(volume: string, p: string, type: string): Promise<string> {
  const exists = await stat(p).catch(() => undefined);
  switch (type) {
    case 'DirectoryOrCreate':
      if (exists === undefined) await mkdir(p, { recursive: true, mode: 0o755 });
      else if (!exists.isDirectory()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a directory`);
      break;
    case 'FileOrCreate':
      if (exists === undefined) {
        await mkdir(path.dirname(p), { recursive: true });
        await writeFile(p, '', { mode: 0o644 });
      } else if (!exists.isFile()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a file`);
      break;
    case 'Directory':
      if (!exists?.isDirectory()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a directory`);
      break;
    case 'File':
      if (!exists?.isFile()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a file`);
      break;
    case 'Socket':
      if (!exists?.isSocket()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a socket file`);
      break;
    case 'CharDevice':
      if (!exists?.isCharacterDevice()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a character device`);
      break;
    case 'BlockDevice':
      if (!exists?.isBlockDevice()) throw new VolumeError(volume, `hostPath type check failed: ${p} is not a block device`);
      break;
    default:
      if (exists === undefined) throw new VolumeError(volume, `hostPath ${p} does not exist`);
  }
  return p;
}

async function claimVolume(ctx: VolumeContext, ns: string, volume: string, claimName: string): Promise<string> {
  const pvc = await getOptional(async () => (await ctx.client.resource('v1', 'PersistentVolumeClaim').namespace(ns).get(claimName)));
  if (pvc === undefined) throw new VolumeError(volume, `persistentvolumeclaim "${claimName}" not found`);
  const pvName = pvc.spec?.volumeName;
  if (pvc.status?.phase !== 'Bound' || pvName === undefined || pvName === '') throw new VolumeError(volume, `persistentvolumeclaim "${claimName}" is not bound`);
  const pv = (await ctx.client.resource('v1', 'PersistentVolume').get(pvName));
  if (pv.spec?.hostPath) return hostPathVolume(volume, pv.spec.hostPath.path, pv.spec.hostPath.type ?? 'DirectoryOrCreate');
  if (pv.spec?.local) return hostPathVolume(volume, pv.spec.local.path, 'Directory');
  throw new VolumeError(volume, `persistentvolume "${pvName}" is neither hostPath nor local`);
}

/** Unmounts memory-backed emptyDirs and removes the pod's directory. */
export async function tearDownVolumes(rootDir: string, uid: string): Promise<void> {
  const dir = podDir(rootDir, uid);
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
