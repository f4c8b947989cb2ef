// Integration: `keelson-helper serve` through ForkServer runs commands with input, reports status and output, kills on timeout, restarts after dying.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CommandError, ServedRunner } from '../network';
import { HelperFailedError } from './errors';
import { ForkServer, ForkServerError, ServedTimeoutError } from './forkserver';
import { defaultHelperBinary, NativeHelper } from './helper';

let server: ForkServer;
beforeEach(() => {
  server = new ForkServer(defaultHelperBinary());
});
afterEach(() => server.close());

test('runs a program with arguments and input, and returns its status and both outputs', async () => {
  expect(await server.run(['sh', '-c', 'read a; echo "got $a and $1"; echo oops >&2; exit 3', 'sh', 'two words'], { input: 'line one\n' })).toEqual({
    status: 3,
    stdout: 'got line one and two words\n',
    stderr: 'oops\n',
  });
  // Empty arguments and output survive the wire.
  expect(await server.run(['printf', '%s|%s', '', 'x'])).toEqual({ status: 0, stdout: '|x', stderr: '' });
});

test('a program that cannot be found exits 127 with a message; one killed by a signal reports 128+N', async () => {
  const missing = await server.run(['/nonexistent/program']);
  expect(missing.status).toBe(127);
  expect(missing.stderr).toContain('exec /nonexistent/program');
  expect((await server.run(['sh', '-c', 'kill -TERM $$'])).status).toBe(128 + 15);
});

test('many commands at once each get their own answer', async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => server.run(['sh', '-c', `sleep 0.0${i % 10}; echo ${i}`])));
  expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
});

test('large output and input pass whole', async () => {
  const input = 'x'.repeat(300_000) + '\n';
  const r = await server.run(['cat'], { input });
  expect(r.stdout.length).toBe(input.length);
});

test('a command over its timeout is killed and rejected', async () => {
  const started = Date.now();
  await expect(server.run(['sleep', '30'], { timeoutMs: 200 })).rejects.toBeInstanceOf(ServedTimeoutError);
  expect(Date.now() - started).toBeLessThan(5000);
  // The server goes on serving.
  expect((await server.run(['true'])).status).toBe(0);
});

test('commands in flight fail when the server dies, and the next command starts a new server', async () => {
  const pending = server.run(['sleep', '30']);
  // The server's only child is that sleep: kill its parent, the server.
  const { stdout } = await server.run(['sh', '-c', 'echo $PPID']);
  process.kill(Number(stdout.trim()), 'SIGKILL');
  await expect(pending).rejects.toBeInstanceOf(ForkServerError);
  expect((await server.run(['echo', 'again'])).stdout).toBe('again\n');
});

test('ServedRunner maps a failing command to CommandError with its exit code and stderr', async () => {
  const runner = new ServedRunner(server);
  expect(await runner.run('sh', ['-c', 'cat'], { input: 'in' })).toEqual({ stdout: 'in', stderr: '' });
  await expect(runner.run('sh', ['-c', 'echo bad >&2; exit 2'])).rejects.toMatchObject({ constructor: CommandError, exitCode: 2, stderr: 'bad\n' });
});

test('NativeHelper through the fork server reports a failing mode with its stderr line', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'keelson-fs-'));
  const helper = new NativeHelper();
  try {
    const err = await helper
      .run({ id: 'c', stateDir: dir, lower: ['/nonexistent/keelson-layer'], upper: path.join(dir, 'u'), work: path.join(dir, 'w'), rootfs: path.join(dir, 'r'), readonlyRootfs: false, args: ['true'], env: [], cwd: '/', uid: 0, gid: 0, groups: [], nsNet: '', nsIpc: '', nsUts: '', cgroups: [], mounts: [], capAdd: [], capDrop: [], privileged: false, noNewPrivs: true, seccomp: 'default', logPath: '', tty: false, stdin: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelperFailedError);
    expect(err).toMatchObject({ mode: 'run', exitCode: 1 });
    expect((err as HelperFailedError).detail).toMatch(/^keelson-helper: /);
  } finally {
    helper.close();
    await rm(dir, { recursive: true, force: true });
  }
});
