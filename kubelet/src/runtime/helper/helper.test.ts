// Unit: NativeHelper's binary check, failure reporting and state-file reading (with stand-in binaries, no containers).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HelperFailedError, HelperNotBuiltError, HelperTimeoutError } from './errors';
import { defaultHelperBinary, NativeHelper, parseExitInfo } from './helper';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keelson-helper-unit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sandbox = (stateDir: string) => ({ id: 's', stateDir, hostname: 'h', netnsPath: '', sharePid: false, cgroups: [] });

test('the default binary is kubelet/native/keelson-helper', () => {
  expect(defaultHelperBinary()).toBe(path.resolve(__dirname, '../../../native/keelson-helper'));
  expect(defaultHelperBinary().endsWith('kubelet/native/keelson-helper')).toBe(true);
});

test('a missing binary gives the build hint', async () => {
  const h = new NativeHelper({ binary: path.join(dir, 'nope') });
  await expect(h.sandbox(sandbox(dir))).rejects.toThrow(HelperNotBuiltError);
  await expect(h.sandbox(sandbox(dir))).rejects.toThrow('keelson-helper not built: run make -C kubelet/native');
  expect(() => h.exec({ targetPid: 1, cmd: ['true'], tty: false })).toThrow(HelperNotBuiltError);
});

test('a failing mode reports its stderr line; a succeeding one its pid', async () => {
  const bin = path.join(dir, 'fake');
  await writeFile(bin, '#!/bin/sh\nif [ "$1" = sandbox ]; then echo 4242; exit 0; fi\necho "keelson-helper: run: config has no rootfs" >&2\nexit 1\n');
  await chmod(bin, 0o755);
  // The bare exec path (each mode a spawned process); the fork server's path is in forkserver.int.test.ts.
  const h = new NativeHelper({ binary: bin, useForkServer: false });
  expect(await h.sandbox(sandbox(dir))).toBe(4242);
  const err = await h
    .run({ id: 'c', stateDir: dir, lower: ['/l'], upper: '/u', work: '/w', rootfs: '/r', readonlyRootfs: false, args: ['x'], env: [], cwd: '/', uid: 0, gid: 0, groups: [], nsNet: '', nsIpc: '', nsUts: '', cgroups: [], mounts: [], capAdd: [], capDrop: [], privileged: false, noNewPrivs: true, seccomp: 'default', logPath: '', tty: false, stdin: false })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HelperFailedError);
  expect(err).toMatchObject({ mode: 'run', exitCode: 1, detail: 'keelson-helper: run: config has no rootfs' });
});

test('state files: exit record, pids, and waiting with an injected delay', async () => {
  const delays: number[] = [];
  const h = new NativeHelper({
    delay: async (ms) => {
      delays.push(ms);
      if (delays.length === 3) await writeFile(path.join(dir, 'exit'), '{"exitCode":143,"signal":15,"startedAt":"a","finishedAt":"b"}\n');
    },
  });
  expect(await h.exit(dir)).toBeUndefined();
  expect(await h.monitorPid(dir)).toBeUndefined();
  await writeFile(path.join(dir, 'monitor.pid'), '77');
  expect(await h.monitorPid(dir)).toBe(77);
  expect(await h.waitExit(dir, 1000, 10)).toEqual({ exitCode: 143, signal: 15, startedAt: 'a', finishedAt: 'b' });
  expect(delays).toEqual([10, 10, 10]);
  await rm(path.join(dir, 'exit'));
  await expect(new NativeHelper({ delay: async () => undefined }).waitExit(dir, 30, 10)).rejects.toThrow(HelperTimeoutError);
});

test('malformed exit records are rejected', () => {
  expect(() => parseExitInfo('{"exitCode":"1"}')).toThrow(/malformed exit record/);
});
