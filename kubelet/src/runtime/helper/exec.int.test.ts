// Integration: `keelson-helper exec` runs commands inside a running container, with exit codes and a tty with resize.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { HelperHarness, removeSharedBusyboxLayer, type StartedContainer } from '../testing';

const h = new HelperHarness();
afterAll(async () => {
  await h.cleanup();
  await removeSharedBusyboxLayer();
});

let c: StartedContainer;
let podHostname: string;

beforeAll(async () => {
  const sb = await h.sandbox();
  podHostname = sb.hostname;
  c = await h.start({ ...HelperHarness.joining(sb), args: ['sh', '-c', 'echo marker-inside > /marker; exec sleep 60'] });
  for (let i = 0; i < 200 && !(await import('node:fs')).existsSync(`${c.dirs.upper}/marker`); i++) await new Promise((r) => setTimeout(r, 20));
});

function execute(cmd: string[], opts: { tty?: boolean; uid?: number; gid?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = h.helper.exec({ targetPid: c.pid, cmd, tty: opts.tty ?? false, ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? 0 } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin?.end();
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve({ code, stdout, stderr })));
}

test('exec runs inside the container: its hostname, pid namespace, root filesystem and security settings', async () => {
  const r = await execute(['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; cat /marker; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status']);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')).toEqual([podHostname, 'sleep 60 ', 'marker-inside', 'NoNewPrivs:\t1', 'Seccomp:\t2', '']);
});

test('exec passes the exit code through; 127 for a missing command, 126 for a non-executable one', async () => {
  expect((await execute(['sh', '-c', 'exit 42'])).code).toBe(42);
  const missing = await execute(['no-such-command']);
  expect(missing.code).toBe(127);
  expect(missing.stderr).toMatch(/no-such-command: No such file or directory/);
  expect((await execute(['/etc/passwd'])).code).toBe(126);
  expect((await execute(['sh', '-c', 'kill -KILL $$'])).code).toBe(137);
  expect((await execute(['id'], { uid: 65534, gid: 65534 })).stdout.trim()).toBe('uid=65534(nobody) gid=65534(nobody)');
});

test('exec --tty gives a pty and applies window sizes sent on fd 3', async () => {
  const child = spawn(h.helper.binary, ['exec', '--target', String(c.pid), '--tty', '--', 'sh', '-c', 'tty; while true; do stty size; sleep 0.05; done'], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  try {
    const until = async (re: RegExp): Promise<void> => {
      for (const end = Date.now() + 10000; !re.test(output); ) {
        if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(output)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(/^\/dev\/pts\/\d+\r\n/);
    (child.stdio[3] as Writable).write('120 50\n');
    await until(/50 120\r\n/);
    (child.stdio[3] as Writable).write('90 33\n');
    await until(/33 90\r\n/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
});
