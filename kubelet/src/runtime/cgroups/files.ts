// Small filesystem helpers for cgroupfs: read/write control files, list pids, kill, rmdir with retry.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes(String((err as { code?: unknown }).code));
}

/** Contents of a control file, or undefined when it (or its cgroup) does not exist. */
export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err: unknown) {
    if (isErrno(err, 'ENOENT', 'ENODEV')) return undefined;
    throw err;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch (err: unknown) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Writes a control file (cgroupfs takes one value per write; no truncation semantics apply). */
export async function writeControl(dir: string, file: string, value: string): Promise<void> {
  await fs.writeFile(path.join(dir, file), value);
}

/** Parses "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function parseKeyValues(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** A single integer control file; undefined when absent. "max" reads as Infinity. */
export async function readNumber(file: string): Promise<number | undefined> {
  const s = (await readOptional(file))?.trim();
  if (s === undefined || s === '') return undefined;
  if (s === 'max') return Infinity;
  return Number(s);
}

/** Pids in a cgroup dir's cgroup.procs (empty when the dir is gone). */
export async function readProcs(dir: string): Promise<number[]> {
  const text = await readOptional(path.join(dir, 'cgroup.procs'));
  return (text ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/** The dir and all its descendant cgroup dirs, deepest first (the order rmdir needs). */
export async function walkPostOrder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) if (e.isDirectory()) out.push(...(await walkPostOrder(path.join(dir, e.name))));
  out.push(dir);
  return out;
}

export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err: unknown) {
      if (!isErrno(err, 'ESRCH')) throw err;
    }
  }
}

export type Delay = (ms: number) => Promise<void>;
export const realDelay: Delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** rmdir that treats "already gone" as success and retries EBUSY (processes still exiting) with backoff. */
export async function rmdirRetry(dir: string, delay: Delay, attempts = 20): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (err: unknown) {
      if (isErrno(err, 'ENOENT')) return;
      if (!isErrno(err, 'EBUSY') || i >= attempts) throw err;
      await delay(Math.min(10 * 2 ** i, 200));
    }
  }
}
