// Users and groups resolved through the image's /etc/passwd and /etc/group.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveUser } from './user';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keelson-user-'));
const upper = path.join(dir, 'upper');
const lower = path.join(dir, 'lower');
beforeAll(() => {
  mkdirSync(path.join(lower, 'etc'), { recursive: true });
  mkdirSync(path.join(upper, 'etc'), { recursive: true });
  writeFileSync(path.join(lower, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(path.join(upper, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
  writeFileSync(path.join(upper, 'etc', 'group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app,other\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveUser', () => {
  const layers = [upper, lower];
  it('resolves names, numbers and user:group through the top-most layer that has the file', async () => {
    expect(await resolveUser({ username: 'app' }, layers)).toEqual({ uid: 1000, gid: 1000, groups: [50] });
    expect(await resolveUser({ username: 'app:staff' }, layers)).toEqual({ uid: 1000, gid: 50, groups: [] });
    expect(await resolveUser({ username: '4242:7' }, layers)).toEqual({ uid: 4242, gid: 7, groups: [] });
    expect(await resolveUser({ username: '' }, layers)).toEqual({ uid: 0, gid: 0, groups: [] });
    expect(await resolveUser({ uid: 1000, username: 'root' }, layers)).toEqual({ uid: 1000, gid: 1000, groups: [50] });
    expect(await resolveUser({ uid: 5, gid: 6, username: '' }, layers)).toEqual({ uid: 5, gid: 6, groups: [] });
  });

  it('refuses a name the image does not know', async () => {
    await expect(resolveUser({ username: 'ghost' }, layers)).rejects.toThrow("unable to find user ghost: no matching entries in the image's /etc/passwd");
  });
});
