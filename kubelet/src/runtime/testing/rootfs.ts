// Test fixture: a minimal rootfs from the host's static busybox, and per-test container/sandbox directories.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's busybox-static. */
export const HOST_BUSYBOX = '/usr/bin/busybox';

/**
 * Fills `dir` with a minimal root filesystem: /bin/busybox and a symlink per applet (at the path
 * `busybox --list-full` gives), /etc/passwd and /etc/group with root and nobody (65534), /tmp,
 * and empty /proc /sys /dev /root directories.
 */
export async function buildBusyboxRootfs(dir: string, busybox = HOST_BUSYBOX): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'root', 'tmp']) {
    await mkdir(path.join(dir, d), { recursive: true });
  }
  await chmod(path.join(dir, 'tmp'), 0o1777);
  await copyFile(busybox, path.join(dir, 'bin/busybox'));
  await chmod(path.join(dir, 'bin/busybox'), 0o755);
  const { stdout } = await run(busybox, ['--list-full']);
  for (const applet of stdout.split('\n')) {
    if (applet === '' || applet === 'bin/busybox') continue;
    const target = path.join(dir, applet);
    await mkdir(path.dirname(target), { recursive: true });
    await symlink('/bin/busybox', target).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    });
  }
  await writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(path.join(dir, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
}

let shared: Promise<string> | undefined;
let sharedDir: string | undefined;

/** One busybox rootfs per test process, used read-only as an overlay lower layer. */
export function sharedBusyboxLayer(): Promise<string> {
  shared ??= (async () => {
    sharedDir = await mkdtemp(path.join(os.tmpdir(), 'keelson-layer-'));
    await buildBusyboxRootfs(sharedDir);
    return sharedDir;
  })();
  return shared;
}

/** Removes the shared layer (call from afterAll). */
export async function removeSharedBusyboxLayer(): Promise<void> {
  if (sharedDir !== undefined) await rm(sharedDir, { recursive: true, force: true });
  shared = undefined;
  sharedDir = undefined;
}

/** The directories one container needs: overlay upper/work/rootfs, state and a log path. */
export interface ContainerDirs {
  base: string;
  upper: string;
  work: string;
  rootfs: string;
  state: string;
  log: string;
}

/** Creates a fresh set of container directories under os.tmpdir(); remove `base` when done. */
export async function makeContainerDirs(prefix = 'keelson-ctr-'): Promise<ContainerDirs> {
  const base = await mkdtemp(path.join(os.tmpdir(), prefix));
  const d: ContainerDirs = {
    base,
    upper: path.join(base, 'upper'),
    work: path.join(base, 'work'),
    rootfs: path.join(base, 'rootfs'),
    state: path.join(base, 'state'),
    log: path.join(base, 'container.log'),
  };
  for (const p of [d.upper, d.work, d.rootfs, d.state]) await mkdir(p);
  return d;
}
