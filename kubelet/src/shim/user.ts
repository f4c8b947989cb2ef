// Resolves a container's user ("1000", "app", "app:staff", "1000:50" or runAsUser/runAsGroup) to uid, gid and groups from the image's /etc/passwd and /etc/group.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { invalid } from './errors';

export interface UserSpec {
  uid?: number | undefined;
  gid?: number | undefined;
  /** The image's User or the requested username: `name`, `uid`, `name:group`, `uid:gid`. */
  username: string;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups the user belongs to in the image's /etc/group. */
  groups: number[];
}

interface Entry {
  name: string;
  id: number;
  gid: number;
  members: string[];
}

/** The first layer (top-most first) holding `file`; whiteouts are not followed: an image that deletes /etc/passwd has none below. */
async function readFromLayers(layers: string[], file: string): Promise<string | undefined> {
  for (const layer of layers) {
    try {
      return await readFile(path.join(layer, file), 'utf8');
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
    }
  }
  return undefined;
}

function parse(text: string | undefined, kind: 'passwd' | 'group'): Entry[] {
  if (text === undefined) return [];
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (kind === 'passwd') out.push({ name: f[0] ?? '', id: Number(f[2]), gid: Number(f[3]), members: [] });
    else out.push({ name: f[0] ?? '', id: Number(f[2]), gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

const numeric = (s: string): boolean => /^\d+$/.test(s);

export async function resolveUser(spec: UserSpec, layers: string[]): Promise<ResolvedUser> {
  const passwd = parse(await readFromLayers(layers, 'etc/passwd'), 'passwd');
  const groups = parse(await readFromLayers(layers, 'etc/group'), 'group');
  const [userPart = '', groupPart] = spec.username.split(':', 2);
  let uid = spec.uid;
  let gid = spec.gid;
  if (uid === undefined) {
    if (userPart === '') uid = 0;
    else if (numeric(userPart)) uid = Number(userPart);
    else {
      const entry = passwd.find((p) => p.name === userPart);
      if (entry === undefined) throw invalid(`unable to find user ${userPart}: no matching entries in the image's /etc/passwd`);
      uid = entry.id;
    }
  }
  const account = passwd.find((p) => p.id === uid);
  const name = account?.name;
  if (gid === undefined && groupPart !== undefined && groupPart !== '') {
    if (numeric(groupPart)) gid = Number(groupPart);
    else {
      const entry = groups.find((g) => g.name === groupPart);
      if (entry === undefined) throw invalid(`unable to find group ${groupPart}: no matching entries in the image's /etc/group`);
      gid = entry.id;
    }
  }
  gid ??= account?.gid ?? 0;
  const supplementary = name === undefined ? [] : groups.filter((g) => g.members.includes(name) && g.id !== gid).map((g) => g.id);
  return { uid, gid, groups: supplementary };
}
