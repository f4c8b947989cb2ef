// Integration: `keelson-helper run` isolates a real container (namespaces, overlay, /proc /sys /dev, caps, seccomp, ids, logs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HelperHarness, hostMountsMention, removeSharedBusyboxLayer, sharedBusyboxLayer } from '../testing';
import { HelperFailedError } from './errors';

const h = new HelperHarness();
const out = HelperHarness.out;
afterEach(() => h.cleanup());
afterAll(() => removeSharedBusyboxLayer());

const DEFAULT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];
const CAP_NUMBERS: Record<string, number> = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10, NET_ADMIN: 12, NET_RAW: 13, SYS_CHROOT: 18, SYS_ADMIN: 21, MKNOD: 27, AUDIT_WRITE: 29, SETFCAP: 31 };
const capHex = (names: string[]): string => names.reduce((m, n) => m | (1n << BigInt(CAP_NUMBERS[n]!)), 0n).toString(16).padStart(16, '0');
const statusField = (lines: string[], field: string): string | undefined => lines.find((l) => l.startsWith(`${field}:`))?.split(/\s+/)[1];
const sh = (script: string): string[] => ['sh', '-c', script];
const waitFor = async (cond: () => Promise<boolean>, ms = 10000): Promise<void> => {
  for (const end = Date.now() + ms; !(await cond()); ) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('the container is pid 1 of its own pid namespace, and its overlay root is mounted only inside it', async () => {
  const c = await h.start({ args: sh('echo $$; exec sleep 30') });
  await waitFor(async () => out(await h.log(c)).length > 0);
  expect(out(await h.log(c))[0]).toBe('1');
  expect(await readlink(`/proc/${c.pid}/ns/pid`)).not.toBe(await readlink('/proc/self/ns/pid'));
  expect(await readlink(`/proc/${c.pid}/ns/mnt`)).not.toBe(await readlink('/proc/self/ns/mnt'));
  const inside = await readFile(`/proc/${c.pid}/mountinfo`, 'utf8');
  expect(inside).toMatch(/ \/ \/ \S+ [^-]*- overlay overlay .*upperdir=/);
  expect(await hostMountsMention(c.dirs.rootfs)).toBe(false);
  expect(await hostMountsMention(c.dirs.upper)).toBe(false);
  process.kill(c.pid, 'SIGKILL');
  const exit = await h.helper.waitExit(c.dirs.state, 10000);
  expect(exit).toMatchObject({ signal: 9, exitCode: 137 });
  expect(await hostMountsMention(c.dirs.rootfs)).toBe(false);
});

test('writes land in the overlay upper layer and the lower layer stays untouched', async () => {
  const lower = await sharedBusyboxLayer();
  const before = await readFile(path.join(lower, 'etc/passwd'), 'utf8');
  const { exit, c } = await h.runToExit({ args: sh('echo hello > /newfile && echo extra:x:1:1::/:/bin/sh >> /etc/passwd') });
  expect(exit.exitCode).toBe(0);
  expect(await readFile(path.join(c.dirs.upper, 'newfile'), 'utf8')).toBe('hello\n');
  expect(await readFile(path.join(c.dirs.upper, 'etc/passwd'), 'utf8')).toContain('extra:x:1:1');
  expect(existsSync(path.join(lower, 'newfile'))).toBe(false);
  expect(await readFile(path.join(lower, 'etc/passwd'), 'utf8')).toBe(before);
});

test('readonly_rootfs refuses writes to the root but /dev/shm stays writable', async () => {
  const { exit, log } = await h.runToExit({ readonlyRootfs: true, args: sh('touch /x; echo root=$?; touch /dev/shm/y; echo shm=$?') });
  expect(exit.exitCode).toBe(0);
  expect(out(log)).toEqual(['root=1', 'shm=0']);
  expect(out(log, 'stderr').join('\n')).toMatch(/Read-only file system/);
});

test('/proc paths are masked or read-only, /sys is read-only, and /dev holds only the minimal devices', async () => {
  const { log } = await h.runToExit({
    args: sh(
      'wc -c < /proc/timer_list; wc -c < /proc/keys; stat -f -c %T /proc/acpi; ' +
        'ls /proc/kcore >/dev/null 2>&1 && wc -c < /proc/kcore || echo nokcore; ' +
        'echo 1 > /proc/sys/vm/overcommit_memory; touch /sys/x; ls -A /dev | tr "\\n" " "; echo; ls -A /dev/pts | tr "\\n" " "',
    ),
  });
  const lines = out(log);
  expect(lines[0]).toBe('0');
  expect(lines[1]).toBe('0');
  expect(lines[2]).toBe('tmpfs');
  expect(['0', 'nokcore']).toContain(lines[3]);
  expect(lines[4]).toBe('fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ');
  expect(lines[5]).toBe('ptmx ');
  const err = out(log, 'stderr');
  expect(err.filter((l) => /Read-only file system/.test(l))).toHaveLength(2);
  // The host has what was masked: the test would fail without the masks.
  expect((await readFile('/proc/timer_list', 'utf8')).length).toBeGreaterThan(0);
});

test('capabilities default to Docker\'s set, and cap_add / cap_drop change it', async () => {
  const a = await h.runToExit({ args: ['cat', '/proc/self/status'] });
  const s = out(a.log);
  expect(statusField(s, 'CapEff')).toBe(capHex(DEFAULT_CAPS));
  expect(statusField(s, 'CapPrm')).toBe(capHex(DEFAULT_CAPS));
  expect(statusField(s, 'CapBnd')).toBe(capHex(DEFAULT_CAPS));
  expect(statusField(s, 'CapInh')).toBe('0000000000000000');
  expect(statusField(s, 'CapAmb')).toBe('0000000000000000');
  const b = await h.runToExit({ args: ['cat', '/proc/self/status'], capAdd: ['NET_ADMIN'], capDrop: ['CHOWN', 'KILL'] });
  const expected = [...DEFAULT_CAPS.filter((c) => c !== 'CHOWN' && c !== 'KILL'), 'NET_ADMIN'];
  expect(statusField(out(b.log), 'CapEff')).toBe(capHex(expected));
  expect(statusField(out(b.log), 'CapBnd')).toBe(capHex(expected));
});

test('no_new_privs and the default seccomp filter refuse mount and unshare with EPERM; unconfined and privileged lift them', async () => {
  // `unshare -U` needs no capability, so only the seccomp filter can refuse it.
  const script = 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; unshare -U true && echo userns=ok; unshare -m true && echo unshare=ok; mount -t tmpfs t /tmp && echo mount=ok; true';
  const a = await h.runToExit({ args: sh(script) });
  expect(out(a.log)).toEqual(['NoNewPrivs:\t1', 'Seccomp:\t2']);
  const err = out(a.log, 'stderr').join('\n');
  expect(err).toMatch(/unshare\(0x10000000\): Operation not permitted/);
  expect(err).toMatch(/unshare\(0x20000\): Operation not permitted/);
  expect(err).toMatch(/mount: (operation not permitted|permission denied)/i);
  const b = await h.runToExit({ args: sh(script), seccomp: 'unconfined' });
  expect(out(b.log)).toEqual(['NoNewPrivs:\t1', 'Seccomp:\t0', 'userns=ok']);
  const c = await h.runToExit({ args: sh(script), privileged: true, noNewPrivs: false, seccomp: 'unconfined' });
  expect(out(c.log)).toEqual(['NoNewPrivs:\t0', 'Seccomp:\t0', 'userns=ok', 'unshare=ok', 'mount=ok']);
});

test('uid, gid and supplementary groups come from the config', async () => {
  const { log } = await h.runToExit({ args: ['id'], uid: 65534, gid: 65534, groups: [1234, 5678] });
  expect(out(log)).toEqual(['uid=65534(nobody) gid=65534(nobody) groups=1234,5678']);
  const { log: caps } = await h.runToExit({ args: sh('grep CapEff /proc/self/status'), uid: 65534, gid: 65534 });
  expect(out(caps)).toEqual(['CapEff:\t0000000000000000']);
});

test('exit codes and signals are exact', async () => {
  expect((await h.runToExit({ args: sh('exit 3') })).exit).toMatchObject({ exitCode: 3, signal: 0 });
  expect((await h.runToExit({ args: ['true'] })).exit).toMatchObject({ exitCode: 0, signal: 0 });
  const c = await h.start({ args: ['sleep', '30'] });
  process.kill(c.pid, 'SIGKILL');
  const exit = await h.helper.waitExit(c.dirs.state, 10000);
  expect(exit).toMatchObject({ exitCode: 137, signal: 9 });
  expect(Date.parse(exit.finishedAt)).toBeGreaterThanOrEqual(Date.parse(exit.startedAt));
});

test('the log is in CRI format: stdout/stderr F lines with RFC3339Nano timestamps, partial lines P; SIGUSR1 reopens it', async () => {
  const c = await h.start({ stdin: true, args: sh('echo out; echo err >&2; head -c 20000 /dev/zero | tr "\\0" a; echo; read x; echo two; printf tail') });
  await waitFor(async () => out(await h.log(c)).includes('out') && (await h.log(c)).length >= 4);
  const first = await h.log(c);
  for (const l of first) expect(l.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
  expect(first).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ stream: 'stdout', tag: 'F', content: 'out' }),
      expect.objectContaining({ stream: 'stderr', tag: 'F', content: 'err' }),
      expect.objectContaining({ stream: 'stdout', tag: 'P', content: 'a'.repeat(16384) }),
      expect.objectContaining({ stream: 'stdout', tag: 'F', content: 'a'.repeat(20000 - 16384) }),
    ]),
  );
  // logrotate: move the file away, ask the monitor to reopen, then let the container print more.
  await rename(c.dirs.log, `${c.dirs.log}.1`);
  const monitor = await h.helper.monitorPid(c.dirs.state);
  process.kill(monitor!, 'SIGUSR1');
  const fifo = await open(path.join(c.dirs.state, 'stdin'), 'w');
  await fifo.write('go\n');
  await fifo.close();
  const exit = await h.helper.waitExit(c.dirs.state, 10000);
  expect(exit.exitCode).toBe(0);
  expect((await h.log(c)).map((l) => [l.stream, l.tag, l.content])).toEqual([
    ['stdout', 'F', 'two'],
    ['stdout', 'F', 'tail'],
  ]);
  expect(await readFile(`${c.dirs.log}.1`, 'utf8')).not.toContain('two');
});

test('the monitor survives the death of the process that ran `keelson-helper run` and still records the exit', async () => {
  const { launch, dirs } = await h.launch({ stdin: true, args: sh('read x; exit 4') });
  const cfg = path.join(dirs.state, 'run.config');
  const { encodeConfig, runEntries } = await import('./config');
  await writeFile(cfg, encodeConfig(runEntries(launch)));
  // A stand-in "shim" that runs the helper and then lingers; it is killed with SIGKILL.
  const shim = spawn('sh', ['-c', `${h.helper.binary} run --config ${cfg}; sleep 60`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const pidLine = await new Promise<string>((resolve) => shim.stdout.once('data', (b: Buffer) => resolve(b.toString())));
  const pid = Number(pidLine.trim());
  expect(pid).toBeGreaterThan(0);
  process.kill(-shim.pid!, 'SIGKILL');
  await new Promise((r) => shim.once('exit', r));
  const monitor = (await h.helper.monitorPid(dirs.state))!;
  expect((await readFile(`/proc/${monitor}/stat`, 'utf8')).split(' ')[2]).not.toBe('Z');
  const fifo = await open(path.join(dirs.state, 'stdin'), 'w');
  await fifo.write('x\n');
  await fifo.close();
  expect((await h.helper.waitExit(dirs.state, 10000)).exitCode).toBe(4);
});

test('a missing binary fails `run` with a clear message and leaves no mount and no process behind', async () => {
  const { launch, dirs } = await h.launch({ args: ['/bin/does-not-exist'] });
  const err = await h.helper.run(launch).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HelperFailedError);
  expect((err as HelperFailedError).detail).toMatch(/exec \/bin\/does-not-exist: No such file or directory/);
  expect(await hostMountsMention(dirs.rootfs)).toBe(false);
  expect(existsSync(path.join(dirs.state, 'pid'))).toBe(false);
  const monitor = await h.helper.monitorPid(dirs.state);
  // The monitor reported the failure and is exiting: it must be gone (or a zombie awaiting its reaper) shortly.
  await waitFor(async () => {
    const stat = await readFile(`/proc/${monitor}/stat`, 'utf8').catch(() => 'gone');
    return stat === 'gone' || stat.split(' ')[2] === 'Z';
  }, 5000);
});
