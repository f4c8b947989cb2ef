// The shim's state on disk: one JSON record per sandbox and per container, written atomically, read back after a restart.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from './types';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  /** Nanoseconds since the epoch, as a decimal string. */
  createdAt: string;
  /** Set once StopPodSandbox ran: the holder is gone and the network torn down. */
  stopped: boolean;
  /** Named network namespace (/run/netns/<netns>), empty for host-network pods. */
  netns: string;
  ip: string;
  /** Host pid of the holder process (0 when stopped). */
  holderPid: number;
  /** The pod's cgroup, relative to the shim's cgroup root. */
  cgroup: string;
  /** Per-sandbox directory: helper state, /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  dir: string;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  createdAt: string;
  /** The image as asked for, and the resolved image id (config digest). */
  image: string;
  imageRef: string;
  /** Overlay lower layers, top-most first. */
  layers: string[];
  /** Per-container directory: helper state_dir, overlay upper/work/rootfs. */
  dir: string;
  /** Absolute path of the CRI log file. */
  logPath: string;
  cgroup: string;
  /** Host pid once started. */
  pid: number;
  /** Nanoseconds since the epoch, "0" until started. */
  startedAt: string;
  /** A start that failed before the process ran: the reason and message reported as an exited container. */
  startError?: { reason: string; message: string };
}

export function newId(): string {
  return randomBytes(32).toString('hex');
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, file);
}

async function readRecords<T>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: T[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')) as T);
    } catch (e: unknown) {
      // A record cut short by a crash between write and rename cannot exist (rename is atomic); anything else unreadable is a fault.
      throw new Error(`unreadable shim record ${path.join(dir, name)}: ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/** In-memory maps of the records, mirrored to `<root>/sandboxes/*.json` and `<root>/containers/*.json`. */
export class StateStore {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();

  constructor(readonly root: string) {}

  private get sandboxDir(): string {
    return path.join(this.root, 'sandboxes');
  }

  private get containerDir(): string {
    return path.join(this.root, 'containers');
  }

  async load(): Promise<void> {
    await mkdir(this.sandboxDir, { recursive: true });
    await mkdir(this.containerDir, { recursive: true });
    this.sandboxes.clear();
    this.containers.clear();
    for (const s of await readRecords<SandboxRecord>(this.sandboxDir)) this.sandboxes.set(s.id, s);
    for (const c of await readRecords<ContainerRecord>(this.containerDir)) this.containers.set(c.id, c);
  }

  async saveSandbox(record: SandboxRecord): Promise<void> {
    this.sandboxes.set(record.id, record);
    await writeAtomic(path.join(this.sandboxDir, `${record.id}.json`), JSON.stringify(record));
  }

  async deleteSandbox(id: string): Promise<void> {
    this.sandboxes.delete(id);
    await rm(path.join(this.sandboxDir, `${id}.json`), { force: true });
  }

  async saveContainer(record: ContainerRecord): Promise<void> {
    this.containers.set(record.id, record);
    await writeAtomic(path.join(this.containerDir, `${record.id}.json`), JSON.stringify(record));
  }

  async deleteContainer(id: string): Promise<void> {
    this.containers.delete(id);
    await rm(path.join(this.containerDir, `${id}.json`), { force: true });
  }

  /** Resolves a full id or a unique prefix of one, as crictl accepts. */
  resolve<T>(map: Map<string, T>, id: string): T | undefined {
    const exact = map.get(id);
    if (exact !== undefined || id.length < 6) return exact;
    const matches = [...map.entries()].filter(([k]) => k.startsWith(id));
    return matches.length === 1 ? matches[0]?.[1] : undefined;
  }
}
